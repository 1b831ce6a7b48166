// The run command's dashboard is a pure function of snapshots, metrics, the time and the terminal
// width: it shows the fleet's monitoring panel and every line fits the terminal.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderDashboard, STATE_ICONS, type DashboardInput } from '../../src/cli/dashboard.js';
import { displayWidth, stripAnsi } from '../../src/cli/text-width.js';
import { SERVICE_STATES } from '../../src/machines/service.machine.js';
import { collectFleetMetrics } from '../../src/supervisor/fleet-metrics.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import type { ServiceTally } from '../../src/observe/service-tallies.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { NOW, snapshot } from '../support/cli-snapshots.js';

const fleet: ServiceSnapshot[] = [
  snapshot('steady', 'HEALTHY', { stateEnteredTime: NOW - 62_000, lastResponseTime: 2.4, healthTier: 'healthy' }),
  snapshot('slow', 'HEALTHY', { stateEnteredTime: NOW - 5_000, lastResponseTime: 2104, healthTier: 'warning' }),
  snapshot('flaky', 'RECONNECTING', {
    stateEnteredTime: NOW - 800,
    consecutiveFailures: 0,
    reconnectAttempts: 2,
    nextRetryTime: NOW + 1_250,
    errorMessage: 'connection lost: the server process exited with code 1',
    totalFailures: 3,
    totalReconnectAttempts: 4,
  }),
  snapshot('legacy', 'WARNING', { stateEnteredTime: NOW - 3_700_000, consecutiveFailures: 3, lastResponseTime: 40, healthTier: 'healthy' }),
];

const lost: Transition = {
  service: 'flaky',
  agent: null,
  cause: 'connection_lost',
  from: 'HEALTHY',
  to: 'RECONNECTING',
  at: NOW - 800,
  reason: 'connection lost: the server process exited with code 1',
};

const render = (input: Partial<DashboardInput> = {}) =>
  renderDashboard({ services: fleet, metrics: collectFleetMetrics(fleet), now: NOW, width: 160, ...input });
const linesOf = (text: string) => text.replace(/\n$/, '').split('\n');
const rowOf = (text: string, service: string) => linesOf(text).find((line) => new RegExp(`^\\S+\\s+${service}\\s`).test(line)) ?? '';

describe('dashboard: the overview (totals and the state distribution)', () => {
  it('shows the totals, the health rate and the average response time', () => {
    const text = render();
    expect(text).toContain('4 services');
    expect(text).toContain('health rate 50.0%');
    // (2.4 + 2104 + 40) / 3 available services with a response time
    expect(text).toContain('avg response 715 ms');
    expect(text).toContain('3 available');
    expect(text).toContain('lifetime 3 failures, 4 reconnects');
  });

  it('counts in the overview what the rows show: its lifetime totals are the sums of FAILURES and RECONNECTS', () => {
    const mixed = [
      ...fleet,
      snapshot('again', 'HEALTHY', { consecutiveFailures: 0, reconnectAttempts: 0, totalFailures: 2, totalReconnectAttempts: 3 }),
      snapshot('trying', 'RECONNECTING', { consecutiveFailures: 5, reconnectAttempts: 2, totalFailures: 7, totalReconnectAttempts: 2 }),
    ];
    const text = render({ services: mixed, metrics: collectFleetMetrics(mixed) });
    const header = (linesOf(text).find((line) => line.includes('SERVICE')) ?? '').trim().split(/\s{2,}/);
    const column = (name: string) => header.indexOf(name) + 1; // rows start with the icon
    const sum = (name: string) =>
      mixed.reduce((total, service) => total + Number(rowOf(text, service.key).trim().split(/\s{2,}/)[column(name)]), 0);
    const [, failures, reconnects] = /lifetime (\d+) failures?, (\d+) reconnects?/.exec(text) ?? [];
    expect(sum('FAILURES')).toBe(12);
    expect(sum('RECONNECTS')).toBe(9);
    expect(Number(failures)).toBe(sum('FAILURES'));
    expect(Number(reconnects)).toBe(sum('RECONNECTS'));
  });

  it('says 1 service, 1 failure, 1 reconnect (no plural for one)', () => {
    const one = [snapshot('once', 'HEALTHY', { totalFailures: 1, totalReconnectAttempts: 1 })];
    const text = render({ services: one, metrics: collectFleetMetrics(one) });
    expect(text).toContain('📊 1 service · ');
    expect(text).toContain('lifetime 1 failure, 1 reconnect');
  });

  it('shows the state distribution with the four watched states always, others when occupied', () => {
    const text = render();
    expect(text).toContain(`${STATE_ICONS.HEALTHY} HEALTHY 2`);
    expect(text).toContain(`${STATE_ICONS.WARNING} WARNING 1`);
    expect(text).toContain(`${STATE_ICONS.RECONNECTING} RECONNECTING 1`);
    expect(text).toContain(`${STATE_ICONS.UNREACHABLE} UNREACHABLE 0`);
    expect(text).not.toContain('INITIALIZING 0');
    const starting = [snapshot('new', 'INITIALIZING')];
    expect(render({ services: starting, metrics: collectFleetMetrics(starting) })).toContain(`${STATE_ICONS.INITIALIZING} INITIALIZING 1`);
  });

  it('shows an empty fleet without dividing by zero', () => {
    const text = render({ services: [], metrics: collectFleetMetrics([]) });
    expect(text).toContain('0 services');
    expect(text).toContain('health rate 0.0%');
    expect(text).toContain('avg response —');
    expect(text).toContain('no services');
  });
});

