// Durations are numbers of seconds, or strings with units.

import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/index.js';

describe('parseDuration', () => {
  it.each([
    [30, 30_000],
    [0.5, 500],
    [2.0, 2_000],
    ['250ms', 250],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m 30s', 90_000],
    [' 10 s ', 10_000],
    ['-5s', -5_000],
  ])('reads %j as %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ ok: true, ms });
  });

  it('rounds to whole milliseconds', () => {
    expect(parseDuration(0.0004)).toEqual({ ok: true, ms: 0 });
    expect(parseDuration('1.0006s')).toEqual({ ok: true, ms: 1_001 });
  });

  it('asks for a unit when a quoted number has none', () => {
    expect(parseDuration('30')).toEqual({ ok: false, message: '"30" has no unit: write 30s or 30ms (an unquoted number means seconds)' });
  });

  it.each(['30 seconds', '5 min', 's', '', '1x', '10s30', 'ms5'])('rejects %j', (input) => {
    const result = parseDuration(input);
    expect(result.ok).toBe(false);
  });

  it('rejects what is neither a number nor a string', () => {
    expect(parseDuration(true).ok).toBe(false);
    expect(parseDuration(Number.NaN).ok).toBe(false);
    expect(parseDuration(Number.POSITIVE_INFINITY).ok).toBe(false);
  });
});

describe('formatDuration', () => {
  it.each([
    [250, '250ms'],
    [1_500, '1.5s'],
    [30_000, '30s'],
    [300_000, '5m'],
    [7_200_000, '2h'],
    [86_400_000, '1d'],
    [0, '0ms'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
