// Delivery of notifications to one sink, off the supervision path: a bounded queue (when full, the
// oldest is dropped and counted), one send at a time, retries with jittered exponential backoff on the
// supervisor's clock, every failure logged with the sink's secrets redacted and counted.

import { redactSecrets } from '../actors/redact-secrets.js';
import { applyJitter } from '../machines/backoff.js';
import type { AlertNotification } from './alert-notification.js';
import type { AlertSink } from './alert-sink.js';

/** What became of one notification (or one attempt at it). */
export const DELIVERY_OUTCOMES = ['delivered', 'retried', 'failed', 'dropped'] as const;
/** One of {@link DELIVERY_OUTCOMES}. */
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** The timers deliveries and alert rules run on (the supervisor's clock). */
export interface DeliveryTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** The queue bound, attempts, timers and observers of an {@link AlertDelivery}. */
export interface DeliveryOptions {
  queueSize: number;
  maxAttempts: number;
  timers: DeliveryTimers;
  /** Jitter source, 0–1 (default Math.random). */
  random?: () => number;
  /** Told of every outcome (the metrics count them). */
  onOutcome?: (sink: string, outcome: DeliveryOutcome) => void;
  /** Told of every failure, in a sentence with the secrets redacted. */
  log?: (line: string) => void;
}

const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
const JITTER = 0.2;

/** The wait before attempt `attempt + 1` (1 s, 2 s, 4 s … 60 s, ±20 %). */
export function retryDelay(attempt: number, random: () => number): number {
  return applyJitter(Math.min(BASE_DELAY_MS * 2 ** (attempt - 1), MAX_DELAY_MS), JITTER, random());
}

/** The delivery queue of one sink: bounded, one send at a time, retried with jittered backoff. */
export class AlertDelivery {
  private readonly queue: AlertNotification[] = [];
  private sending = false;
  private closed = false;
  private retryTimer: unknown = null;
  private wake: (() => void) | null = null;
  /** Resolves when the queue is empty and nothing is being sent (for tests and shutdown). */
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly sink: AlertSink,
    private readonly options: DeliveryOptions,
  ) {}

  /** Notifications waiting (not counting the one being sent). */
  get queued(): number {
    return this.queue.length;
  }

  /** Queues a notification and returns at once; the send happens later. */
  enqueue(notification: AlertNotification): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.queueSize) {
      this.queue.shift();
      this.report('dropped');
      this.options.log?.(`alert sink '${this.sink.name}': queue full (${this.options.queueSize}); dropped the oldest undelivered notification`);
    }
    this.queue.push(notification);
    if (!this.sending) void this.drain();
  }

  /** Resolves once every queued notification was delivered or given up. */
  idle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops: no new sends or retries; what is queued is dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    if (this.retryTimer !== null) this.options.timers.clearTimeout(this.retryTimer);
    this.wake?.();
    this.sink.close();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (!this.closed) {
        const next = this.queue.shift();
        if (!next) break;
        await this.deliver(next);
      }
    } finally {
      this.sending = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async deliver(notification: AlertNotification): Promise<void> {
    const { maxAttempts } = this.options;
    for (let attempt = 1; !this.closed; attempt++) {
      try {
        await this.sink.send(notification);
        this.report('delivered');
        return;
      } catch (error) {
        const why = redactSecrets(error instanceof Error ? error.message : String(error), this.sink.secrets);
        if (attempt >= maxAttempts) {
          this.report('failed');
          this.options.log?.(`alert sink '${this.sink.name}' (${this.sink.target}): gave up after ${attempt} attempts: ${why}`);
          return;
        }
        const delay = retryDelay(attempt, this.options.random ?? Math.random);
        this.report('retried');
        this.options.log?.(`alert sink '${this.sink.name}' (${this.sink.target}): attempt ${attempt} of ${maxAttempts} failed: ${why}; retrying in ${(delay / 1000).toFixed(1)} s`);
        await this.sleep(delay);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.retryTimer = this.options.timers.setTimeout(() => {
        this.retryTimer = null;
        this.wake = null;
        resolve();
      }, ms);
    });
  }

  private report(outcome: DeliveryOutcome) {
    try {
      this.options.onOutcome?.(this.sink.name, outcome);
    } catch {
      // Counting must not stop delivery.
    }
  }
}
