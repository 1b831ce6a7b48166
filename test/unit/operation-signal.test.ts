// The per-operation signal: it follows the caller and the timeout, and leaves nothing behind in a
// long-lived caller signal however many operations use it.

import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { OperationAbortedError, OperationTimeoutError } from '../../src/actors/errors.js';
import { withDeadline } from '../../src/actors/operation-deadline.js';
import { operationSignal } from '../../src/actors/operation-signal.js';

/** The entries a signal keeps for the signals AbortSignal.any derived from it (Node keeps them under a symbol). */
function derivedSignalsKeptBy(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === 'kDependantSignals');
  const kept = key ? (signal as unknown as Record<symbol, { size?: unknown } | undefined>)[key] : undefined;
  return typeof kept?.size === 'number' ? kept.size : 0;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const aborted = (signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

describe('operationSignal', () => {
  it('aborts with the caller’s reason when the caller aborts', () => {
    const caller = new AbortController();
    const { signal } = operationSignal(caller.signal, { timeoutMs: 60_000 });
    const reason = new Error('shutting down');
    caller.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('is aborted at once when the caller already is', () => {
    const { signal } = operationSignal(AbortSignal.abort('gone'), { callerReason: (reason) => `caller: ${String(reason)}` });
    expect(signal.reason).toBe('caller: gone');
  });

  it('aborts with the timeout’s reason when the timeout runs out', async () => {
    const { signal } = operationSignal(undefined, { timeoutMs: 10, timeoutReason: () => new Error('too slow') });
    await aborted(signal);
    expect(signal.reason).toMatchObject({ message: 'too slow' });
  });

  it('still times out after garbage collections', async () => {
    let timedOut = false;
    // Held only by the listener, as a signal handed to the MCP SDK is.
    operationSignal(new AbortController().signal, { timeoutMs: 200 }).signal.addEventListener('abort', () => (timedOut = true));
    for (let i = 0; i < 5; i++) {
      collectGarbage();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expect.poll(() => timedOut, { timeout: 10_000 }).toBe(true);
  });

  it('no longer follows the caller once disposed', () => {
    const caller = new AbortController();
    const operation = operationSignal(caller.signal);
    operation.dispose();
    caller.abort();
    expect(operation.signal.aborted).toBe(false);
  });

  it('leaves no listener and no derived signal in a long-lived caller signal across many operations', async () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 1_000; i++) {
      const operation = operationSignal(shutdown.signal, { timeoutMs: 60_000 });
      // As the MCP SDK does: a listener kept on the operation's signal for its whole life.
      operation.signal.addEventListener('abort', () => undefined);
      await Promise.resolve();
      operation.dispose();
    }
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(derivedSignalsKeptBy(shutdown.signal)).toBe(0);
  });
});

describe('withDeadline', () => {
  it('rejects with OperationTimeoutError when the timeout runs out', async () => {
    await expect(withDeadline('tools/list', 10, undefined, () => new Promise(() => undefined))).rejects.toBeInstanceOf(OperationTimeoutError);
  });

  it('rejects with OperationAbortedError when the caller aborts, and lets go of the caller’s signal', async () => {
    const shutdown = new AbortController();
    for (let i = 0; i < 100; i++) await withDeadline('ping', 60_000, shutdown.signal, () => Promise.resolve(i));
    expect(getEventListeners(shutdown.signal, 'abort')).toHaveLength(0);
    expect(derivedSignalsKeptBy(shutdown.signal)).toBe(0);
    const pending = withDeadline('ping', 60_000, shutdown.signal, () => new Promise(() => undefined));
    shutdown.abort();
    await expect(pending).rejects.toBeInstanceOf(OperationAbortedError);
  });
});
