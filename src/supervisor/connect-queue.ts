// The fleet-wide connect queue: at most `maxConcurrent` connect attempts at once, served by priority
// (critical, high, normal, low) and then by the time each became due. 1,000 services failing together
// never open more than the cap. The statechart stays pure: the connect actor acquires a slot here.

import { abortReason } from '../actors/abort-reason.js';
import { ConfigError } from '../config/errors.js';
import { PRIORITIES, type Priority } from '../machines/defaults.js';

interface Waiter {
  priority: number;
  due: number;
  order: number;
  grant: (release: () => void) => void;
}

export class ConnectQueue {
  private active = 0;
  private order = 0;
  private readonly waiting: Waiter[] = [];
  /** Most slots ever held at once (for tests and metrics). */
  peak = 0;

  constructor(private maxConcurrent: number) {
    this.resize(maxConcurrent);
  }

  /** Changes the cap (a config reload); attempts already holding a slot keep it. */
  resize(maxConcurrent: number): void {
    if (!(maxConcurrent >= 1)) {
      const message = `must be ≥ 1, got ${maxConcurrent}`;
      throw new ConfigError([{ file: null, line: null, column: null, path: 'supervisor.max_concurrent_connects', message }]);
    }
    this.maxConcurrent = maxConcurrent;
    this.dispatch();
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free. An abort before that removes the request
   * and rejects with the signal's reason; release is idempotent.
   */
  acquire(priority: Priority, signal?: AbortSignal, due = Date.now()): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { priority: PRIORITIES.indexOf(priority), due, order: this.order++, grant: resolve };
      const onAbort = () => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(abortReason(signal));
      };
      waiter.grant = (release) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.insert(waiter);
      this.dispatch();
    });
  }

  /** Runs `task` holding a slot. */
  async run<T>(priority: Priority, signal: AbortSignal | undefined, task: () => Promise<T>): Promise<T> {
    const release = await this.acquire(priority, signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private insert(waiter: Waiter) {
    const before = (a: Waiter, b: Waiter) =>
      a.priority !== b.priority ? a.priority < b.priority : a.due !== b.due ? a.due < b.due : a.order < b.order;
    let index = this.waiting.length;
    while (index > 0 && before(waiter, this.waiting[index - 1] as Waiter)) index--;
    this.waiting.splice(index, 0, waiter);
  }

  private dispatch() {
    while (this.active < this.maxConcurrent && this.waiting.length > 0) {
      const next = this.waiting.shift() as Waiter;
      this.active++;
      this.peak = Math.max(this.peak, this.active);
      let released = false;
      next.grant(() => {
        if (released) return;
        released = true;
        this.active--;
        this.dispatch();
      });
    }
  }
}
