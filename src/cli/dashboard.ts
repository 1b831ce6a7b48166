// The live dashboard of `mcp-supervisor run` on a terminal: totals, health rate, average response
// time, the state distribution, a row per service (with its cumulative counters since start, when the
// tallies are given) and each service's last error in full. A pure function of what it shows, so it is
// tested without a terminal.

import type { ServiceState } from '../machines/service.machine.js';
import type { IncidentKind, ServiceTally } from '../observe/service-tallies.js';
import type { FleetMetrics } from '../supervisor/fleet-metrics.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import { COLUMN_GAP as GAP, layoutRow, type TableColumn } from './table.js';
import { plural } from '../supervisor/plural.js';
import { displayWidth, fit, singleLine, truncate, wrap } from './text-width.js';
import { formatClockTime, formatResponseTime, formatSpan } from './time-format.js';
import { formatTransitionLine } from './transition-log.js';

export interface DashboardInput {
  services: Iterable<ServiceSnapshot>;
  metrics: FleetMetrics;
  /** Epoch ms the relative times ("in state", "next retry") are measured from. */
  now: number;
  /** Terminal columns; every line fits. */
  width: number;
  /** Terminal rows, if known: the recent-transitions section shrinks to fit. */
  height?: number;
  /**
   * Each service's cumulative counters since start, by key: given, the rows and the overview count
   * since start (surviving an actor's replacement), and the last errors stay shown after a recovery.
   */
  tallies?: ReadonlyMap<string, ServiceTally>;
  /** Latest transitions, oldest first. */
  recent?: readonly Transition[];
  /** Short lines for the bottom: config reloads, the inspector URL, "stopping…". */
  notices?: readonly string[];
  /** What is supervised, e.g. the config file. */
  source?: string;
  /** The last line, e.g. how to stop. */
  hint?: string;
  color?: boolean;
}

/** One icon per state, each two cells wide on every terminal (so rows stay aligned). */
export const STATE_ICONS: Readonly<Record<ServiceState, string>> = {
  INITIALIZING: '🔧',
  HEALTHY: '✅',
  WARNING: '🟡',
  RECONNECTING: '🔄',
  UNREACHABLE: '❌',
  DISCONNECTING: '⏳',
  DISCONNECTED: '💤',
};

const STATE_COLORS: Readonly<Record<ServiceState, string>> = {
  INITIALIZING: '34',
  HEALTHY: '32',
  WARNING: '33',
  RECONNECTING: '36',
  UNREACHABLE: '31',
  DISCONNECTING: '2',
  DISCONNECTED: '2',
};

/** The four states the panel always shows (the ones an operator watches); the others appear when occupied. */
const ALWAYS_SHOWN: readonly ServiceState[] = ['HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE'];
const OTHERS: readonly ServiceState[] = ['INITIALIZING', 'DISCONNECTING', 'DISCONNECTED'];

const RECENT_MAX = 6;
/** The last errors' service names are cut to this, so a long name leaves room for its error. */
const ERROR_NAME_MAX = 28;
/** Narrower than this beside the name, an error goes on the lines below it. */
const ERROR_TEXT_MIN = 24;

type Paint = (text: string, code: string) => string;

export function renderDashboard(input: DashboardInput): string {
  const { metrics, now, width } = input;
  const paint: Paint = input.color ? (text, code) => `\u001b[${code}m${text}\u001b[0m` : (text) => text;
  const services = [...input.services];
  const tallies = input.tallies;
  const lines: string[] = [];
  const add = (line: string) => lines.push(line);

  add(paint(truncate(`🔍 mcp-supervisor${input.source ? ` · ${input.source}` : ''} · ${formatClockTime(now).slice(0, 8)}`, width), '1'));
  add('─'.repeat(Math.max(0, width)));

  const average = metrics.averageResponseTime === null ? '—' : formatResponseTime(metrics.averageResponseTime);
  flow(
    [
      plural(metrics.totalServices, 'service'),
      `health rate ${metrics.healthRate.toFixed(1)}%`,
      `avg response ${average}`,
      `${metrics.availableServices} available`,
      tallies ? sinceStart(services, tallies) : `lifetime ${plural(metrics.totalFailures, 'failure')}, ${plural(metrics.totalReconnections, 'reconnect')}`,
    ],
    ' · ',
    '📊 ',
    width,
  ).forEach(add);
  const shown = [...ALWAYS_SHOWN, ...OTHERS.filter((state) => metrics.states[state] > 0)];
  flow(
    shown.map((state) => `${STATE_ICONS[state]} ${state} ${metrics.states[state]}`),
    GAP,
    '📈 ',
    width,
  ).forEach(add);
  add('');

  if (services.length === 0) add(truncate('   no services: add some to the config file (it is reloaded on save)', width));
  else serviceTable(services, tallies, now, width, paint).forEach(add);

  const footer = [...(input.notices ?? []), ...(input.hint ? [input.hint] : [])].map((line) => truncate(singleLine(line), width));
  // What is left of the screen for a section with a blank line and a title above it (and one before the footer).
  const roomLeft = () => (input.height === undefined ? Infinity : input.height - lines.length - footer.length - 3);
  const errors = lastErrors(services, tallies, width, roomLeft());
  if (errors.length > 0) {
    add('');
    add(paint(truncate('Last errors', width), '1'));
    errors.forEach(add);
  }
  const recent = input.recent ?? [];
  const room = Math.min(RECENT_MAX, roomLeft());
  const count = Math.min(recent.length, RECENT_MAX, Math.max(0, room));
  if (count > 0) {
    add('');
    add(paint(truncate('Recent transitions', width), '1'));
    const latest = recent.slice(-count);
    const serviceWidth = Math.max(...latest.map((transition) => displayWidth(transition.service)));
    for (const transition of latest) add(truncate(`  ${formatTransitionLine(transition, { serviceWidth })}`, width));
  }
  add('');
  footer.forEach((line) => add(paint(line, '2')));
  return `${lines.join('\n')}\n`;
}

