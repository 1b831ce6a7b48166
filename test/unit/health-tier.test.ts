// Health tiers: response-time tiers, the adaptive ping timeout and its history.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/machines/defaults.js';
import { healthTier, pingTimeoutFor, rememberResponseTime } from '../../src/machines/health-tier.js';

const defaults = DEFAULT_LIFECYCLE_CONFIG;
const adaptive = { ...defaults, enableAdaptiveTimeout: true };

describe('health tier of a successful ping', () => {
  it.each([
    [0, 'healthy'],
    [1_000, 'healthy'],
    [1_000.5, 'warning'],
    [3_000, 'warning'],
    [3_001, 'slow'],
    [10_000, 'slow'],
    [10_000.1, 'unhealthy'],
    [60_000, 'unhealthy'],
  ] as const)('classifies %s ms as %s (boundaries 1 / 3 / 10 s, inclusive)', (responseTime, tier) => {
    expect(healthTier(responseTime, defaults)).toBe(tier);
  });

  it('follows configured thresholds', () => {
    const thresholds = { healthyThreshold: 10, warningThreshold: 20, slowThreshold: 30 };
    expect([10, 11, 20, 21, 30, 31].map((time) => healthTier(time, thresholds))).toEqual([
      'healthy',
      'warning',
      'warning',
      'slow',
      'slow',
      'unhealthy',
    ]);
  });

  it('never gets better as the response gets slower', () => {
    const rank = { healthy: 0, warning: 1, slow: 2, unhealthy: 3 } as const;
    fc.assert(
      fc.property(fc.nat(100_000), fc.nat(100_000), (a, b) => {
        const [fast, slow] = a <= b ? [a, b] : [b, a];
        expect(rank[healthTier(fast, defaults)]).toBeLessThanOrEqual(rank[healthTier(slow, defaults)]);
      }),
    );
  });
});

describe('ping timeout', () => {
  const history = fc.array(fc.nat(60_000), { maxLength: 30 });

  it('is ping_timeout when the adaptive timeout is off (the default), whatever the history', () => {
    expect(defaults.enableAdaptiveTimeout).toBe(false);
    fc.assert(
      fc.property(history, (times) => {
        expect(pingTimeoutFor(times, defaults)).toBe(defaults.pingTimeout);
      }),
    );
  });

  it('is ping_timeout while there is no history yet', () => {
    expect(pingTimeoutFor([], adaptive)).toBe(3_000);
  });

  it('is mean × adaptive_multiplier when that falls between ping_timeout and slow_threshold', () => {
    expect(pingTimeoutFor([2_000, 4_000], adaptive)).toBe(6_000);
  });

  it('never drops below ping_timeout: a fast service is not timed out early', () => {
    expect(pingTimeoutFor([50, 50, 50], adaptive)).toBe(3_000);
  });

  it('never exceeds slow_threshold: a consistently slow service keeps passing, up to the slow tier', () => {
    expect(pingTimeoutFor([9_000, 9_000], adaptive)).toBe(10_000);
  });

  it('is clamp(mean of the last history_size × multiplier, ping_timeout, slow_threshold)', () => {
    const settings = fc.record({
      pingTimeout: fc.integer({ min: 1, max: 10_000 }),
      slowThreshold: fc.integer({ min: 1, max: 20_000 }),
      adaptiveMultiplier: fc.double({ min: 0.1, max: 5, noNaN: true }),
      historySize: fc.integer({ min: 1, max: 20 }),
    });
    fc.assert(
      fc.property(settings, fc.array(fc.nat(60_000), { minLength: 1, maxLength: 40 }), (config, times) => {
        const timeout = pingTimeoutFor(times, { ...config, enableAdaptiveTimeout: true });
        const recent = times.slice(-config.historySize);
        const mean = recent.reduce((sum, time) => sum + time, 0) / recent.length;
        const ceiling = Math.max(config.pingTimeout, config.slowThreshold);
        expect(timeout).toBeCloseTo(Math.min(Math.max(mean * config.adaptiveMultiplier, config.pingTimeout), ceiling), 6);
        expect(timeout).toBeGreaterThanOrEqual(config.pingTimeout);
        expect(timeout).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('averages only the last history_size response times', () => {
    expect(pingTimeoutFor([60_000, 60_000, 1_500, 2_500], { ...adaptive, historySize: 2 })).toBe(4_000);
  });
});

describe('response-time history', () => {
  it('keeps the last history_size response times, newest last', () => {
    let history: number[] = [];
    for (let time = 1; time <= 12; time++) history = rememberResponseTime(history, time, 10);
    expect(history).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('appends and trims for any history and size', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 30 }), fc.nat(), fc.integer({ min: 1, max: 20 }), (history, time, size) => {
        const next = rememberResponseTime(history, time, size);
        expect(next).toHaveLength(Math.min(history.length + 1, size));
        expect(next).toEqual([...history, time].slice(-size));
        expect(history).not.toBe(next);
      }),
    );
  });

  it('keeps at least the newest response time even with history_size 0', () => {
    expect(rememberResponseTime([1, 2], 3, 0)).toEqual([3]);
  });
});
