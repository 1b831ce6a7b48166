// Durations in the config: a number is seconds, a string carries its units (`250ms`, `30s`, `5m`, `2h`,
// or compound `1h30m`). Values become whole milliseconds, the unit every timer in the project uses.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** Node's timers overflow above this (about 24.8 days) and would fire at once; no delay may exceed it. */
export const MAX_TIMER_MS = 2_147_483_647;

export const DURATION_HINT = 'a duration: seconds as a number, or a string like 250ms, 30s, 5m, 2h';

const PART = /\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h|d)/gy;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

/** Parses a duration into milliseconds (rounded); negative values parse and are left to range checks. */
export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, message: `expected ${DURATION_HINT}, got ${value}` };
    return { ok: true, ms: Math.round(value * 1000) };
  }
  if (typeof value !== 'string') return { ok: false, message: `expected ${DURATION_HINT}` };
  const text = value.trim();
  const sign = text.startsWith('-') ? -1 : 1;
  const body = text.replace(/^[-+]/, '').trim();
  if (/^\d+(\.\d+)?$/.test(body)) {
    return { ok: false, message: `"${value}" has no unit: write ${body}s or ${body}ms (an unquoted number means seconds)` };
  }
  PART.lastIndex = 0;
  let total = 0;
  let matched = 0;
  // Each iteration consumes at least one character, so this ends within body.length steps.
  while (PART.lastIndex < body.length) {
    const part = PART.exec(body);
    if (!part) break;
    total += Number(part[1]) * UNIT_MS[part[2] as Unit];
    matched = PART.lastIndex;
  }
  if (body.length === 0 || matched !== body.length) {
    return { ok: false, message: `expected ${DURATION_HINT}, got "${value}"` };
  }
  return { ok: true, ms: sign * Math.round(total) };
}

/** A compact human form of a millisecond duration, for messages: 1500 → `1.5s`, 7200000 → `2h`. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms !== 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return Math.abs(ms) >= UNIT_MS.s ? `${ms / UNIT_MS.s}s` : `${ms}ms`;
}
