// An aborted operation rejects with an Error whatever the caller passed to abort().

import { describe, expect, it } from 'vitest';
import { abortReason } from '../../src/actors/abort-reason.js';

describe('abortReason', () => {
  it('is the caller’s own reason when it is an Error', () => {
    const reason = new RangeError('deadline passed');
    expect(abortReason(AbortSignal.abort(reason))).toBe(reason);
  });

  it('is the platform’s AbortError when abort() was given no reason', () => {
    expect(abortReason(AbortSignal.abort())).toMatchObject({ name: 'AbortError' });
  });

  it('wraps any other reason in an AbortError that keeps it as its cause', () => {
    const error = abortReason(AbortSignal.abort('user pressed Ctrl-C'));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'AbortError', message: 'user pressed Ctrl-C', cause: 'user pressed Ctrl-C' });
    expect(abortReason(AbortSignal.abort({ code: 7 }))).toMatchObject({ message: 'the operation was aborted', cause: { code: 7 } });
  });
});