/** A tally as ServiceTallies keeps it, with the counts a test sets. */
const tallyOf = (service: string, counts: Partial<ServiceTally> = {}): ServiceTally => ({
  service,
  agent: null,
  since: NOW - 3_600_000,
  state: 'HEALTHY',
  checks: 0,
  failures: 0,
  failedChecks: 0,
  failedConnects: 0,
  reconnects: 0,
  crashes: 0,
  processStarts: 1,
  processRestarts: 0,
  availableMs: 3_600_000,
  knownMs: 3_600_000,
  availability: 100,
  lastIncident: null,
  lastResponseTime: null,
  recentResponseTimes: [],
  ...counts,
});

describe('dashboard: the counts since start (the tallies)', () => {
  const tallies = new Map<string, ServiceTally>([
    ['steady', tallyOf('steady')],
    ['slow', tallyOf('slow', { failures: 4, reconnects: 1, processStarts: 2, processRestarts: 1, availability: 99.5 })],
    [
      'flaky',
      tallyOf('flaky', {
        failures: 11,
        reconnects: 6,
        crashes: 2,
        processStarts: 7,
        processRestarts: 6,
        availability: 87.25,
        lastIncident: { at: NOW - 800, kind: 'connection_lost', message: 'connection lost: the server process exited with code 1 after writing a very long explanation to its stderr', code: null },
      }),
    ],
    [
      'legacy',
      tallyOf('legacy', { failures: 3, availability: 100, lastIncident: { at: NOW - 65_000, kind: 'check_failed', message: 'ping failed: upstream timeout (JSON-RPC error -32000)', code: 'MCP_REQUEST_FAILED' } }),
    ],
  ]);
  const rendered = () => render({ tallies });

  it('has the totals since start in the overview equal to the sums of the rows, on a rendered screen', () => {
    const text = rendered();
    const header = (linesOf(text).find((line) => line.includes('SERVICE')) ?? '').trim().split(/\s{2,}/);
    const column = (name: string) => header.indexOf(name) + 1; // rows start with the icon
    const sum = (name: string) => fleet.reduce((total, service) => total + Number(rowOf(text, service.key).trim().split(/\s{2,}/)[column(name)]), 0);
    const [, failures, reconnects, crashes, restarts] = /since start (\d+) failures?, (\d+) reconnects?, (\d+) crash(?:es)?, (\d+) process restarts?/.exec(text) ?? [];
    expect(sum('FAILURES')).toBe(18);
    expect(Number(failures)).toBe(sum('FAILURES'));
    expect(Number(reconnects)).toBe(sum('RECONNECTS'));
    expect(Number(crashes)).toBe(sum('CRASHES'));
    expect(Number(restarts)).toBe(7);
    expect(text).not.toContain('lifetime');
  });

  it('shows availability, the failures in a row now beside the totals, crashes and how long ago the last incident was', () => {
    const text = rendered();
    const header = (linesOf(text).find((line) => line.includes('SERVICE')) ?? '').trim().split(/\s{2,}/);
    expect(header).toEqual(['SERVICE', 'STATE', 'IN STATE', 'RETRY', 'RESPONSE', 'AVAIL', 'FAILURES', 'IN A ROW', 'RECONNECTS', 'CRASHES', 'LAST INCIDENT']);
    expect(rowOf(text, 'flaky')).toMatch(/87\.3%\s+11\s+0\s+6\s+2\s+800ms ago$/);
    expect(rowOf(text, 'legacy')).toMatch(/100\.0%\s+3\s+3\s+0\s+0\s+1m05s ago$/);
    expect(rowOf(text, 'steady')).toMatch(/100\.0%\s+0\s+0\s+0\s+0\s+—$/);
  });

  it('keeps the last incident\'s whole error below the table, with its time, after the service recovered', () => {
    // legacy has no current error message: its last incident is shown all the same.
    const text = rendered();
    const errors = linesOf(text).slice(linesOf(text).indexOf('Last errors'));
    expect(errors.join('\n')).toContain('legacy  09:28:55 health check failed: ping failed: upstream timeout (JSON-RPC error -32000)');
    expect(errors.join(' ').replace(/\s+/g, ' ')).toContain('connection lost: the server process exited with code 1 after writing a very long explanation to its stderr');
  });
});

