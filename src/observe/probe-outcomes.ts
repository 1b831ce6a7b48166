// What health checks a service ran between two of its published snapshots, read from the counters
// the statechart keeps (checks in total, the current streak of passes or failures, the last response
// time). Pure: the metrics count failures and time probes from it.

import type { ServiceMetadata } from '../supervisor/service-snapshot.js';

/** The metadata fields the outcomes are read from. */
export type ProbeCounters = Pick<
  ServiceMetadata,
  'totalHealthChecks' | 'consecutiveFailures' | 'consecutiveSuccesses' | 'responseTime'
>;

/** Health checks finished between two snapshots of one service. */
export interface ProbeOutcomes {
  passed: number;
  failed: number;
  /**
   * The response time (ms) of the latest check when it passed with a probe answered on the wire; null
   * when it failed, or when a tool call answered for it.
   */
  timedMs: number | null;
}

const NONE: ProbeOutcomes = Object.freeze({ passed: 0, failed: 0, timedMs: null });

/**
 * The checks `after` records beyond `before` (undefined: the service is new, or its actor was replaced
 * and counts from zero again). Exact while at most one streak boundary falls between the two snapshots,
 * which holds unless several checks of one service finish within one batch window of `services$`.
 * `answeredByCall`: a successful tool call stood in for the probe (passive health), so no round trip
 * was timed.
 */
export function probeOutcomes(before: ProbeCounters | undefined, after: ProbeCounters, answeredByCall = false): ProbeOutcomes {
  const base = before !== undefined && after.totalHealthChecks >= before.totalHealthChecks ? before : undefined;
  const checks = after.totalHealthChecks - (base?.totalHealthChecks ?? 0);
  if (checks <= 0) return NONE;
  const lastFailed = after.consecutiveFailures > 0;
  const streak = Math.min(checks, lastFailed ? after.consecutiveFailures : after.consecutiveSuccesses);
  // A streak shorter than the checks means the latest ones broke an opposite streak.
  const [passed, failed] = lastFailed ? [checks - streak, streak] : [streak, checks - streak];
  const timedMs = !lastFailed && !answeredByCall ? after.responseTime : null;
  return { passed, failed, timedMs };
}
