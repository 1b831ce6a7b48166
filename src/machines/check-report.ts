// What the service statechart tells its owner about each health check and each connect attempt, the
// moment it ends (`actor.on('probe', …)`, `actor.on('connect', …)`): the facts as the chart judged them,
// not read back from its counters afterwards. Plain data.

import type { HealthTier } from './health-tier.js';

/**
 * How one health check ended:
 * - `ok`: the probe was answered (a JSON-RPC "method not found" answer counts: the server is alive);
 * - `answered_by_call`: passive health: a tool call succeeded since the last probe, so none was sent;
 * - `failed`: the probe failed (an error answer, a broken connection);
 * - `timed_out`: no answer within the ping timeout;
 * - `call_failed`: passive health: a tool call failed at the transport level, which counts as a failed check.
 */
export const PROBE_OUTCOMES = ['ok', 'answered_by_call', 'failed', 'timed_out', 'call_failed'] as const;
/** One of {@link PROBE_OUTCOMES}. */
export type ProbeOutcome = (typeof PROBE_OUTCOMES)[number];

/** Why a health check or connect attempt failed. */
export interface CheckFailure {
  /** The error's stable code (e.g. `OPERATION_TIMEOUT`, `CONNECTION_LOST`, `MCP_REQUEST_FAILED`); null when it had none. */
  code: string | null;
  /** The error's message, secret-free, as the service's `errorMessage` shows it. */
  message: string;
}

/** One finished health check, as the statechart emits it (`type: 'probe'`). */
export interface ProbeReport {
  type: 'probe';
  /** How the check ended. */
  outcome: ProbeOutcome;
  /** When it ended: epoch ms of the actor system's clock. */
  at: number;
  /** From the probe's send to its outcome, in ms; null when no probe was sent (`answered_by_call`, `call_failed`). */
  durationMs: number | null;
  /** The round trip the connection measured (the chart's clock when it did not say); null unless `ok`. */
  responseTime: number | null;
  /** The tier of `responseTime`; `unhealthy` for a failed check; null when nothing was timed (`answered_by_call`). */
  tier: HealthTier | null;
  /** Why it failed; null when it passed. */
  failure: CheckFailure | null;
}

/** One finished connect attempt, as the statechart emits it (`type: 'connect'`). */
export interface ConnectReport {
  type: 'connect';
  /** 0 for the first connect (INITIALIZING), then the attempt's number within its reconnect cycle. */
  attempt: number;
  /** When it ended: epoch ms of the actor system's clock. */
  at: number;
  /** Why it failed; null when it connected. */
  failure: CheckFailure | null;
}

/** What a service actor emits. */
export type ServiceEmitted = ProbeReport | ConnectReport;
