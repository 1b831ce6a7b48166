// Whether this process's event loop is responsive, for `/healthz`: the longest delay Node measured
// over the last window or two, against a bound. A blocked loop answers late, and then says so.

import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** The bound and window of an {@link EventLoopWatch}. */
export interface EventLoopWatchOptions {
  /** A delay longer than this makes the process unhealthy (default 5 s). */
  maxDelayMs?: number;
  /** How long a measured delay counts: between one and two windows (default 10 s). */
  windowMs?: number;
}

/** Measures this process's event-loop delay for `/healthz`; `stop()` ends the measuring. */
export class EventLoopWatch {
  readonly maxDelayMs: number;
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private previousMaxNs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(options: EventLoopWatchOptions = {}) {
    this.maxDelayMs = options.maxDelayMs ?? 5_000;
    this.histogram.enable();
    this.timer = setInterval(() => {
      this.previousMaxNs = this.histogram.max;
      this.histogram.reset();
    }, options.windowMs ?? 10_000);
    this.timer.unref();
  }

  /** The longest event-loop delay measured recently, in ms. */
  recentDelayMs(): number {
    return Math.max(this.previousMaxNs, this.histogram.max) / 1e6;
  }

  responsive(): boolean {
    return this.recentDelayMs() <= this.maxDelayMs;
  }

  stop(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
