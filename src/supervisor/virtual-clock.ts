// A clock for running statecharts in virtual time: XState's Clock interface plus `now()` (which the
// machines read), and the two things XState's SimulatedClock keeps private: when the next timer is due,
// and firing the timers due, one at a time, in order.

interface Timer {
  id: number;
  due: number;
  fn: () => void;
}

export class VirtualClock {
  private time: number;
  private nextId = 0;
  private readonly timers = new Map<number, Timer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { id, due: this.time + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.timers.delete(id);
  }

  /** When the earliest pending timer is due; null when none is pending. */
  nextDue(): number | null {
    let earliest: number | null = null;
    for (const timer of this.timers.values()) if (earliest === null || timer.due < earliest) earliest = timer.due;
    return earliest;
  }

  /** Moves time forward to `time` (never backwards), firing nothing. */
  advanceTo(time: number): void {
    this.time = Math.max(this.time, time);
  }

  /** Fires the earliest timer due by now (ties: the first set); false when none is due. */
  fireDue(): boolean {
    let first: Timer | null = null;
    for (const timer of this.timers.values()) {
      if (timer.due > this.time) continue;
      if (first === null || timer.due < first.due || (timer.due === first.due && timer.id < first.id)) first = timer;
    }
    if (!first) return false;
    this.timers.delete(first.id);
    first.fn();
    return true;
  }
}
