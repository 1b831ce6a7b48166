// What one service's statechart knows: its lifecycle metadata, grouped by how often it changes, plus the
// effective config and the few numbers its delays are computed from. Plain data only, so snapshots serialise.

import type { TransportConfig } from '../config/transport.js';
import { resolveLifecycleConfig, type LifecycleConfig } from './defaults.js';
import { redactTransport, type RedactedTransportConfig } from './redacted-transport.js';
import { seedFromString } from './random.js';
import { serviceKey } from './service-key.js';
import type { TransitionCause } from './transition-cause.js';
import type { NegotiatedProtocol, ServerInfo, ToolDescriptor } from './service-io.js';

/** What a service machine is started with (`createActor(serviceMachine, { input })`). */
export interface ServiceMachineInput {
  /** The service's name; with `agentId` it makes the fleet key. */
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

/**
 * Times are epoch milliseconds from the actor system's clock; durations are milliseconds.
 *
 * Fourteen top-level keys, the fast-changing ones grouped: XState's `assign` copies the context with
 * `Object.assign({}, context, update)`, and V8 keeps such a copy in fast mode only up to 19 properties.
 * Each group is replaced whole when it changes. The flat metadata users see is the snapshot's public
 * view (src/supervisor/service-snapshot.ts).
 */
export interface ServiceContext {
  /** The service's name. */
  serviceName: string;
  /** The agent whose scope the service belongs to; null for the global scope. */
  agentId: string | null;
  /** The fleet key: `name` in the global scope, `agent/name` in an agent's. */
  serviceKey: string;
  /** The effective settings: the input's, with every unset one at its default. */
  config: LifecycleConfig;
  /** The service's transport with env and header values redacted. */
  transport: RedactedTransportConfig;
  /** What the health checks found. */
  health: HealthRecord;
  /** The reconnect cycles in progress. */
  retry: RetryRecord;
  /** The live connection, and what the last connect negotiated. */
  connection: ConnectionRecord;
  /** The cached tool list. */
  tools: ToolsRecord;
  /** The last failure's message (secret-free); null when none is current. */
  errorMessage: string | null;
  /** Why the service was stopped or gave up, as a sentence; null while it runs. */
  disconnectReason: string | null;
  /** When the service entered its current lifecycle state. */
  stateEnteredTime: number;
  /** A RESTART arrived while active: DISCONNECTING continues into INITIALIZING. */
  restartRequested: boolean;
  /** Why the service entered its current lifecycle state (set on the edge that decided it). */
  cause: TransitionCause;
}

/** What the health checks found; changes with every check. */
export interface HealthRecord {
  /** Failed health checks in a row (reset by a success). */
  consecutiveFailures: number;
  /** Successful health checks in a row (reset by a failure). */
  consecutiveSuccesses: number;
  /** When the last health probe was sent. */
  lastPingTime: number | null;
  /** When a health check last passed. */
  lastSuccessTime: number | null;
  /** When a health check last failed. */
  lastFailureTime: number | null;
  /** Response time of the last health check; null when it failed. */
  responseTime: number | null;
  /** Response time of the last successful probe. */
  lastResponseTime: number | null;
  /** When the last health check finished, pass or fail. */
  lastHealthCheck: number | null;
  /** Health checks completed over the service's life, pass or fail (never reset; for metrics). */
  totalHealthChecks: number;
  /** Probe failures and failed connect attempts over the service's life (never reset; for metrics). */
  totalFailures: number;
  /** Recent probe response times, for the adaptive timeout. */
  responseHistory: readonly number[];
}

/** The reconnect cycles: attempts, the wait in progress, and the jitter source. */
export interface RetryRecord {
  /** Attempts made in the current short reconnect cycle (RECONNECTING). */
  reconnectAttempts: number;
  /** Retries made in the long cycle (UNREACHABLE). */
  unreachableRetries: number;
  /** When the next reconnect attempt is due (RECONNECTING / UNREACHABLE), else null. */
  nextRetryTime: number | null;
  /** The backoff wait in progress (jitter applied), for `reconnectBackoff` / `unreachableBackoff`. */
  delay: number | null;
  /** Reconnect attempts over the service's life (never reset; for metrics). */
  totalReconnectAttempts: number;
  /** State of the seeded jitter source (see random.ts). */
  randomState: number;
}

/** The live connection (ids and data only; the client lives in the actors), and what it negotiated. */
export interface ConnectionRecord {
  /** Opaque id of the live connection; null when there is none. */
  id: string | null;
  /** When the live connection was opened; null when there is none. */
  connectedTime: number | null;
  /** What the last connect found; kept after the connection ends. */
  serverInfo: ServerInfo | null;
  /** The era and revision the last connect negotiated; kept after the connection ends. */
  protocol: NegotiatedProtocol | null;
}

/** The cached tool list and the bookkeeping of its refreshes. */
export interface ToolsRecord {
  /** The tools the server listed last. */
  list: readonly ToolDescriptor[];
  /** When the list was last fetched; null before the first. */
  updatedTime: number | null;
  /** Time left until the periodic tools refresh, for `toolsRefreshDue`. */
  refreshDelay: number;
  /** `tools/list_changed` notifications received (monotonic). */
  changes: number;
  /** How many of those the cached list already reflects; fewer than `changes` = stale. */
  listedChanges: number;
  /** How many of those the `tools/list` in flight will reflect. */
  listingChanges: number;
}

export function initialServiceContext(input: ServiceMachineInput, now: number): ServiceContext {
  const agentId = input.agentId ?? null;
  const key = serviceKey(input.serviceName, agentId);
  return {
    serviceName: input.serviceName,
    agentId,
    serviceKey: key,
    config: resolveLifecycleConfig(input.config),
    transport: redactTransport(input.transport),
    health: {
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      lastPingTime: null,
      lastSuccessTime: null,
      lastFailureTime: null,
      responseTime: null,
      lastResponseTime: null,
      lastHealthCheck: null,
      totalHealthChecks: 0,
      totalFailures: 0,
      responseHistory: [],
    },
    retry: {
      reconnectAttempts: 0,
      unreachableRetries: 0,
      nextRetryTime: null,
      delay: null,
      totalReconnectAttempts: 0,
      randomState: input.randomSeed ?? seedFromString(key),
    },
    connection: { id: null, connectedTime: null, serverInfo: null, protocol: null },
    tools: { list: [], updatedTime: null, refreshDelay: 0, changes: 0, listedChanges: 0, listingChanges: 0 },
    errorMessage: null,
    disconnectReason: null,
    stateEnteredTime: now,
    restartRequested: false,
    cause: 'registered',
  };
}
