// `run --log` and `run --json`: one line per transition, and config reloads in words.

import { describe, expect, it } from 'vitest';
import { formatConfigEvent, formatTransitionJson, formatTransitionLine } from '../../src/cli/transition-log.js';
import { ConfigError } from '../../src/config/errors.js';
import type { ServiceTally } from '../../src/observe/service-tallies.js';
import type { Transition } from '../../src/supervisor/transition.js';

const at = new Date(2025, 0, 15, 14, 3, 27, 512).getTime();
const lost: Transition = {
  service: 'flaky',
  agent: null,
  cause: 'connection_lost',
  from: 'HEALTHY',
  to: 'RECONNECTING',
  at,
  reason: 'connection lost: the server process exited with code 1',
};

describe('transition lines (--log)', () => {
  it('reads: time, service, from → to, reason', () => {
    expect(formatTransitionLine(lost)).toBe('14:03:27.512  flaky  HEALTHY → RECONNECTING  connection lost: the server process exited with code 1');
  });

  it('ends with the service\'s counts since start, when its tally is given', () => {
    const tally: ServiceTally = {
      service: 'flaky', agent: null, since: at - 3_600_000, state: 'RECONNECTING', checks: 120, failures: 7, failedChecks: 5, failedConnects: 2,
      reconnects: 2, crashes: 1, processStarts: 3, processRestarts: 2, availableMs: 3_312_000, knownMs: 3_600_000, availability: 92,
      lastIncident: null, lastResponseTime: 12, recentResponseTimes: [12],
    };
    expect(formatTransitionLine(lost, { tally })).toBe(
      '14:03:27.512  flaky  HEALTHY → RECONNECTING  connection lost: the server process exited with code 1  [since start: 7 failures, 2 reconnects, 1 crash, 2 process restarts, 92.0% available]',
    );
    // A remote server has no process to count.
    expect(formatTransitionLine(lost, { tally: { ...tally, processStarts: 0, processRestarts: 0, availability: null } })).toMatch(/\[since start: 7 failures, 2 reconnects, 1 crash\]$/);
  });

  it('aligns the services of a fleet', () => {
    expect(formatTransitionLine(lost, { serviceWidth: 8 })).toContain('  flaky     HEALTHY');
  });

  it('marks a newly registered service and keeps a multi-line reason on one line', () => {
    const registered: Transition = { ...lost, from: null, to: 'INITIALIZING', reason: 'service registered\nsecond line' };
    expect(formatTransitionLine(registered)).toBe('14:03:27.512  flaky  — → INITIALIZING  service registered ⏎ second line');
  });
});

describe('removals', () => {
  it('shows the reason the supervisor gives, as it is', () => {
    const removed: Transition = { ...lost, from: 'DISCONNECTED', to: 'REMOVED', reason: 'removed from the config file' };
    expect(formatTransitionLine(removed)).toBe('14:03:27.512  flaky  DISCONNECTED → REMOVED  removed from the config file');
  });
});

describe('NDJSON transitions (--json)', () => {
  it('is one JSON object per line with the time in ISO-8601', () => {
    const line = formatTransitionJson({ ...lost, agent: 'alice', service: 'alice/flaky' });
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      at: new Date(at).toISOString(),
      service: 'alice/flaky',
      agent: 'alice',
      from: 'HEALTHY',
      to: 'RECONNECTING',
      reason: lost.reason,
    });
  });
});

describe('config reloads', () => {
  it('says what an applied reload changed', () => {
    const line = formatConfigEvent({ type: 'applied', file: 'fleet.yaml', added: ['new'], removed: ['old'], changed: ['flaky'], at });
    expect(line).toBe('14:03:27.512  config reloaded from fleet.yaml: added new; removed old; restarted flaky with new settings');
    expect(formatConfigEvent({ type: 'applied', file: 'fleet.yaml', added: [], removed: [], changed: [], at })).toContain('no service changed');
  });

  it('shows a rejected reload’s errors with file:line:col, and that nothing changed', () => {
    const error = new ConfigError([{ file: 'fleet.yaml', line: 4, column: 7, path: 'services.flaky.ping_timeout', message: 'must be > 0, got 0' }]);
    const text = formatConfigEvent({ type: 'rejected', file: 'fleet.yaml', error, at });
    expect(text).toContain('config reload rejected, the running fleet is unchanged');
    expect(text).toContain('    fleet.yaml:4:7 services.flaky.ping_timeout: must be > 0, got 0');
  });
});
