// A tool call's time bound through the gateway, in fake time: it runs once the call is sent, starts
// again at each progress notification, waits while the client is answering the server, and follows the
// call's cancellation.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallTimeout } from '../../src/gateway/call-timeout.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('CallTimeout', () => {
  it('runs out `ms` after the call is sent, not before it is', () => {
    const timeout = new CallTimeout(1_000, new AbortController().signal);
    vi.advanceTimersByTime(5_000);
    expect(timeout.signal.aborted).toBe(false);
    timeout.start();
    vi.advanceTimersByTime(999);
    expect(timeout.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(timeout.signal.aborted).toBe(true);
    expect(timeout.expired).toBe(true);
  });

  it('starts again at each progress notification', () => {
    const timeout = new CallTimeout(1_000, new AbortController().signal);
    timeout.start();
    for (let step = 0; step < 5; step += 1) {
      vi.advanceTimersByTime(900);
      timeout.restart();
    }
    expect(timeout.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(timeout.expired).toBe(true);
  });

  it('waits while the client answers, and gives the server the whole bound again after the last answer', () => {
    const timeout = new CallTimeout(1_000, new AbortController().signal);
    timeout.start();
    const first = timeout.hold();
    const second = timeout.hold();
    vi.advanceTimersByTime(60_000);
    first();
    vi.advanceTimersByTime(60_000);
    expect(timeout.signal.aborted).toBe(false);
    second();
    second();
    vi.advanceTimersByTime(999);
    expect(timeout.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(timeout.expired).toBe(true);
  });

  it('follows the call’s cancellation without calling it a timeout, and leaves no timer once disposed', () => {
    const call = new AbortController();
    const timeout = new CallTimeout(1_000, call.signal);
    timeout.start();
    call.abort(new Error('the client cancelled'));
    expect(timeout.signal.aborted).toBe(true);
    expect(timeout.expired).toBe(false);
    expect((timeout.signal.reason as Error).message).toBe('the client cancelled');

    const other = new CallTimeout(1_000, new AbortController().signal);
    other.start();
    other.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2_000);
    expect(other.signal.aborted).toBe(false);
  });
});
