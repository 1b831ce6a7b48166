// Time enters the statechart only through the actor system's clock: XState's `SimulatedClock` in tests
// (it has `now()`), the real clock otherwise.

import type { ActorSystem, ActorSystemInfo } from 'xstate';

/** Epoch milliseconds (fractional on the real clock, for sub-millisecond ping times). */
export function clockNow(system: ActorSystem<ActorSystemInfo>): number {
  const clock = system._clock as { now?: () => number };
  return typeof clock.now === 'function' ? clock.now() : performance.timeOrigin + performance.now();
}