describe('dashboard: a row per service', () => {
  it('has every column on a wide terminal', () => {
    const header = linesOf(render()).find((line) => line.includes('SERVICE')) ?? '';
    expect(header.split(/\s{2,}/).map((cell) => cell.trim()).filter(Boolean)).toEqual([
      'SERVICE',
      'STATE',
      'IN STATE',
      'RETRY',
      'RESPONSE',
      'FAILURES',
      'RECONNECTS',
    ]);
  });

  it('shows icon, state, time in state, next retry, response time and lifetime failures and reconnects', () => {
    const text = render();
    const flaky = rowOf(text, 'flaky');
    expect(flaky.startsWith(STATE_ICONS.RECONNECTING)).toBe(true);
    expect(flaky).toMatch(/flaky\s+RECONNECTING\s+800ms\s+in 1\.2s\s+—\s+3\s+4$/);
    expect(rowOf(text, 'steady')).toMatch(/steady\s+HEALTHY\s+1m02s\s+—\s+2 ms healthy\s+0\s+0$/);
    expect(rowOf(text, 'slow')).toContain('2.10 s warning');
    expect(rowOf(text, 'legacy')).toMatch(/legacy\s+WARNING\s+1h01m\s+—\s+40 ms healthy\s+0\s+0$/);
  });

  it('gives every state its own icon, each two cells wide', () => {
    expect(new Set(Object.values(STATE_ICONS)).size).toBe(SERVICE_STATES.length);
    for (const icon of Object.values(STATE_ICONS)) expect(displayWidth(icon)).toBe(2);
  });

  it('measures relative times from `now`: a later frame of the same snapshots shows them older', () => {
    const later = render({ now: NOW + 1_000 });
    expect(rowOf(later, 'flaky')).toMatch(/RECONNECTING\s+1\.8s\s+in 250ms/);
    expect(rowOf(render({ now: NOW + 2_000 }), 'flaky')).toMatch(/RECONNECTING\s+2\.8s\s+now/);
  });

  it('shows each last error whole below the table, a server’s multi-line error as one line without control characters', () => {
    const odd = [snapshot('odd', 'RECONNECTING', { errorMessage: 'first line\n\u001b[31msecond\u0007 line' })];
    const lines = linesOf(render({ services: [...fleet, ...odd], metrics: collectFleetMetrics([...fleet, ...odd]) }));
    const section = lines.slice(lines.indexOf('Last errors') + 1);
    expect(section[0]).toBe('  flaky  connection lost: the server process exited with code 1');
    expect(section[1]).toBe('  odd    first line ⏎ [31msecond line');
    expect([...(section[1] ?? '')].filter((char) => (char.codePointAt(0) ?? 0) < 0x20)).toEqual([]);
    expect(render()).not.toContain('legacy  '.padEnd(9) + 'connection'); // only services with an error are listed
  });
});

