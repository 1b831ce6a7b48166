// Three profiles that MCPStore's lifecycle design names (critical, normal, background), shipped as
// built-ins so a service can say `profile: critical` without defining it. A `profiles:` entry of the same
// name replaces the built-in one whole. They set thresholds and the check interval as that design does, and the
// priority their name promises (the order of reconnects and the weight of long-cycle backoff).

import type { LifecycleConfig } from '../machines/defaults.js';

export const BUILT_IN_PROFILES: Readonly<Record<string, Readonly<Partial<LifecycleConfig>>>> = Object.freeze({
  /** Fail fast: warn on the first failed ping, reconnect on the second, try hard to come back. */
  critical: Object.freeze({
    warningFailureThreshold: 1,
    reconnectingFailureThreshold: 2,
    maxReconnectAttempts: 20,
    healthCheckInterval: 10_000,
    priority: 'critical',
  }),
  /** The document's defaults, spelled out. */
  normal: Object.freeze({
    warningFailureThreshold: 3,
    reconnectingFailureThreshold: 5,
    maxReconnectAttempts: 10,
    healthCheckInterval: 30_000,
    priority: 'normal',
  }),
  /** Tolerant and quiet: check every minute, give up reconnecting sooner. */
  background: Object.freeze({
    warningFailureThreshold: 5,
    reconnectingFailureThreshold: 10,
    maxReconnectAttempts: 5,
    healthCheckInterval: 60_000,
    priority: 'low',
  }),
});
