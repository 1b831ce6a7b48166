// The seeded jitter source (injectable, so tests are deterministic).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextRandom, seedFromString } from '../../src/machines/random.js';

/** `count` draws from `seed`, threading the state as the statechart does. */
function draws(seed: number, count: number): number[] {
  const values: number[] = [];
  let state = seed;
  for (let i = 0; i < count; i++) {
    const draw = nextRandom(state);
    values.push(draw.value);
    state = draw.state;
  }
  return values;
}

describe('seeded random source', () => {
  it('draws values in [0, 1) from any seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (seed) => {
        for (const value of draws(seed, 50)) {
          expect(value).toBeGreaterThanOrEqual(0);
          expect(value).toBeLessThan(1);
        }
      }),
    );
  });

  it('is deterministic per seed, and different seeds give different sequences', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        expect(draws(seed, 20)).toEqual(draws(seed, 20));
      }),
    );
    expect(draws(1, 20)).not.toEqual(draws(2, 20));
  });

  it('keeps its whole state in one 32-bit integer, so a snapshot holding it serialises', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { state } = nextRandom(seed);
        expect(Number.isInteger(state)).toBe(true);
        expect(state).toBe(state | 0);
        expect(JSON.parse(JSON.stringify({ state }))).toEqual({ state });
      }),
    );
  });

  it('is roughly uniform: 10 000 draws fill 10 equal buckets evenly, mean ≈ 0.5', () => {
    const values = draws(seedFromString('uniformity'), 10_000);
    const buckets = new Array<number>(10).fill(0);
    for (const value of values) buckets[Math.floor(value * 10)] = (buckets[Math.floor(value * 10)] ?? 0) + 1;
    // χ² with 9 degrees of freedom: 27.9 is the 0.1 % critical value.
    const chiSquare = buckets.reduce((sum, count) => sum + (count - 1_000) ** 2 / 1_000, 0);
    expect(chiSquare).toBeLessThan(27.9);
    for (const count of buckets) expect(count).toBeGreaterThan(850);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });
});

describe('seed from a service key', () => {
  it('is stable and a 32-bit integer', () => {
    expect(seedFromString('filesystem')).toBe(seedFromString('filesystem'));
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(seedFromString(text)).toBe(seedFromString(text) | 0);
      }),
    );
  });

  it('differs between services, so each jitters differently by default', () => {
    const seeds = Array.from({ length: 1000 }, (_, i) => seedFromString(`service-${i}`));
    expect(new Set(seeds).size).toBe(1000);
    expect(seedFromString('agent-a/search')).not.toBe(seedFromString('agent-b/search'));
  });
});
