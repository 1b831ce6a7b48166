// A tool call's own bound through the gateway: so long without news from its server. Each progress
// notification restarts it. While the server waits on its client's answers (a person filling in a form,
// a model sampling), it does not run: that wait is the client's, and has its own bound, the input wait.

/** A tool call's time bound, as an AbortSignal that also follows the call's own cancellation. */
export class CallTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  /** Requests of the server that its client has not answered yet. */
  private holds = 0;
  private ranOut = false;
  private readonly stopFollowing: () => void;

  constructor(
    /** How long the call may go without news from its server, in ms. */
    readonly ms: number,
    /** The call's cancellation (its client cancelled, or never came back). */
    cancelled: AbortSignal,
  ) {
    const cancel = () => this.end(cancelled.reason);
    if (cancelled.aborted) cancel();
    cancelled.addEventListener('abort', cancel, { once: true });
    this.stopFollowing = () => cancelled.removeEventListener('abort', cancel);
  }

  /** Aborts when the call is cancelled or runs out of time. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the call ran out of time (rather than being cancelled). */
  get expired(): boolean {
    return this.ranOut;
  }

  /** The call is sent: the bound runs from now. */
  start(): void {
    this.started = true;
    this.arm();
  }

  /** News from the server (progress): the bound starts again. */
  restart(): void {
    this.arm();
  }

  /** The server asked its client something: the bound waits until the returned function says it was answered. */
  hold(): () => void {
    this.holds += 1;
    this.disarm();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      // An answer is news too: the server has the whole bound again to use it.
      this.arm();
    };
  }

  /** The call ended: no timer is left behind. */
  dispose(): void {
    this.disarm();
    this.stopFollowing();
  }

  private arm(): void {
    this.disarm();
    if (!this.started || this.holds > 0 || this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.ranOut = true;
      this.end(new Error(`no result or progress from the server within ${this.ms} ms`));
    }, this.ms);
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private end(reason: unknown): void {
    this.disarm();
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
