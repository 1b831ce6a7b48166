// A service's snapshot as the dashboard's table reads it: the fields a row shows, without the tools,
// config and server info (the detail view fetches those), so the stream stays small.

import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import type { ServiceRow, TransitionRow } from './wire.js';

export function toServiceRow(snapshot: ServiceSnapshot): ServiceRow {
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
    totalFailures: metadata.totalFailures,
    reconnects: metadata.totalReconnectAttempts,
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
