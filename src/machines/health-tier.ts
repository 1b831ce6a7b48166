// Health tiers: classify a ping by response time, and the (optional) adaptive ping timeout.

import type { LifecycleConfig } from './defaults.js';

/** The health tiers, fastest first: a ping is classed by its response time (see `healthyThreshold` and the next two). */
export const HEALTH_TIERS = ['healthy', 'warning', 'slow', 'unhealthy'] as const;
/** One of {@link HEALTH_TIERS}. */
export type HealthTier = (typeof HEALTH_TIERS)[number];

/** The response-time bounds of the health tiers. */
export type TierThresholds = Pick<LifecycleConfig, 'healthyThreshold' | 'warningThreshold' | 'slowThreshold'>;

/** Tier of a ping that answered after `responseTime` ms; a failed ping is `unhealthy` by definition. */
export function healthTier(responseTime: number, thresholds: TierThresholds): HealthTier {
  if (responseTime <= thresholds.healthyThreshold) return 'healthy';
  if (responseTime <= thresholds.warningThreshold) return 'warning';
  if (responseTime <= thresholds.slowThreshold) return 'slow';
  return 'unhealthy';
}

/** What the (adaptive) ping timeout is computed from. */
export type TimeoutSettings = Pick<
  LifecycleConfig,
  'pingTimeout' | 'slowThreshold' | 'enableAdaptiveTimeout' | 'adaptiveMultiplier' | 'historySize'
>;

/**
 * The timeout for the next ping. Adaptive: mean of the recent response times × multiplier, clamped to
 * [pingTimeout, slowThreshold] — never below `pingTimeout` (MCPStore's had no floor), so a consistently
 * slow service keeps passing while a fast one is never timed out early.
 */
export function pingTimeoutFor(recentResponseTimes: readonly number[], settings: TimeoutSettings): number {
  if (!settings.enableAdaptiveTimeout || recentResponseTimes.length === 0) return settings.pingTimeout;
  const recent = recentResponseTimes.slice(-settings.historySize);
  const mean = recent.reduce((sum, time) => sum + time, 0) / recent.length;
  const ceiling = Math.max(settings.pingTimeout, settings.slowThreshold);
  return Math.min(Math.max(mean * settings.adaptiveMultiplier, settings.pingTimeout), ceiling);
}

/** Appends a response time, keeping only the last `historySize`. */
export function rememberResponseTime(history: readonly number[], responseTime: number, historySize: number): number[] {
  return [...history, responseTime].slice(-Math.max(1, historySize));
}
