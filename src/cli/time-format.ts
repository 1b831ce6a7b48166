// Times as the CLI shows them: compact elapsed times for the dashboard, wall-clock stamps for log
// lines, and offsets from an origin for the outage simulation's timeline.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (value: number, digits = 2) => String(Math.floor(value)).padStart(digits, '0');

/** A compact span: `850ms`, `4.2s`, `42s`, `3m05s`, `2h03m`, `4d01h`. Negative spans count as 0. */
export function formatSpan(ms: number): string {
  const span = Math.max(0, Math.round(ms));
  if (span < SECOND) return `${span}ms`;
  if (span < 10 * SECOND) return `${(Math.floor(span / 100) / 10).toFixed(1)}s`;
  if (span < MINUTE) return `${Math.floor(span / SECOND)}s`;
  if (span < HOUR) return `${Math.floor(span / MINUTE)}m${pad((span % MINUTE) / SECOND)}s`;
  if (span < DAY) return `${Math.floor(span / HOUR)}h${pad((span % HOUR) / MINUTE)}m`;
  return `${Math.floor(span / DAY)}d${pad((span % DAY) / HOUR)}h`;
}

/** A response time: `3 ms`, `850 ms`, `1.84 s`. */
export function formatResponseTime(ms: number): string {
  return ms < SECOND ? `${Math.round(ms)} ms` : `${(ms / SECOND).toFixed(2)} s`;
}

/** Local wall-clock time of day with milliseconds: `14:03:27.512`. */
export function formatClockTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** A signed offset from an origin, fixed width up to a day: `t+00:02:30.000`, `t-00:00:01.000`, `t+1d02:00:00.000`. */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const span = Math.abs(Math.round(ms));
  const days = Math.floor(span / DAY);
  const clock = `${pad((span % DAY) / HOUR)}:${pad((span % HOUR) / MINUTE)}:${pad((span % MINUTE) / SECOND)}.${pad(span % SECOND, 3)}`;
  return `t${sign}${days > 0 ? `${days}d` : ''}${clock}`;
}
