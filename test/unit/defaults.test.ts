// The documented defaults, in milliseconds (the YAML `30s` / `2h` become these numbers).

import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIFECYCLE_CONFIG,
  DEFAULT_SUPERVISOR_SETTINGS,
  PRIORITIES,
  resolveLifecycleConfig,
  TOOLS_CHANGED_COALESCE_MS,
} from '../../src/machines/defaults.js';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

describe('service defaults', () => {
  it('has every default of the spec', () => {
    expect(resolveLifecycleConfig()).toEqual({
      healthCheckInterval: 30 * SECOND,
      toolsUpdateInterval: 2 * HOUR,
      warningFailureThreshold: 3,
      reconnectingFailureThreshold: 5,
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
      warningCheckInterval: 30 * SECOND,
      recoverySuccessThreshold: 1,
      reconnectBaseDelay: 1 * SECOND,
      reconnectMaxDelay: 60 * SECOND,
      unreachableBaseDelay: 60 * SECOND,
      unreachableMaxDelay: 600 * SECOND,
      maxUnreachableRetries: 10,
      jitter: 0.2,
    });
  });

  it('has the fleet-wide supervisor defaults: 8 concurrent connects, 5 restarts per 60 s', () => {
    expect(DEFAULT_SUPERVISOR_SETTINGS).toEqual({ maxConcurrentConnects: 8, maxRestarts: 5, restartWindow: 60 * SECOND });
  });

  it('coalesces tools/list_changed within 1 s', () => {
    expect(TOOLS_CHANGED_COALESCE_MS).toBe(1 * SECOND);
  });

  it('knows the four priorities, normal by default', () => {
    expect(PRIORITIES).toEqual(['critical', 'high', 'normal', 'low']);
    expect(DEFAULT_LIFECYCLE_CONFIG.priority).toBe('normal');
  });

  it('cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_LIFECYCLE_CONFIG)).toBe(true);
    expect(Object.isFrozen(DEFAULT_SUPERVISOR_SETTINGS)).toBe(true);
  });
});

describe('resolving a service config', () => {
  it('keeps what is set and fills the rest with defaults', () => {
    const config = resolveLifecycleConfig({ pingTimeout: 500, priority: 'critical' });
    expect(config).toEqual({ ...resolveLifecycleConfig(), pingTimeout: 500, priority: 'critical' });
  });

  it('makes warning_check_interval follow health_check_interval unless it is set', () => {
    expect(resolveLifecycleConfig({ healthCheckInterval: 5 * SECOND }).warningCheckInterval).toBe(5 * SECOND);
    expect(
      resolveLifecycleConfig({ healthCheckInterval: 5 * SECOND, warningCheckInterval: 1 * SECOND }).warningCheckInterval,
    ).toBe(1 * SECOND);
    expect(resolveLifecycleConfig({ warningCheckInterval: 7 * SECOND }).healthCheckInterval).toBe(30 * SECOND);
  });

  it('ignores keys given as undefined (an absent YAML key is not a zero)', () => {
    expect(
      resolveLifecycleConfig({ pingTimeout: undefined, healthCheckInterval: undefined, warningCheckInterval: undefined }),
    ).toEqual(resolveLifecycleConfig());
    expect(resolveLifecycleConfig({ healthCheckInterval: 4 * SECOND, warningCheckInterval: undefined }).warningCheckInterval).toBe(
      4 * SECOND,
    );
  });

  it('keeps falsy values that are set: 0 retries (never give up), jitter 0, adaptive timeout off', () => {
    const config = resolveLifecycleConfig({ maxUnreachableRetries: 0, jitter: 0, enableAdaptiveTimeout: false });
    expect(config).toMatchObject({ maxUnreachableRetries: 0, jitter: 0, enableAdaptiveTimeout: false });
  });

  it('does not modify the overrides it is given', () => {
    const overrides = { healthCheckInterval: 5 * SECOND, pingTimeout: undefined };
    resolveLifecycleConfig(overrides);
    expect(overrides).toEqual({ healthCheckInterval: 5 * SECOND, pingTimeout: undefined });
  });
});
