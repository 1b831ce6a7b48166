// The lifecycle and health settings with their defaults: the one place these numbers live.
// Durations are milliseconds here; the YAML loader converts `30s`/`2h` strings into them.

/** The service priorities, highest first: the order in which the connect queue serves waiting services. */
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
/** One of {@link PRIORITIES}. */
export type Priority = (typeof PRIORITIES)[number];

/** Effective per-service settings the statechart reads (camelCase of the YAML keys). */
export interface LifecycleConfig {
  /** Time between pings while HEALTHY, in ms (YAML `health_check_interval`, default 30 s). */
  healthCheckInterval: number;
  /** Time between pings while WARNING, in ms (default: `healthCheckInterval`). */
  warningCheckInterval: number;
  /** Time between periodic `tools/list` refreshes, in ms (default 2 h); a `tools/list_changed` notification also refreshes. */
  toolsUpdateInterval: number;
  /** Consecutive ping failures that move HEALTHY to WARNING (default 3). */
  warningFailureThreshold: number;
  /** Consecutive ping failures that move to RECONNECTING (default 5). */
  reconnectingFailureThreshold: number;
  /** Consecutive successful pings that move WARNING back to HEALTHY (default 1). */
  recoverySuccessThreshold: number;
  /** Reconnect attempts of the short cycle before the service is UNREACHABLE (default 10). */
  maxReconnectAttempts: number;
  /** A ping slower than this, in ms, counts as failed (default 3 s). */
  pingTimeout: number;
  /** Wait before the first ping after a (re)connect, in ms (default 2 s). */
  startupWaitTime: number;
  /** Bound of one connect (handshake and the first `tools/list`), in ms (default 30 s). */
  connectTimeout: number;
  /** Time a graceful close may take before it is forced, in ms (default 10 s). */
  disconnectTimeout: number;
  /** Grace, in ms, for closing a server the lifecycle gave up on before it is killed and reconnected (default 1 s). */
  failedCloseTimeout: number;
  /** How often DISCONNECTED services are swept, in hours (default 24). */
  cleanupIntervalHours: number;
  /** A service DISCONNECTED for longer than this, in hours, is removed (default 168). */
  maxDisconnectedAgeHours: number;
  /** A ping answered within this many ms is health tier `healthy` (default 1 s). */
  healthyThreshold: number;
  /** A ping answered within this many ms (and slower than `healthyThreshold`) is tier `warning` (default 3 s). */
  warningThreshold: number;
  /** A ping answered within this many ms (and slower than `warningThreshold`) is tier `slow`; slower is `unhealthy` (default 10 s). */
  slowThreshold: number;
  /** Derive the ping timeout from recent response times (their mean × `adaptiveMultiplier`, within `pingTimeout` and `slowThreshold`); default false. */
  enableAdaptiveTimeout: boolean;
  /** Tool calls count as health signals (see the `connection` actor). */
  passiveHealth: boolean;
  /** Factor applied to the mean recent response time by the adaptive timeout (default 2). */
  adaptiveMultiplier: number;
  /** How many recent response times the adaptive timeout averages (default 10). */
  historySize: number;
  /** Order in the fleet-wide connect queue and weight of the long retry cycle (default `normal`). */
  priority: Priority;
  /** Short cycle: the wait after attempt n is this × 2^(n−1) ms, capped at `reconnectMaxDelay` (default 1 s). */
  reconnectBaseDelay: number;
  /** Longest wait of the short cycle, in ms (default 60 s). */
  reconnectMaxDelay: number;
  /** Long cycle (UNREACHABLE): the wait is this × 2^n ms, capped at `unreachableMaxDelay` (default 60 s). */
  unreachableBaseDelay: number;
  /** Longest wait of the long cycle before the priority weight, in ms (default 600 s). */
  unreachableMaxDelay: number;
  /** Retries of the long cycle before the service gives up (DISCONNECTED); 0 retries forever (default 10). */
  maxUnreachableRetries: number;
  /** Fraction by which every backoff wait is spread either way, 0–1 (default 0.2, ±20 %). */
  jitter: number;
}

const SECOND = 1000;

/** The built-in defaults. `warningCheckInterval` is absent: it follows `healthCheckInterval`. */
export const DEFAULT_LIFECYCLE_CONFIG: Readonly<Omit<LifecycleConfig, 'warningCheckInterval'>> = Object.freeze({
  healthCheckInterval: 30 * SECOND,
  toolsUpdateInterval: 2 * 60 * 60 * SECOND,
  warningFailureThreshold: 3,
  reconnectingFailureThreshold: 5,
  recoverySuccessThreshold: 1,
  maxReconnectAttempts: 10,
  pingTimeout: 3 * SECOND,
  startupWaitTime: 2 * SECOND,
  connectTimeout: 30 * SECOND,
  disconnectTimeout: 10 * SECOND,
  failedCloseTimeout: 1 * SECOND,
  cleanupIntervalHours: 24,
  maxDisconnectedAgeHours: 168,
  healthyThreshold: 1 * SECOND,
  warningThreshold: 3 * SECOND,
  slowThreshold: 10 * SECOND,
  enableAdaptiveTimeout: false,
  passiveHealth: true,
  adaptiveMultiplier: 2.0,
  historySize: 10,
  priority: 'normal',
  reconnectBaseDelay: 1 * SECOND,
  reconnectMaxDelay: 60 * SECOND,
  unreachableBaseDelay: 60 * SECOND,
  unreachableMaxDelay: 600 * SECOND,
  maxUnreachableRetries: 10,
  jitter: 0.2,
});

