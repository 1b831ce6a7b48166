// Backoff timing: the short (RECONNECTING) and long (UNREACHABLE) backoff cycles and their jitter.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyJitter,
  PRIORITY_WEIGHTS,
  reconnectDelay,
  reconnectSchedule,
  unreachableDelay,
  unreachableSchedule,
} from '../../src/machines/backoff.js';
import { DEFAULT_LIFECYCLE_CONFIG, PRIORITIES, type Priority } from '../../src/machines/defaults.js';
import { nextRandom, seedFromString } from '../../src/machines/random.js';
import { serviceKey } from '../../src/machines/service-key.js';

const seconds = (...values: number[]) => values.map((value) => value * 1000);

describe('RECONNECTING backoff (short cycle)', () => {
  it('waits 1, 2, 4 … s, capped at 60 s', () => {
    expect([...reconnectSchedule(DEFAULT_LIFECYCLE_CONFIG, 8)]).toEqual(seconds(1, 2, 4, 8, 16, 32, 60, 60));
  });

  it('is min(reconnect_base_delay × 2^(attempt−1), reconnect_max_delay) for any base and cap', () => {
    const config = { reconnectBaseDelay: 250, reconnectMaxDelay: 3000 };
    expect([...reconnectSchedule(config, 6)]).toEqual([250, 500, 1000, 2000, 3000, 3000]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.nat(100_000), fc.nat(1_000_000), (attempt, base, max) => {
        const delay = reconnectDelay(attempt, { reconnectBaseDelay: base, reconnectMaxDelay: max });
        expect(delay).toBe(Math.min(base * 2 ** (attempt - 1), max));
      }),
    );
  });

  it('keeps the cap however many attempts have failed', () => {
    expect(reconnectDelay(1_000, DEFAULT_LIFECYCLE_CONFIG)).toBe(60_000);
    expect(reconnectDelay(10_000, DEFAULT_LIFECYCLE_CONFIG)).toBe(60_000);
  });
});

describe('UNREACHABLE backoff (long cycle, smart reconnection)', () => {
  const weighted = (priority: Priority) => ({ ...DEFAULT_LIFECYCLE_CONFIG, priority });

  it('uses the priority weights: critical 0.5, high 0.7, normal 1.0, low 1.5', () => {
    expect(PRIORITY_WEIGHTS).toEqual({ critical: 0.5, high: 0.7, normal: 1.0, low: 1.5 });
  });

  it.each(PRIORITIES)('waits 60, 120, 240, 480 s, capped at 600 s, × the %s weight', (priority) => {
    const weight = PRIORITY_WEIGHTS[priority];
    expect([...unreachableSchedule(weighted(priority), 6)]).toEqual(
      seconds(60, 120, 240, 480, 600, 600).map((delay) => delay * weight),
    );
  });

  it('retries a critical service twice as soon as a normal one, and a low one 1.5× later', () => {
    for (let retries = 0; retries < 8; retries++) {
      const normal = unreachableDelay(retries, weighted('normal'));
      expect(unreachableDelay(retries, weighted('critical'))).toBe(normal / 2);
      expect(unreachableDelay(retries, weighted('low'))).toBe(normal * 1.5);
    }
  });
});

describe('backoff jitter', () => {
  const within = (delay: number, jitter: number, value: number) =>
    value >= Math.max(0, Math.floor(delay * (1 - jitter))) && value <= Math.ceil(delay * (1 + jitter));

  it('stays within delay × (1 ± jitter) for any delay, jitter and draw', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000_000),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (delay, jitter, unit) => {
          const value = applyJitter(delay, jitter, unit);
          expect(Number.isInteger(value)).toBe(true);
          expect(within(delay, jitter, value)).toBe(true);
        },
      ),
    );
  });

  it('is deterministic for a given draw, and spans the range from its low end to its high end', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (delay, unit) => {
        expect(applyJitter(delay, 0.2, unit)).toBe(applyJitter(delay, 0.2, unit));
      }),
    );
    expect(applyJitter(60_000, 0.2, 0)).toBe(48_000);
    expect(applyJitter(60_000, 0.2, 0.5)).toBe(60_000);
    expect(applyJitter(60_000, 0.2, 0.999_999_9)).toBe(72_000);
  });

  it('leaves the delay exact when jitter is 0', () => {
    expect(applyJitter(1_234, 0, 0.9)).toBe(1_234);
  });

  it('treats a jitter outside [0, 1] as its nearest bound (never a negative delay)', () => {
    expect(applyJitter(1_000, -0.5, 0)).toBe(1_000);
    expect(applyJitter(1_000, 5, 0)).toBe(0);
    expect(applyJitter(1_000, 5, 0.75)).toBe(1_500);
  });

  describe('with the seeded random source, 1000 services failing at once', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => serviceKey(`service-${i}`, i % 2 === 0 ? null : `agent-${i % 7}`));
    const firstDraws = keys.map((key) => nextRandom(seedFromString(key)).value);

    it('do not retry the long cycle in lock-step: ≥ 900 distinct delays, none outside 60 s ± 20 %', () => {
      const delays = firstDraws.map((unit) => applyJitter(60_000, 0.2, unit));
      expect(new Set(delays).size).toBeGreaterThanOrEqual(900);
      for (const delay of delays) expect(within(60_000, 0.2, delay)).toBe(true);
    });

    it('spread the 1 s short-cycle wait over its whole 800–1200 ms window', () => {
      const delays = firstDraws.map((unit) => applyJitter(1_000, 0.2, unit));
      const perMs = new Map<number, number>();
      for (const delay of delays) perMs.set(delay, (perMs.get(delay) ?? 0) + 1);
      for (const delay of delays) expect(within(1_000, 0.2, delay)).toBe(true);
      expect(perMs.size).toBeGreaterThanOrEqual(300); // of 401 possible whole-ms values
      expect(Math.max(...perMs.values())).toBeLessThanOrEqual(10); // no ms shared by more than 1 %
      expect(Math.min(...delays)).toBeLessThan(820);
      expect(Math.max(...delays)).toBeGreaterThan(1_180);
    });

    it('give the same service the same delays on every run (deterministic per key)', () => {
      const again = keys.map((key) => nextRandom(seedFromString(key)).value);
      expect(again).toEqual(firstDraws);
    });
  });
});
