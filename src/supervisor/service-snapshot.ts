// What the supervisor publishes about one service: its lifecycle state, its metadata, its
// tools and its (redacted) config — a plain, immutable view of the service actor's snapshot.

import type { RedactedTransportConfig } from '../config/transport.js';
import type { LifecycleConfig } from '../machines/defaults.js';
import { healthTier, type HealthTier } from '../machines/health-tier.js';
import type { HealthRecord, ServiceContext } from '../machines/service.context.js';
import { AVAILABLE_STATES, type ServiceState } from '../machines/service.machine.js';
import type { ProtocolEra, ServerInfo, ToolDescriptor } from '../machines/service-io.js';

/**
 * What the statechart records about the service (times in epoch ms, durations in ms), with the protocol
 * generation (`legacy` / `modern`) and revision its last connect negotiated.
 */
export interface ServiceMetadata {
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the last health probe was sent. */
  lastPingTime: number | null;
  lastSuccessTime: number | null;
  lastFailureTime: number | null;
  /** Response time of the last health check; null when it failed. */
  responseTime: number | null;
  errorMessage: string | null;
  reconnectAttempts: number;
  unreachableRetries: number;
  /** When the next reconnect attempt is due (RECONNECTING / UNREACHABLE), else null. */
  nextRetryTime: number | null;
  stateEnteredTime: number;
  disconnectReason: string | null;
  serviceName: string;
  agentId: string | null;
  /** When the last health check finished, pass or fail. */
  lastHealthCheck: number | null;
  /** Response time of the last successful probe. */
  lastResponseTime: number | null;
  /** The tier of the last health check: by its response time, `unhealthy` when it failed; null before the first. */
  healthTier: HealthTier | null;
  toolCount: number;
  /** Health checks completed over the service's life, pass or fail. */
  totalHealthChecks: number;
  /** Failed health checks and connect attempts over the service's life. */
  totalFailures: number;
  /** Reconnect attempts over the service's life. */
  totalReconnectAttempts: number;
  connectedTime: number | null;
  protocolEra: ProtocolEra | null;
  protocolVersion: string | null;
}

export interface ServiceSnapshot {
  /** Fleet-wide key: `name`, or `agent/name` in an agent's scope. */
  readonly key: string;
  readonly name: string;
  readonly agentId: string | null;
  readonly state: ServiceState;
  /** Tools may be called (HEALTHY, or WARNING: partially available). */
  readonly available: boolean;
  readonly metadata: Readonly<ServiceMetadata>;
  readonly serverInfo: ServerInfo | null;
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

export function toServiceSnapshot(state: ServiceState, context: ServiceContext): ServiceSnapshot {
  const { health, retry, connection } = context;
  return {
    key: context.serviceKey,
    name: context.serviceName,
    agentId: context.agentId,
    state,
    available: AVAILABLE_STATES.includes(state),
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
    // The service context keeps its transport as redactTransport returned it.
    config: { transport: context.transport as RedactedTransportConfig, lifecycle: context.config },
  };
}
