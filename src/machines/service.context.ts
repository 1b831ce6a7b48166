// What one service's statechart knows: its lifecycle metadata (ServiceStateMetadata) plus the effective
// config and the few numbers its delays are computed from. Plain data only, so snapshots serialise.

import { redactTransport, type TransportConfig } from '../config/transport.js';
import { resolveLifecycleConfig, type LifecycleConfig } from './defaults.js';
import type { HealthTier } from './health-tier.js';
import { seedFromString } from './random.js';
import { serviceKey } from './service-key.js';
import type { ProtocolEra, ServerInfo, ToolDescriptor } from './service-io.js';

export interface ServiceMachineInput {
  serviceName: string;
  /** The agent whose scope the service belongs to; null or absent for the global store. */
  agentId?: string | null;
  /** Shown (redacted) in every snapshot; the actors that connect hold the real one. */
  transport: TransportConfig;
  /** Per-service settings; anything unset takes the built-in default (defaults.ts). */
  config?: Partial<LifecycleConfig>;
  /** Seed of the jitter source; defaults to a hash of the service key, so services differ. */
  randomSeed?: number;
}

/** Times are epoch milliseconds from the actor system's clock; durations are milliseconds. */
export interface ServiceContext {
  serviceName: string;
  agentId: string | null;
  serviceKey: string;
  config: LifecycleConfig;
  /** The service's transport with env and header values redacted. */
  transport: TransportConfig;

  // ServiceStateMetadata: what every snapshot shows about the service
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** When the last ping was sent. */
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
  /** When the last health check finished, pass or fail. */
  lastHealthCheck: number | null;
  /** Response time of the last successful ping. */
  lastResponseTime: number | null;
  healthTier: HealthTier | null;
  toolCount: number;
  /** Health checks completed over the service's life, pass or fail (never reset; for metrics). */
  totalHealthChecks: number;
  /** Ping failures and failed connect attempts over the service's life (never reset; for metrics). */
  totalFailures: number;
  /** Reconnect attempts over the service's life (never reset; for metrics). */
  totalReconnectAttempts: number;

  // The live connection (ids and data only; the client lives in the actors)
  connectionId: string | null;
  connectedTime: number | null;
  serverInfo: ServerInfo | null;
  /** The protocol generation and revision the last connect negotiated; null before the first. */
  protocolEra: ProtocolEra | null;
  protocolVersion: string | null;
  tools: ToolDescriptor[];
  toolsUpdatedTime: number | null;

  // What the named delays read
  /** The backoff wait in progress (jitter applied), for `reconnectBackoff` / `unreachableBackoff`. */
  retryDelay: number | null;
  /** Time left until the periodic tools refresh, for `toolsRefreshDue`. */
  toolsRefreshDelay: number;
  /** Recent ping response times, for the adaptive timeout. */
  responseHistory: number[];
  /** State of the seeded jitter source (see random.ts). */
  randomState: number;
  /** A RESTART arrived while active: DISCONNECTING continues into INITIALIZING. */
  restartRequested: boolean;
  /** `tools/list_changed` notifications received (monotonic). */
  toolsChanges: number;
  /** How many of those the cached tool list already reflects; fewer than `toolsChanges` = stale. */
  toolsListedChanges: number;
  /** How many of those the `tools/list` in flight will reflect. */
  toolsListingChanges: number;
}

/** The counters a fresh connection or a restart starts from. */
export const RESET_COUNTERS = {
  consecutiveFailures: 0,
  consecutiveSuccesses: 0,
  reconnectAttempts: 0,
  unreachableRetries: 0,
  nextRetryTime: null,
  retryDelay: null,
} as const satisfies Partial<ServiceContext>;

export function initialServiceContext(input: ServiceMachineInput, now: number): ServiceContext {
  const agentId = input.agentId ?? null;
  const key = serviceKey(input.serviceName, agentId);
  return {
    serviceName: input.serviceName,
    agentId,
    serviceKey: key,
    config: resolveLifecycleConfig(input.config),
    transport: redactTransport(input.transport),
    ...RESET_COUNTERS,
    lastPingTime: null,
    lastSuccessTime: null,
    lastFailureTime: null,
    responseTime: null,
    errorMessage: null,
    stateEnteredTime: now,
    disconnectReason: null,
    lastHealthCheck: null,
    lastResponseTime: null,
    healthTier: null,
    toolCount: 0,
    totalHealthChecks: 0,
    totalFailures: 0,
    totalReconnectAttempts: 0,
    connectionId: null,
    connectedTime: null,
    serverInfo: null,
    protocolEra: null,
    protocolVersion: null,
    tools: [],
    toolsUpdatedTime: null,
    toolsRefreshDelay: 0,
    responseHistory: [],
    randomState: input.randomSeed ?? seedFromString(key),
    restartRequested: false,
    toolsChanges: 0,
    toolsListedChanges: 0,
    toolsListingChanges: 0,
  };
}
