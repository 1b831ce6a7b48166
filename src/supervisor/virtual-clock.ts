// The one clock for running statecharts in virtual time (tests, `simulate`, benchmarks): XState's Clock
// interface plus `now()` (which the machines read), when the next timer is due, and moving time either
// synchronously (`advanceTo`) or the way real time passes, timer by timer with the promises each one
// starts settled in between (`advance`, `advanceUntil`). Timers are kept in buckets by due time, so
// firing N costs O(N): XState's SimulatedClock re-sorts every pending timer whenever a timer it fires
// sets another, O(N² log N) for a round of N health checks.

/** Timers one `advance` or `advanceUntil` may fire before it gives up on a loop that never ends. */
const MAX_ADVANCE_STEPS = 1_000_000;

/**
 * Lets every promise that can settle now settle, and the actors hear of it, before time moves on: one
 * turn of the event loop (after the microtasks, and the I/O callbacks already due).
 */
export const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock in virtual time for a Supervisor (`{ clock }`) or a service machine (`createActor(machine, { clock })`):
 * nothing fires until the clock is moved. `advance(ms)` and `advanceUntil(predicate, limitMs)` move it
 * as real time would pass, one timer at a time with the promises it started settled before the next
 * (what a test of I/O wants); `advanceTo` fires every timer due by then at once, synchronously (what a
 * benchmark of the statecharts alone wants).
 *
 * @example
 * ```ts
 * const clock = new VirtualClock(Date.parse('2026-01-01'));
 * const supervisor = await createSupervisor(config, { clock, connections });
 * supervisor.start();
 * await clock.advanceUntil(() => supervisor.getServiceInfo('db').state === 'HEALTHY', 60_000);
 * ```
 */
export class VirtualClock {
  private time: number;
  private nextId = 1;
  /** Due time → (timer id → callback), in the order the timers were set. */
  private readonly buckets = new Map<number, Map<number, () => void>>();
  private readonly dueOf = new Map<number, number>();
  /** The due times that have a bucket, ascending. */
  private readonly dues: number[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  /** The virtual time, in ms. */
  now(): number {
    return this.time;
  }

  /** Calls `fn` when the clock is moved to `ms` from now or past it; returns the timer's id. */
  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    const due = this.time + Math.max(0, ms);
    let bucket = this.buckets.get(due);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(due, bucket);
      this.dues.splice(this.indexOf(due), 0, due);
    }
    bucket.set(id, fn);
    this.dueOf.set(id, due);
    return id;
  }

  /** Cancels a pending timer (an unknown id is ignored). */
  clearTimeout(id: unknown): void {
    if (typeof id !== 'number') return;
    const due = this.dueOf.get(id);
    if (due === undefined) return;
    this.dueOf.delete(id);
    const bucket = this.buckets.get(due);
    bucket?.delete(id);
    if (bucket?.size === 0) this.dropBucket(due);
  }

  /** When the earliest pending timer is due; null when none is pending. */
  nextDue(): number | null {
    return this.dues[0] ?? null;
  }

  /** How many timers are pending. */
  get pending(): number {
    return this.dueOf.size;
  }

  /**
   * Moves time forward to `time`, firing every timer due by then in due order (timers they set fire
   * too when due by then), synchronously; returns how many fired. At most `limit` fire.
   */
  advanceTo(time: number, limit = 10_000_000): number {
    let fired = 0;
    while (fired < limit) {
      const due = this.dues[0];
      if (due === undefined || due > time) break;
      this.time = due;
      const bucket = this.buckets.get(due) as Map<number, () => void>;
      for (const [id, fn] of bucket) {
        if (fired >= limit) break;
        bucket.delete(id);
        this.dueOf.delete(id);
        fired += 1;
        fn();
      }
      if (bucket.size === 0 && this.buckets.get(due) === bucket) this.dropBucket(due);
    }
    this.time = Math.max(this.time, time);
    return fired;
  }

  /**
   * Moves time forward by `ms` as real time would pass: each due timer fires in turn, and the promises
   * it started settle before the next one fires (so a connect that answers after 100 ms does, before a
   * 200 ms timeout). Resolves at `now() + ms`, with everything due by then fired and settled.
   */
  async advance(ms: number): Promise<void> {
    const target = this.time + Math.max(0, ms);
    await this.fireUntil(target, () => false);
    this.time = Math.max(this.time, target);
    await settle();
  }

  /**
   * Moves time forward as `advance` does until `predicate` holds (checked before time moves and after
   * each timer), but no further than `limitMs` from now; resolves with the virtual time it took. Rejects
   * when `limitMs` passes first, leaving the clock at the last timer it fired.
   */
  async advanceUntil(predicate: () => boolean, limitMs: number): Promise<number> {
    const start = this.time;
    await settle();
    if (await this.fireUntil(start + limitMs, predicate)) return this.time - start;
    throw new Error(`the condition was not met within ${limitMs} ms of virtual time`);
  }

  /** Fires due timers one at a time, settling after each, until `stop()` or none is due by `time`. */
  private async fireUntil(time: number, stop: () => boolean): Promise<boolean> {
    for (let steps = 0; steps < MAX_ADVANCE_STEPS; steps += 1) {
      await settle();
      if (stop()) return true;
      const due = this.nextDue();
      if (due === null || due > time) return false;
      this.advanceTo(due, 1);
    }
    throw new Error(`virtual time did not settle within ${MAX_ADVANCE_STEPS} timers: a timer keeps setting another that is due at once`);
  }

  private dropBucket(due: number) {
    this.buckets.delete(due);
    const index = this.indexOf(due);
    if (this.dues[index] === due) this.dues.splice(index, 1);
  }

  /** Where `due` is, or would go, in the ascending `dues`. */
  private indexOf(due: number): number {
    let low = 0;
    let high = this.dues.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.dues[middle] as number) < due) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
