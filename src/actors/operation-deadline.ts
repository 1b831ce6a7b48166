// Every network or process operation of the actors is bounded: by its own timeout, and by the caller's
// abort signal (XState aborts a promise actor when its state is left). Here is the one place that does it.

import { abortReason } from './abort-reason.js';
import { OperationAbortedError, OperationTimeoutError } from './errors.js';
import { MAX_TIMER_MS, operationSignal } from './operation-signal.js';

/**
 * Runs `run` with a signal that aborts after `timeoutMs` or when `signal` aborts, and settles at that
 * moment with `OperationTimeoutError` / `OperationAbortedError` even if `run` has not noticed yet.
 * `run` must release what it opened once its signal aborts.
 */
export async function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = operationSignal(signal, {
    timeoutMs,
    timeoutReason: () => new OperationTimeoutError(operation, timeoutMs),
    callerReason: () => new OperationAbortedError(operation),
  });
  try {
    return await untilAborted(run(deadline.signal), deadline.signal);
  } finally {
    deadline.dispose();
  }
}

/** `work`, or a rejection with the signal's reason as soon as it aborts; `work`'s late failure is dropped. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** Waits for `work` to settle, but no longer than `ms`; never rejects. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    }),
  ]);
  clearTimeout(timer);
}
