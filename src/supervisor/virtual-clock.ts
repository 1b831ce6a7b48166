// A clock for running statecharts in virtual time (`simulate`, benchmarks): XState's Clock interface plus
// `now()` (which the machines read), and what XState's SimulatedClock keeps private: when the next timer
// is due, and firing due timers a bounded number at a time. Timers are kept in buckets by due time, so
// firing N costs O(N): SimulatedClock re-sorts every pending timer whenever a timer it fires sets
// another, O(N² log N) for a round of N health checks.

/**
 * A clock in virtual time for a Supervisor (`{ clock }`) or a service machine (`createActor(machine, { clock })`):
 * nothing fires until the clock is moved, with `advanceTo` (every timer due by then, in order) or
 * timer by timer with `nextDue`.
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