/** Fleet-wide supervisor settings (`supervisor:` in YAML). */
export interface SupervisorSettings {
  /** Connect attempts in flight at once across the fleet, served by priority then by age (default 8). */
  maxConcurrentConnects: number;
  /** Crashes of one service actor tolerated within `restartWindow` (default 5); one more and the service is DISCONNECTED. */
  maxRestarts: number;
  /** The window, in ms, over which `maxRestarts` is counted (default 60 s). */
  restartWindow: number;
}

/** The built-in fleet-wide settings. */
export const DEFAULT_SUPERVISOR_SETTINGS: Readonly<SupervisorSettings> = Object.freeze({
  maxConcurrentConnects: 8,
  maxRestarts: 5,
  restartWindow: 60 * SECOND,
});

/** How long `notifications/tools/list_changed` bursts are coalesced before one `tools/list`. */
export const TOOLS_CHANGED_COALESCE_MS = 1 * SECOND;

/**
 * Fills every unset (or undefined) key with its default; `warningCheckInterval` follows the health-check
 * interval. One object literal on purpose: every config then shares one compact hidden class (a spread
 * of spreads costs ~1 KB per service instead of ~0.3 KB; see bench/RESULTS.md).
 */
export function resolveLifecycleConfig(overrides: Partial<LifecycleConfig> = {}): LifecycleConfig {
  const healthCheckInterval = overrides.healthCheckInterval ?? DEFAULT_LIFECYCLE_CONFIG.healthCheckInterval;
  return {
    healthCheckInterval,
    warningCheckInterval: overrides.warningCheckInterval ?? healthCheckInterval,
    toolsUpdateInterval: overrides.toolsUpdateInterval ?? DEFAULT_LIFECYCLE_CONFIG.toolsUpdateInterval,
    warningFailureThreshold: overrides.warningFailureThreshold ?? DEFAULT_LIFECYCLE_CONFIG.warningFailureThreshold,
    reconnectingFailureThreshold: overrides.reconnectingFailureThreshold ?? DEFAULT_LIFECYCLE_CONFIG.reconnectingFailureThreshold,
    recoverySuccessThreshold: overrides.recoverySuccessThreshold ?? DEFAULT_LIFECYCLE_CONFIG.recoverySuccessThreshold,
    maxReconnectAttempts: overrides.maxReconnectAttempts ?? DEFAULT_LIFECYCLE_CONFIG.maxReconnectAttempts,
    pingTimeout: overrides.pingTimeout ?? DEFAULT_LIFECYCLE_CONFIG.pingTimeout,
    startupWaitTime: overrides.startupWaitTime ?? DEFAULT_LIFECYCLE_CONFIG.startupWaitTime,
    connectTimeout: overrides.connectTimeout ?? DEFAULT_LIFECYCLE_CONFIG.connectTimeout,
    disconnectTimeout: overrides.disconnectTimeout ?? DEFAULT_LIFECYCLE_CONFIG.disconnectTimeout,
    failedCloseTimeout: overrides.failedCloseTimeout ?? DEFAULT_LIFECYCLE_CONFIG.failedCloseTimeout,
    cleanupIntervalHours: overrides.cleanupIntervalHours ?? DEFAULT_LIFECYCLE_CONFIG.cleanupIntervalHours,
    maxDisconnectedAgeHours: overrides.maxDisconnectedAgeHours ?? DEFAULT_LIFECYCLE_CONFIG.maxDisconnectedAgeHours,
    healthyThreshold: overrides.healthyThreshold ?? DEFAULT_LIFECYCLE_CONFIG.healthyThreshold,
    warningThreshold: overrides.warningThreshold ?? DEFAULT_LIFECYCLE_CONFIG.warningThreshold,
    slowThreshold: overrides.slowThreshold ?? DEFAULT_LIFECYCLE_CONFIG.slowThreshold,
    enableAdaptiveTimeout: overrides.enableAdaptiveTimeout ?? DEFAULT_LIFECYCLE_CONFIG.enableAdaptiveTimeout,
    passiveHealth: overrides.passiveHealth ?? DEFAULT_LIFECYCLE_CONFIG.passiveHealth,
    adaptiveMultiplier: overrides.adaptiveMultiplier ?? DEFAULT_LIFECYCLE_CONFIG.adaptiveMultiplier,
    historySize: overrides.historySize ?? DEFAULT_LIFECYCLE_CONFIG.historySize,
    priority: overrides.priority ?? DEFAULT_LIFECYCLE_CONFIG.priority,
    reconnectBaseDelay: overrides.reconnectBaseDelay ?? DEFAULT_LIFECYCLE_CONFIG.reconnectBaseDelay,
    reconnectMaxDelay: overrides.reconnectMaxDelay ?? DEFAULT_LIFECYCLE_CONFIG.reconnectMaxDelay,
    unreachableBaseDelay: overrides.unreachableBaseDelay ?? DEFAULT_LIFECYCLE_CONFIG.unreachableBaseDelay,
    unreachableMaxDelay: overrides.unreachableMaxDelay ?? DEFAULT_LIFECYCLE_CONFIG.unreachableMaxDelay,
    maxUnreachableRetries: overrides.maxUnreachableRetries ?? DEFAULT_LIFECYCLE_CONFIG.maxUnreachableRetries,
    jitter: overrides.jitter ?? DEFAULT_LIFECYCLE_CONFIG.jitter,
  };
}
