// Where a supervisor's time comes from: the real clock, or a virtual one that only moves when a test or a
// simulation moves it. Every timer the supervisor and its statecharts set runs on it.

/** XState's clock interface with `now()`: the real one by default, `VirtualClock` in tests. */
export interface SupervisorClock {
  /** Calls `fn` once `ms` have passed on this clock; returns an id for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set with setTimeout. */
  clearTimeout(id: unknown): void;
  /** The current time, in epoch ms. */
  now(): number;
}

/** The process's own clock. */
export const realClock: SupervisorClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
  now: () => Date.now(),
};
