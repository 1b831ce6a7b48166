// The run command's line output: one readable line per transition (`--log`, or when stdout is not a
// terminal) with the service's counts since start, or one NDJSON object per transition (`--json`);
// config reloads as readable lines.

import type { ServiceTally } from '../observe/service-tallies.js';
import { plural } from '../supervisor/plural.js';
import type { ConfigReloadEvent } from '../supervisor/supervisor.js';
import type { Transition } from '../supervisor/transition.js';
import { singleLine } from './text-width.js';
import { formatClockTime } from './time-format.js';

export interface LineOptions {
  /** Pads the service column to this width, so a fleet's lines align. */
  serviceWidth?: number;
  /** The service's counts since start, appended in brackets. */
  tally?: ServiceTally;
}

/** `14:03:27.512  flaky   HEALTHY → RECONNECTING  connection lost: process exited with code 1` */
export function formatTransitionLine(transition: Transition, options: LineOptions = {}): string {
  const service = transition.service.padEnd(options.serviceWidth ?? 0);
  const move = `${transition.from ?? '—'} → ${transition.to}`;
  const line = `${formatClockTime(transition.at)}  ${service}  ${move}  ${singleLine(transition.reason)}`;
  return options.tally ? `${line}  [${formatTally(options.tally)}]` : line;
}

/** `since start: 7 failures, 2 reconnects, 0 crashes, 1 process restart, 93.1% available` */
export function formatTally(tally: ServiceTally): string {
  const parts = [
    plural(tally.failures, 'failure'),
    plural(tally.reconnects, 'reconnect'),
    plural(tally.crashes, 'crash', 'crashes'),
    ...(tally.processStarts > 0 ? [plural(tally.processRestarts, 'process restart')] : []),
    ...(tally.availability === null ? [] : [`${tally.availability.toFixed(1)}% available`]),
  ];
  return `since start: ${parts.join(', ')}`;
}

/** One NDJSON line (no newline): the transition with its time in ISO-8601. */
export function formatTransitionJson(transition: Transition): string {
  return JSON.stringify({
    at: new Date(transition.at).toISOString(),
    service: transition.service,
    agent: transition.agent,
    from: transition.from,
    to: transition.to,
    reason: transition.reason,
  });
}

/** What a config reload did, in one line; a rejected one adds the config errors, indented. */
export function formatConfigEvent(event: ConfigReloadEvent): string {
  const time = formatClockTime(event.at);
  if (event.type === 'rejected') {
    const details = event.error.message.split('\n').map((line) => `    ${line}`);
    return [`${time}  config reload rejected, the running fleet is unchanged:`, ...details].join('\n');
  }
  const parts = [
    event.added.length > 0 ? `added ${event.added.join(', ')}` : null,
    event.removed.length > 0 ? `removed ${event.removed.join(', ')}` : null,
    event.changed.length > 0 ? `restarted ${event.changed.join(', ')} with new settings` : null,
  ].filter((part) => part !== null);
  return `${time}  config reloaded${event.file ? ` from ${event.file}` : ''}: ${parts.length > 0 ? parts.join('; ') : 'no service changed'}`;
}