describe('dashboard: narrow terminals', () => {
  const headerAt = (width: number) => linesOf(render({ width })).find((line) => /^\s+SERVI/.test(line)) ?? '';

  it('drops columns, least useful first', () => {
    expect(headerAt(120)).toMatch(/RESPONSE\s+FAILURES\s+RECONNECTS$/);
    expect(headerAt(80)).toMatch(/SERVICE\s+STATE\s+IN STATE\s+RETRY\s+RESPONSE\s+FAILURES$/);
    expect(headerAt(60)).toMatch(/SERVICE\s+STATE\s+IN STATE\s+RETRY\s+RESPONSE$/);
    expect(headerAt(40)).toMatch(/SERVICE\s+STATE\s+IN STATE$/);
    expect(headerAt(25)).toMatch(/SERVICE\s+STATE$/);
    expect(headerAt(24)).toMatch(/SERVI…\s+STATE$/); // then the names are cut
  });

  it('wraps a long last error to the width instead of cutting it, beside the name or below it', () => {
    const error = 'connect failed: spawn /opt/servers/very-long-name-of-a-server-binary ENOENT (check `command` in the config)';
    const long = [snapshot('search', 'RECONNECTING', { errorMessage: error })];
    const errorLines = (width: number) => {
      const lines = linesOf(render({ services: long, metrics: collectFleetMetrics(long), width }));
      return lines.slice(lines.indexOf('Last errors') + 1, lines.indexOf('', lines.indexOf('Last errors')));
    };
    const beside = errorLines(60);
    expect(beside.length).toBeGreaterThan(1);
    expect(beside[0]).toMatch(/^ {2}search {2}connect failed:/);
    for (const line of beside.slice(1)) expect(line.startsWith(' '.repeat(10))).toBe(true);
    expect(beside.map((line) => line.trim()).join(' ').replace(/^search\s+/, '')).toBe(error);
    for (const line of beside) expect(displayWidth(line)).toBeLessThanOrEqual(60);

    const below = errorLines(30);
    expect(below[0]).toBe('  search');
    // the path is longer than a line: it is broken inside, and nothing is lost
    expect(below.slice(1).join('').replace(/\s+/g, '')).toBe(error.replace(/\s+/g, ''));
    for (const line of below) expect(displayWidth(line)).toBeLessThanOrEqual(30);
  });

  it('shows as many last errors as the terminal height leaves room for, and says how many it left out', () => {
    const failing = Array.from({ length: 8 }, (_, index) => snapshot(`s${index}`, 'RECONNECTING', { errorMessage: `refused ${index}` }));
    const text = render({ services: failing, metrics: collectFleetMetrics(failing), height: 20, hint: 'Ctrl-C to stop' });
    expect(linesOf(text).length).toBeLessThanOrEqual(20);
    expect(text).toContain('refused 0');
    expect(text).not.toContain('refused 7');
    expect(text).toMatch(/… and \d+ more services with an error/);
    expect(linesOf(text).at(-1)).toBe('Ctrl-C to stop');
  });

  it('fits every line in the width, whatever the width and the service names', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 200 }),
        fc.array(fc.string({ unit: fc.constantFrom('a', 'z', '-', '服', '务', 'é'), minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (width, names, color) => {
          const services = names.map((name, index) =>
            snapshot(`${name}${index}`, SERVICE_STATES[index % SERVICE_STATES.length] ?? 'HEALTHY', {
              errorMessage: index % 2 === 0 ? `错误 ${name} refused`.repeat(3) : null,
              nextRetryTime: NOW + index * 90_000,
            }),
          );
          const text = renderDashboard({ services, metrics: collectFleetMetrics(services), now: NOW, width, recent: [lost], notices: ['config reloaded: added x'], color });
          for (const line of linesOf(text)) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('dashboard: recent transitions, notices and colour', () => {
  it('lists the latest transitions, as many as the terminal height leaves room for', () => {
    const recent = Array.from({ length: 10 }, (_, index) => ({ ...lost, at: NOW - 10_000 + index * 1000, reason: `reason ${index}` }));
    const tall = render({ recent });
    expect(tall).toContain('Recent transitions');
    expect(tall).toContain('reason 9');
    expect(tall).not.toContain('reason 3'); // at most six
    expect(tall).toMatch(/flaky\s+HEALTHY → RECONNECTING\s+reason 9/);
    const full = linesOf(render({ recent })).length;
    const short = render({ recent, height: full - 3 });
    expect(linesOf(short).length).toBeLessThanOrEqual(full - 3);
    expect(short).toContain('reason 9');
    expect(short).not.toContain('reason 4');
    expect(render({ recent, height: 10 })).not.toContain('Recent transitions');
  });

  it('ends with the notices and the hint', () => {
    const lines = linesOf(render({ notices: ['Stately inspector: open http://127.0.0.1:4000'], hint: 'Ctrl-C to stop' }));
    expect(lines.slice(-2)).toEqual(['Stately inspector: open http://127.0.0.1:4000', 'Ctrl-C to stop']);
  });

  it('colours the states only when asked, without changing the layout', () => {
    const plain = render();
    const coloured = render({ color: true });
    expect(plain).not.toContain('\u001b[');
    expect(coloured).toContain('\u001b[32mHEALTHY');
    expect(stripAnsi(coloured)).toBe(plain);
  });
});
