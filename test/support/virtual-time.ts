// Moving XState's SimulatedClock forward the way real time would: timer by timer, letting the
// promises each timer starts settle before the next one fires.

import type { SimulatedClock } from 'xstate';

interface PendingTimeout {
  start: number;
  timeout: number;
}

/** Lets every settled promise deliver its result to the actors before time moves on. */
export const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface VirtualTime {
  /** Moves virtual time forward by `ms`, firing each due timer in order and letting I/O settle. */
  advance: (ms: number) => Promise<void>;
  /** Advances until `predicate` holds (checked after each timer), up to `limitMs`; returns the time taken. */
  advanceUntil: (predicate: () => boolean, limitMs: number) => Promise<number>;
  /** Timers still scheduled on the clock. */
  pendingTimers: () => number;
}

export function virtualTime(clock: SimulatedClock): VirtualTime {
  const pending = () => [...(clock as unknown as { timeouts: Map<number, PendingTimeout> }).timeouts.values()];
  const nextDue = () => Math.min(...pending().map((t) => t.start + t.timeout));
  return {
    async advance(ms) {
      const target = clock.now() + ms;
      for (let steps = 0; steps < 100_000; steps++) {
        await flush();
        const due = nextDue();
        if (!(due <= target)) break;
        clock.set(Math.max(due, clock.now()));
      }
      clock.set(target);
      await flush();
    },
    async advanceUntil(predicate, limitMs) {
      const start = clock.now();
      const limit = start + limitMs;
      for (let steps = 0; steps < 100_000 && !predicate(); steps++) {
        await flush();
        if (predicate()) break;
        const due = nextDue();
        if (!(due <= limit)) throw new Error(`condition not met within ${limitMs} ms of virtual time`);
        clock.set(Math.max(due, clock.now()));
        await flush();
      }
      return clock.now() - start;
    },
    pendingTimers: () => pending().length,
  };
}
