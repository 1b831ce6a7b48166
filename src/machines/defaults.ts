// The lifecycle and health settings with their defaults: the one place these numbers live.
// Durations are milliseconds here; the YAML loader converts `30s`/`2h` strings into them.

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Effective per-service settings the statechart reads (camelCase of the YAML keys). */
export interface LifecycleConfig {
  healthCheckInterval: number;
  warningCheckInterval: number;
  toolsUpdateInterval: number;
  warningFailureThreshold: number;
  reconnectingFailureThreshold: number;
  recoverySuccessThreshold: number;
  maxReconnectAttempts: number;
  pingTimeout: number;
  startupWaitTime: number;
  connectTimeout: number;
  disconnectTimeout: number;
  failedCloseTimeout: number;
  cleanupIntervalHours: number;
  maxDisconnectedAgeHours: number;
  healthyThreshold: number;
  warningThreshold: number;
  slowThreshold: number;
  enableAdaptiveTimeout: boolean;
  /** Tool calls count as health signals (see the `connection` actor). */
  passiveHealth: boolean;
  adaptiveMultiplier: number;
  historySize: number;
  priority: Priority;
  reconnectBaseDelay: number;
  reconnectMaxDelay: number;
  unreachableBaseDelay: number;
  unreachableMaxDelay: number;
  maxUnreachableRetries: number;
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
  maxConcurrentConnects: number;
  maxRestarts: number;
  restartWindow: number;
}

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
