// What the supervisor publishes about one service: its lifecycle state, its metadata, its
// tools and its (redacted) config — a plain, immutable view of the service actor's snapshot.

import type { RedactedTransportConfig } from '../config/transport.js';
import type { LifecycleConfig } from '../machines/defaults.js';
import { healthTier, type HealthTier } from '../machines/health-tier.js';
import type { HealthRecord, ServiceContext } from '../machines/service.context.js';
import type { ServiceState } from '../machines/service.machine.js';
import type { ProtocolEra, ServerInfo, ToolDescriptor } from '../machines/service-io.js';

/**
 * What the statechart records about the service (times in epoch ms, durations in ms), with the protocol
 * generation (`legacy` / `modern`) and revision its last connect negotiated.
 */
export interface ServiceMetadata {
  /** Failed health checks in a row (0 after a success). */
  consecutiveFailures: number;
  /** Successful health checks in a row (0 after a failure). */
  consecutiveSuccesses: number;
  /** When the last health probe was sent. */
  lastPingTime: number | null;
  /** When a health check last passed. */
  lastSuccessTime: number | null;
  /** When a health check or connect last failed. */
  lastFailureTime: number | null;
  /** Response time of the last health check; null when it failed. */
  responseTime: number | null;
  /** The last failure, as a user reads it (secrets redacted); null again after a successful connect. */
  errorMessage: string | null;
  /** Reconnect attempts of the current short cycle (RECONNECTING). */
  reconnectAttempts: number;
  /** Long-cycle retries so far (UNREACHABLE). */
  unreachableRetries: number;
  /** When the next reconnect attempt is due (RECONNECTING / UNREACHABLE), else null. */
  nextRetryTime: number | null;
  /** When the service entered its current state. */
  stateEnteredTime: number;
  /** Why it is DISCONNECTING or DISCONNECTED (stopped, gave up, crashed too often); else null. */
  disconnectReason: string | null;
  /** The service's name within its scope. */
  serviceName: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  agentId: string | null;
  /** When the last health check finished, pass or fail. */
  lastHealthCheck: number | null;
  /** Response time of the last successful probe. */
  lastResponseTime: number | null;
  /** The tier of the last health check: by its response time, `unhealthy` when it failed; null before the first. */
  healthTier: HealthTier | null;
  /** How many tools its last `tools/list` returned. */
  toolCount: number;
  /** Health checks completed over the service's life, pass or fail. */
  totalHealthChecks: number;
  /** Failed health checks and connect attempts over the service's life. */
  totalFailures: number;
  /** Reconnect attempts over the service's life. */
  totalReconnectAttempts: number;
  /** When the current connection was established; null while not connected. */
  connectedTime: number | null;
  /** The protocol generation the last connect negotiated: `legacy` (initialize, sessions) or `modern`. */
  protocolEra: ProtocolEra | null;
  /** The protocol revision the last connect negotiated (e.g. `2025-11-25`). */
  protocolVersion: string | null;
}

/** One service as `services$`, `listServices` and `getServiceInfo` show it: a plain, immutable view. */
export interface ServiceSnapshot {
  /** Fleet-wide key: `name`, or `agent/name` in an agent's scope. */
  readonly key: string;
  /** The service's name within its scope. */
  readonly name: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  readonly agentId: string | null;
  /** Its lifecycle state. */
  readonly state: ServiceState;
  /** Tools may be called (HEALTHY, or WARNING: partially available). */
  readonly available: boolean;
  /** What the statechart records: counters, times, the last error, the next retry, the protocol. */
  readonly metadata: Readonly<ServiceMetadata>;
  /** What the server said of itself at its last connect; null before the first. */
  readonly serverInfo: ServerInfo | null;
  /** The tools of its last `tools/list`. */
  readonly tools: readonly ToolDescriptor[];
  /** Secrets (env and header values, a URL's credentials and keys) are redacted: not a config to add a service with. */
  readonly config: { readonly transport: RedactedTransportConfig; readonly lifecycle: LifecycleConfig };
}

/**
 * The tier of the last health check: `unhealthy` when it failed, by its response time when it passed
 * (a check a tool call stood in for keeps the last timed one's); null before the first timed check.
 */
function tierOf(health: HealthRecord, config: LifecycleConfig): HealthTier | null {
  if (health.lastHealthCheck === null) return null;
  if (health.consecutiveFailures > 0) return 'unhealthy';
  return health.responseTime === null ? null : healthTier(health.responseTime, config);
}

/** What one service actor's snapshot says: its lifecycle state, whether it is available (tagged so), its context. */
export interface ServiceReading {
  readonly state: ServiceState;
  readonly available: boolean;
  readonly context: ServiceContext;
}

export function toServiceSnapshot({ state, available, context }: ServiceReading): ServiceSnapshot {
  const { health, retry, connection } = context;
  return {
    key: context.serviceKey,
    name: context.serviceName,
    agentId: context.agentId,
    state,
    available,
    metadata: {
      consecutiveFailures: health.consecutiveFailures,
      consecutiveSuccesses: health.consecutiveSuccesses,
      lastPingTime: health.lastPingTime,
      lastSuccessTime: health.lastSuccessTime,
      lastFailureTime: health.lastFailureTime,
      responseTime: health.responseTime,
      errorMessage: context.errorMessage,
      reconnectAttempts: retry.reconnectAttempts,
      unreachableRetries: retry.unreachableRetries,
      nextRetryTime: retry.nextRetryTime,
      stateEnteredTime: context.stateEnteredTime,
      disconnectReason: context.disconnectReason,
      serviceName: context.serviceName,
      agentId: context.agentId,
      lastHealthCheck: health.lastHealthCheck,
      lastResponseTime: health.lastResponseTime,
      healthTier: tierOf(health, context.config),
      toolCount: context.tools.list.length,
      totalHealthChecks: health.totalHealthChecks,
      totalFailures: health.totalFailures,
      totalReconnectAttempts: retry.totalReconnectAttempts,
      connectedTime: connection.connectedTime,
      protocolEra: connection.protocol?.era ?? null,
      protocolVersion: connection.protocol?.version ?? null,
    },
    serverInfo: connection.serverInfo,
    tools: context.tools.list,
    config: { transport: context.transport, lifecycle: context.config },
  };
}