/** Items joined by `separator`, wrapped onto as many lines as `width` needs (continuations indented). */
function flow(items: readonly string[], separator: string, lead: string, width: number): string[] {
  const indent = ' '.repeat(displayWidth(lead));
  const lines: string[] = [];
  let line = lead;
  let empty = true;
  for (const item of items) {
    const candidate = empty ? line + item : line + separator + item;
    if (!empty && displayWidth(candidate) > width) {
      lines.push(line);
      line = indent + item;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line);
  return lines.map((text) => truncate(text, width));
}

interface Column extends TableColumn {
  align: 'left' | 'right';
  /** Narrow terminals drop the columns with the lowest `keep` first. */
  keep: number;
  max?: number;
  /** Shown only with the tallies. */
  tallied?: boolean;
  cell(service: ServiceSnapshot, now: number, tally: ServiceTally | undefined): string;
}

// At 80 columns a typical fleet keeps every column but RECONNECTS. FAILURES and RECONNECTS are totals
// (they do not reset when the service recovers: since start with the tallies, else over its actor's
// life), so the overview's totals are their sums. IN A ROW is the current consecutive count beside them.
const COLUMNS: readonly Column[] = [
  { header: '', align: 'left', keep: 100, cell: (service) => STATE_ICONS[service.state] },
  { header: 'SERVICE', align: 'left', keep: 99, max: 28, cell: (service) => service.key },
  { header: 'STATE', align: 'left', keep: 98, cell: (service) => service.state },
  { header: 'IN STATE', align: 'right', keep: 70, cell: (service, now) => formatSpan(now - service.metadata.stateEnteredTime) },
  { header: 'RETRY', align: 'right', keep: 60, cell: (service, now) => nextRetry(service.metadata.nextRetryTime, now) },
  { header: 'RESPONSE', align: 'right', keep: 50, cell: (service) => lastResponse(service) },
  { header: 'AVAIL', align: 'right', keep: 45, tallied: true, cell: (_, _now, tally) => availability(tally) },
  { header: 'FAILURES', align: 'right', keep: 40, cell: (service, _, tally) => String(tally?.failures ?? service.metadata.totalFailures) },
  { header: 'IN A ROW', align: 'right', keep: 38, tallied: true, cell: (service) => String(service.metadata.consecutiveFailures) },
  { header: 'RECONNECTS', align: 'right', keep: 35, cell: (service, _, tally) => String(tally?.reconnects ?? service.metadata.totalReconnectAttempts) },
  { header: 'CRASHES', align: 'right', keep: 34, tallied: true, cell: (_, _now, tally) => String(tally?.crashes ?? 0) },
  { header: 'LAST INCIDENT', align: 'right', keep: 30, tallied: true, cell: (_, now, tally) => lastIncidentTime(tally, now) },
];

/** The overview's counts since start: the sums of the rows' tallies. */
function sinceStart(services: readonly ServiceSnapshot[], tallies: ReadonlyMap<string, ServiceTally>): string {
  let failures = 0;
  let reconnects = 0;
  let crashes = 0;
  let restarts = 0;
  for (const service of services) {
    const tally = tallies.get(service.key);
    failures += tally?.failures ?? service.metadata.totalFailures;
    reconnects += tally?.reconnects ?? service.metadata.totalReconnectAttempts;
    crashes += tally?.crashes ?? 0;
    restarts += tally?.processRestarts ?? 0;
  }
  return `since start ${plural(failures, 'failure')}, ${plural(reconnects, 'reconnect')}, ${plural(crashes, 'crash', 'crashes')}, ${plural(restarts, 'process restart')}`;
}

/** The service rows, with as many columns as `width` allows. */
function serviceTable(services: readonly ServiceSnapshot[], tallies: ReadonlyMap<string, ServiceTally> | undefined, now: number, width: number, paint: Paint): string[] {
  const cell = (column: Column, service: ServiceSnapshot) => column.cell(service, now, tallies?.get(service.key));
  const natural = (column: Column) =>
    Math.min(column.max ?? Infinity, Math.max(displayWidth(column.header), ...services.map((service) => displayWidth(cell(column, service)))));
  const tableWidth = (widths: readonly number[]) => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);

  let columns = COLUMNS.filter((column) => tallies !== undefined || !column.tallied);
  let widths = columns.map(natural);
  for (;;) {
    const droppable = columns.filter((column) => column.keep < 98);
    if (tableWidth(widths) <= width || droppable.length === 0) break; // beyond that, the names are cut below
    const index = columns.indexOf(droppable.reduce((low, column) => (column.keep < low.keep ? column : low)));
    columns = columns.filter((_, i) => i !== index);
    widths = widths.filter((_, i) => i !== index);
  }

  const serviceIndex = columns.findIndex((column) => column.header === 'SERVICE');
  const overflow = tableWidth(widths) - width;
  if (overflow > 0 && serviceIndex >= 0) widths[serviceIndex] = Math.max(4, (widths[serviceIndex] ?? 0) - overflow);

  const row = (texts: readonly string[], style: (text: string, index: number) => string) =>
    truncate(layoutRow(texts, widths, columns).map(style).join(GAP).trimEnd(), width);
  const header = paint(row(columns.map((column) => column.header), (text) => text), '1');
  const stateIndex = columns.findIndex((column) => column.header === 'STATE');
  const rows = services.map((service) =>
    row(
      columns.map((column) => cell(column, service)),
      (text, index) => (index === stateIndex ? paint(text, STATE_COLORS[service.state]) : text),
    ),
  );
  return [header, ...rows];
}

