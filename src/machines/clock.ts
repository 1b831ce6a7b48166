// Time enters the statechart only through the actor system's clock: the VirtualClock in tests
// (it has `now()`), the real clock otherwise.

import type { ActorSystem, ActorSystemInfo } from 'xstate';

/**
 * Epoch milliseconds (fractional on the real clock, for sub-millisecond ping times). Only the clock is
 * read, so it takes any system that has one: XState hands actions an untyped `ActorSystem<any>`.
 */
export function clockNow(system: Pick<ActorSystem<ActorSystemInfo>, '_clock'>): number {
  const clock = system._clock as { now?: () => number };
  return typeof clock.now === 'function' ? clock.now() : performance.timeOrigin + performance.now();
}
