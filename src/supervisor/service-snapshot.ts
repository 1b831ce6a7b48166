// What the supervisor publishes about one service: its lifecycle state, its metadata, its
// tools and its (redacted) config — a plain, immutable view of the service actor's snapshot.

import type { TransportConfig } from '../config/transport.js';
import type { LifecycleConfig } from '../machines/defaults.js';
import type { ServiceContext } from '../machines/service.context.js';
import { AVAILABLE_STATES, type ServiceState } from '../machines/service.machine.js';
import type { ServerInfo, ToolDescriptor } from '../machines/service-io.js';

/**
 * What the statechart records about the service (times in epoch ms, durations in ms), with the protocol
 * generation (`legacy` / `modern`) and revision its last connect negotiated.
 */
export type ServiceMetadata = Pick<
  ServiceContext,
  | 'consecutiveFailures'
  | 'consecutiveSuccesses'
  | 'lastPingTime'
  | 'lastSuccessTime'
  | 'lastFailureTime'
  | 'responseTime'
  | 'errorMessage'
  | 'reconnectAttempts'
  | 'unreachableRetries'
  | 'nextRetryTime'
  | 'stateEnteredTime'
  | 'disconnectReason'
  | 'serviceName'
  | 'agentId'
  | 'lastHealthCheck'
  | 'lastResponseTime'
  | 'healthTier'
  | 'toolCount'
  | 'totalHealthChecks'
  | 'totalFailures'
  | 'totalReconnectAttempts'
  | 'connectedTime'
  | 'protocolEra'
  | 'protocolVersion'
>;

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
  /** Secrets (env and header values) are redacted. */
  readonly config: { readonly transport: TransportConfig; readonly lifecycle: LifecycleConfig };
}

export function toServiceSnapshot(state: ServiceState, context: ServiceContext): ServiceSnapshot {
  return {
    key: context.serviceKey,
    name: context.serviceName,
    agentId: context.agentId,
    state,
    available: AVAILABLE_STATES.includes(state),
    metadata: {
      consecutiveFailures: context.consecutiveFailures,
      consecutiveSuccesses: context.consecutiveSuccesses,
      lastPingTime: context.lastPingTime,
      lastSuccessTime: context.lastSuccessTime,
      lastFailureTime: context.lastFailureTime,
      responseTime: context.responseTime,
      errorMessage: context.errorMessage,
      reconnectAttempts: context.reconnectAttempts,
      unreachableRetries: context.unreachableRetries,
      nextRetryTime: context.nextRetryTime,
      stateEnteredTime: context.stateEnteredTime,
      disconnectReason: context.disconnectReason,
      serviceName: context.serviceName,
      agentId: context.agentId,
      lastHealthCheck: context.lastHealthCheck,
      lastResponseTime: context.lastResponseTime,
      healthTier: context.healthTier,
      toolCount: context.toolCount,
      totalHealthChecks: context.totalHealthChecks,
      totalFailures: context.totalFailures,
      totalReconnectAttempts: context.totalReconnectAttempts,
      connectedTime: context.connectedTime,
      protocolEra: context.protocolEra,
      protocolVersion: context.protocolVersion,
    },
    serverInfo: context.serverInfo,
    tools: context.tools,
    config: { transport: context.transport, lifecycle: context.config },
  };
}
