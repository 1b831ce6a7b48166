// One abort signal per operation: it aborts when the caller's signal does or when the operation's own
// timeout (AbortSignal.timeout, real time) runs out, and lets go of both once the operation has settled.
// Real time is right for the actors' I/O; deadlines that must follow the supervisor's clock (virtual in
// tests and simulations) keep their timers on that clock instead.

/** setTimeout's largest delay; AbortSignal.timeout accepts larger ones, but its timer would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface OperationSignalOptions {
  /** Aborts the operation after this many ms, with `timeoutReason()` (default: the platform's TimeoutError). */
  timeoutMs?: number;
  timeoutReason?: () => unknown;
  /** The reason given when the caller aborts (default: the caller's own reason). */
  callerReason?: (reason: unknown) => unknown;
}

export interface OperationSignal {
  /** Aborts when the caller's signal does or when the timeout runs out, whichever comes first. */
  readonly signal: AbortSignal;
  /** Aborts the operation now, with `reason` (a deadline kept on another clock, such as a virtual one). */
  abort(reason: unknown): void;
  /** Stops following the caller and the timeout: call it once the operation has settled. */
  dispose(): void;
}

/**
 * A fresh signal for one operation. The caller's signal and the timeout are followed by a listener that
 * `dispose()` removes, rather than joined with `AbortSignal.any`: on Node 20, `AbortSignal.any` keeps an
 * entry in each source for every signal it makes until that source aborts (a long-lived source such as
 * an app-wide shutdown signal grows on every call, and keeps alive each derived signal someone listens
 * to, as the MCP SDK does), and it holds `AbortSignal.timeout` only weakly, so after a garbage
 * collection the joined signal may never time out. The listener also keeps the timeout signal alive
 * until it fires or the operation ends.
 */
export function operationSignal(caller: AbortSignal | undefined, options: OperationSignalOptions = {}): OperationSignal {
  const controller = new AbortController();
  const stops: (() => void)[] = [];
  const follow = (source: AbortSignal, reason: (sourceReason: unknown) => unknown) => {
    const abort = () => controller.abort(reason(source.reason));
    if (source.aborted) return abort();
    source.addEventListener('abort', abort, { once: true });
    stops.push(() => source.removeEventListener('abort', abort));
  };
  if (caller) follow(caller, options.callerReason ?? ((reason) => reason));
  const { timeoutMs, timeoutReason } = options;
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    const delay = timeoutMs > 0 ? Math.min(Math.ceil(timeoutMs), MAX_TIMER_MS) : 0;
    follow(AbortSignal.timeout(delay), timeoutReason ? () => timeoutReason() : (reason) => reason);
  }
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => {
      for (const stop of stops.splice(0)) stop();
    },
  };
}
