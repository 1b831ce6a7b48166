// The live dashboard of `mcp-supervisor run` on a terminal: totals, health rate, average response
// time, the state distribution and a row per service. A pure function of what it shows, so it is
// tested without a terminal.

import type { ServiceState } from '../machines/service.machine.js';
import type { FleetMetrics } from '../supervisor/fleet-metrics.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import { COLUMN_GAP as GAP, layoutRow, type TableColumn } from './table.js';
import { displayWidth, singleLine, truncate } from './text-width.js';
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

type Paint = (text: string, code: string) => string;

export function renderDashboard(input: DashboardInput): string {
  const { metrics, now, width } = input;
  const paint: Paint = input.color ? (text, code) => `\u001b[${code}m${text}\u001b[0m` : (text) => text;
  const services = [...input.services];
  const lines: string[] = [];
  const add = (line: string) => lines.push(line);

  add(paint(truncate(`🔍 mcp-supervisor${input.source ? ` · ${input.source}` : ''} · ${formatClockTime(now).slice(0, 8)}`, width), '1'));
  add('─'.repeat(Math.max(0, width)));

  const average = metrics.averageResponseTime === null ? '—' : formatResponseTime(metrics.averageResponseTime);
  flow(
    [
      `${metrics.totalServices} service${metrics.totalServices === 1 ? '' : 's'}`,
      `health rate ${metrics.healthRate.toFixed(1)}%`,
      `avg response ${average}`,
      `${metrics.availableServices} available`,
      `${metrics.totalFailures} failures`,
      `${metrics.totalReconnections} reconnect attempts`,
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
  else serviceTable(services, now, width, paint).forEach(add);

  const footer = [...(input.notices ?? []), ...(input.hint ? [input.hint] : [])].map((line) => truncate(singleLine(line), width));
  const recent = input.recent ?? [];
  const room = input.height === undefined ? RECENT_MAX : input.height - lines.length - footer.length - 3;
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
  /** The column takes the room left over (at least `min` cells, else it is dropped). */
  flexible?: { min: number };
  max?: number;
  cell(service: ServiceSnapshot, now: number): string;
}

// At 80 columns a typical fleet keeps SERVICE, STATE, IN STATE, RETRY, RESPONSE and a cut LAST ERROR.
const COLUMNS: readonly Column[] = [
  { header: '', align: 'left', keep: 100, cell: (service) => STATE_ICONS[service.state] },
  { header: 'SERVICE', align: 'left', keep: 99, max: 28, cell: (service) => service.key },
  { header: 'STATE', align: 'left', keep: 98, cell: (service) => service.state },
  { header: 'IN STATE', align: 'right', keep: 70, cell: (service, now) => formatSpan(now - service.metadata.stateEnteredTime) },
  { header: 'RETRY', align: 'right', keep: 60, cell: (service, now) => nextRetry(service.metadata.nextRetryTime, now) },
  { header: 'FAILS', align: 'right', keep: 40, cell: (service) => String(service.metadata.consecutiveFailures) },
  { header: 'RECONN', align: 'right', keep: 35, cell: (service) => String(service.metadata.reconnectAttempts) },
  { header: 'RESPONSE', align: 'right', keep: 50, cell: (service) => lastResponse(service) },
  {
    header: 'LAST ERROR',
    align: 'left',
    keep: 45,
    flexible: { min: 16 },
    cell: (service) => singleLine(service.metadata.errorMessage ?? ''),
  },
];

/** The service rows, with as many columns as `width` allows. */
function serviceTable(services: readonly ServiceSnapshot[], now: number, width: number, paint: Paint): string[] {
  const cells = (column: Column) => services.map((service) => column.cell(service, now));
  const natural = (column: Column) =>
    Math.min(column.max ?? Infinity, Math.max(displayWidth(column.header), ...cells(column).map(displayWidth)));

  let columns = [...COLUMNS];
  let widths = columns.map(natural);
  for (;;) {
    const fixed = columns.reduce((sum, column, index) => sum + (column.flexible ? 0 : (widths[index] ?? 0)), 0);
    const total = fixed + GAP.length * (columns.length - 1);
    const flexibleIndex = columns.findIndex((column) => column.flexible);
    const flexibleColumn = columns[flexibleIndex];
    if (flexibleColumn?.flexible) {
      const room = width - total;
      if (room >= flexibleColumn.flexible.min) {
        widths[flexibleIndex] = Math.min(room, widths[flexibleIndex] ?? room);
        break;
      }
    } else if (total <= width) {
      break;
    }
    const droppable = columns.filter((column) => column.keep < 98);
    if (droppable.length === 0) break; // the service name is cut below, and each line is truncated
    const lowest = droppable.reduce((low, column) => (column.keep < low.keep ? column : low));
    const index = columns.indexOf(lowest);
    columns = columns.filter((_, i) => i !== index);
    widths = widths.filter((_, i) => i !== index);
  }

  const serviceIndex = columns.findIndex((column) => column.header === 'SERVICE');
  const overflow = widths.reduce((sum, w) => sum + w, 0) + GAP.length * (columns.length - 1) - width;
  if (overflow > 0 && serviceIndex >= 0) widths[serviceIndex] = Math.max(4, (widths[serviceIndex] ?? 0) - overflow);

  const row = (texts: readonly string[], style: (text: string, index: number) => string) =>
    truncate(layoutRow(texts, widths, columns).map(style).join(GAP).trimEnd(), width);
  const header = paint(row(columns.map((column) => column.header), (text) => text), '1');
  const stateIndex = columns.findIndex((column) => column.header === 'STATE');
  const rows = services.map((service) =>
    row(
      columns.map((column) => column.cell(service, now)),
      (text, index) => (index === stateIndex ? paint(text, STATE_COLORS[service.state]) : text),
    ),
  );
  return [header, ...rows];
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
