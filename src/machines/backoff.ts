// Backoff policy: the short cycle (RECONNECTING), the long cycle (UNREACHABLE) and jitter.
// Pure functions; randomness comes in as a number in [0, 1) so callers choose the source.

import type { LifecycleConfig, Priority } from './defaults.js';

/** Long-cycle weights by priority: critical services retry sooner, low ones later. */
export const PRIORITY_WEIGHTS: Readonly<Record<Priority, number>> = Object.freeze({
  critical: 0.5,
  high: 0.7,
  normal: 1.0,
  low: 1.5,
});

/** The settings of the short (RECONNECTING) backoff cycle. */
export type ShortCycle = Pick<LifecycleConfig, 'reconnectBaseDelay' | 'reconnectMaxDelay'>;
/** The settings of the long (UNREACHABLE) backoff cycle. */
export type LongCycle = Pick<LifecycleConfig, 'unreachableBaseDelay' | 'unreachableMaxDelay' | 'priority'>;

/**
 * Wait after the `failedAttempts`-th failed reconnect attempt before the next one (the first attempt
 * runs at once): `min(base × 2^(failedAttempts−1), max)`.
 */
export function reconnectDelay(failedAttempts: number, config: ShortCycle): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(config.reconnectBaseDelay * 2 ** exponent, config.reconnectMaxDelay);
}

/** Wait in UNREACHABLE before long-cycle retry `retriesSoFar + 1`: `min(base × 2^n, max) × weight`. */
export function unreachableDelay(retriesSoFar: number, config: LongCycle): number {
  const capped = Math.min(config.unreachableBaseDelay * 2 ** Math.max(0, retriesSoFar), config.unreachableMaxDelay);
  return capped * PRIORITY_WEIGHTS[config.priority];
}

/**
 * Spreads `delay` uniformly over `delay × (1 ± jitter)` using `unit` ∈ [0, 1), rounded to whole ms,
 * so a thousand services failing together do not retry in lock-step.
 */
export function applyJitter(delay: number, jitter: number, unit: number): number {
  const spread = Math.min(Math.max(jitter, 0), 1);
  return Math.max(0, Math.round(delay * (1 + spread * (2 * unit - 1))));
}

/** The un-jittered short-cycle waits, in order: iterate it to see the schedule (1 s, 2 s, 4 s … max). */
export function* reconnectSchedule(config: ShortCycle, attempts = Infinity): Generator<number> {
  for (let failed = 1; failed <= attempts; failed++) yield reconnectDelay(failed, config);
}

/** The un-jittered long-cycle waits, in order (60 s, 120 s … 600 s, × the priority weight). */
export function* unreachableSchedule(config: LongCycle, retries = Infinity): Generator<number> {
  for (let n = 0; n < retries; n++) yield unreachableDelay(n, config);
}
