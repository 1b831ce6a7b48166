// How many notifications one server may send: a token bucket, refilled over time, so a server that
// floods (`list_changed` in a loop) costs the supervisor a bounded amount of work per second whatever it
// sends, while the progress and log notifications of a well-behaved one all pass.

export interface NotificationRate {
  /** Sustained notifications per second. */
  perSecond: number;
  /** Notifications that may arrive at once after a quiet period. */
  burst: number;
}

export const DEFAULT_NOTIFICATION_RATE: NotificationRate = { perSecond: 100, burst: 200 };

export class NotificationBudget {
  private tokens: number;
  private refilledAt: number;
  /** Notifications refused so far. */
  dropped = 0;

  constructor(
    private readonly rate: NotificationRate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.refilledAt = now;
  }

  /** Whether a notification arriving at `now` (ms) may pass; counts it either way. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.rate.burst, this.tokens + (elapsed * this.rate.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.dropped += 1;
    return false;
  }
}