/**
 * Each service's last error, whole: wrapped under its start when there is room beside the name, else
 * on the lines below the name. At most `room` lines (then a line says how many services were left out).
 */
function lastErrors(services: readonly ServiceSnapshot[], tallies: ReadonlyMap<string, ServiceTally> | undefined, width: number, room: number): string[] {
  if (room <= 0) return [];
  const failing = services.flatMap((service) => {
    const error = lastError(service, tallies?.get(service.key));
    return error ? [{ key: service.key, error: singleLine(error) }] : [];
  });
  const nameWidth = Math.min(ERROR_NAME_MAX, Math.max(0, ...failing.map(({ key }) => displayWidth(key))));
  const textAt = 2 + nameWidth + GAP.length;
  const beside = width - textAt >= ERROR_TEXT_MIN;
  const blocks = failing.map(({ key, error }) => {
    if (beside) {
      const [first = '', ...rest] = wrap(error, width - textAt);
      return [`  ${fit(key, nameWidth)}${GAP}${first}`, ...rest.map((line) => ' '.repeat(textAt) + line)];
    }
    return [`  ${key}`, ...wrap(error, width - 4).map((line) => `    ${line}`)];
  });
  const lines: string[] = [];
  for (const [index, block] of blocks.entries()) {
    const left = blocks.length - index;
    if (lines.length + block.length > room - (left > 1 ? 1 : 0)) {
      lines.push(`  … and ${plural(left, 'more service')} with an error (a taller terminal shows them)`);
      break;
    }
    lines.push(...block);
  }
  return lines.map((line) => truncate(line, width));
}

const INCIDENTS: Readonly<Record<IncidentKind, string>> = {
  check_failed: 'health check failed',
  connect_failed: 'connect failed',
  connection_lost: 'connection lost',
  crashed: 'crashed',
};

/**
 * A service's last error: its tally's last incident, with when and what it was (it stays after the
 * service recovers), or the snapshot's current error message.
 */
function lastError(service: ServiceSnapshot, tally: ServiceTally | undefined): string | null {
  const incident = tally?.lastIncident;
  if (!incident) return service.metadata.errorMessage;
  const message = incident.message.startsWith(INCIDENTS[incident.kind]) ? incident.message : `${INCIDENTS[incident.kind]}: ${incident.message}`;
  return `${formatClockTime(incident.at).slice(0, 8)} ${message}`;
}

function availability(tally: ServiceTally | undefined): string {
  const value = tally?.availability ?? null;
  return value === null ? '—' : `${value.toFixed(1)}%`;
}

function lastIncidentTime(tally: ServiceTally | undefined, now: number): string {
  const incident = tally?.lastIncident;
  return incident ? `${formatSpan(Math.max(0, now - incident.at))} ago` : '—';
}

function nextRetry(at: number | null, now: number): string {
  if (at === null) return '—';
  return at <= now ? 'now' : `in ${formatSpan(at - now)}`;
}

function lastResponse(service: ServiceSnapshot): string {
  const { lastResponseTime, healthTier } = service.metadata;
  if (lastResponseTime === null) return '—';
  return `${formatResponseTime(lastResponseTime)}${healthTier ? ` ${healthTier}` : ''}`;
}
