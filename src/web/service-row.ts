// A service's snapshot and its tally as the dashboard's table reads them: the fields a row shows,
// without the tools, config and server info (the detail view fetches those), so the stream stays small.

import type { ServiceTally } from '../observe/service-tallies.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import type { ServiceRow, TransitionRow } from './wire.js';

/** The row of `snapshot`; the cumulative counts from its tally (from its metadata, while it has none). */
export function toServiceRow(snapshot: ServiceSnapshot, tally: ServiceTally | undefined): ServiceRow {
  const { metadata } = snapshot;
  return {
    key: snapshot.key,
    name: snapshot.name,
    agent: snapshot.agentId,
    state: snapshot.state,
    available: snapshot.available,
    priority: snapshot.config.lifecycle.priority,
    stateSince: metadata.stateEnteredTime,
    consecutiveFailures: metadata.consecutiveFailures,
    totalFailures: tally?.failures ?? metadata.totalFailures,
    reconnects: tally?.reconnects ?? metadata.totalReconnectAttempts,
    crashes: tally?.crashes ?? 0,
    processRestarts: tally?.processRestarts ?? 0,
    availability: tally?.availability ?? null,
    lastIncident: tally?.lastIncident ? { at: tally.lastIncident.at, kind: tally.lastIncident.kind, message: tally.lastIncident.message } : null,
    recentResponseTimes: tally === undefined ? [] : [...tally.recentResponseTimes],
    responseTime: metadata.lastResponseTime,
    lastHealthCheck: metadata.lastHealthCheck,
    healthTier: metadata.healthTier,
    nextRetry: metadata.nextRetryTime,
    error: metadata.errorMessage,
    toolCount: metadata.toolCount,
  };
}

export function toTransitionRow(transition: Transition): TransitionRow {
  const { service, from, to, at, cause, reason } = transition;
  return { service, from, to, at, cause, reason };
}
