// The per-service cumulative counters, over a supervisor on the in-memory layer, in virtual time.

import { describe, expect, it } from 'vitest';
import { RECENT_RESPONSE_TIMES, ServiceTallies } from '../../src/observe/service-tallies.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: {} },
  ...extra,
});

async function talliedFleet(services: ServiceSpec[], setup?: (io: InMemoryConnections) => void) {
  const clock = new VirtualClock(1_700_000_000_000);
  const io = inMemoryLayer(clock);
  setup?.(io);
  const supervisor = new Supervisor({ services }, { connections: io, clock, random: () => 0.5 });
  const tallies = new ServiceTallies(supervisor, clock);
  const transitions: Transition[] = [];
  supervisor.transitions$.subscribe((transition) => transitions.push(transition));
  supervisor.start();
  await flush();
  const state = (name: string) => supervisor.getServiceInfo(name).state;
  return { supervisor, clock, io, tallies, transitions, state };
}

describe('ServiceTallies', () => {
  it('keeps failures, reconnects and process restarts across an outage, when the consecutive counts are back at zero', async () => {
    const fleet = await talliedFleet([stdio('files')]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * SECOND);
    fleet.io.defaults.ping = 'fail';
    fleet.io.defaults.connect = 'fail';
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'RECONNECTING', 10 * MINUTE);
    await fleet.clock.advanceUntil(() => (fleet.tallies.get('files')?.failedConnects ?? 0) >= 2, 10 * MINUTE);
    fleet.io.defaults.ping = 'succeed';
    fleet.io.defaults.connect = 'succeed';
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * MINUTE);

    const info = fleet.supervisor.getServiceInfo('files');
    const tally = fleet.tallies.get('files');
    expect(info.metadata.consecutiveFailures).toBe(0);
    const threshold = info.config.lifecycle.reconnectingFailureThreshold;
    expect(tally).toMatchObject({ state: 'HEALTHY', failedChecks: threshold, failedConnects: 2, failures: threshold + 2, reconnects: 3, crashes: 0 });
    // The first connect and three reconnect attempts, each a fresh process.
    expect(tally).toMatchObject({ processStarts: 4, processRestarts: 3 });
    // The statechart's own lifetime counters agree.
    expect(tally?.failures).toBe(info.metadata.totalFailures);
    expect(tally?.reconnects).toBe(info.metadata.totalReconnectAttempts);
    expect(tally?.checks).toBe(info.metadata.totalHealthChecks);
    expect(tally?.lastIncident).toMatchObject({ kind: 'connect_failed', message: 'connect failed: connection refused' });
    await fleet.supervisor.stop();
  });

  it('measures availability as time available over time known', async () => {
    const fleet = await talliedFleet([stdio('files')]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * SECOND);
    await fleet.clock.advance(10 * MINUTE);
    fleet.io.defaults.connect = 'hang';
    fleet.io.loseConnection('process exited with code 1', 'files');
    await fleet.clock.advance(0);
    expect(fleet.state('files')).toBe('RECONNECTING');
    expect(fleet.tallies.get('files')?.lastIncident).toMatchObject({ kind: 'connection_lost', message: expect.stringContaining('process exited with code 1') as unknown });
    await fleet.clock.advance(5 * MINUTE);

    const start = fleet.tallies.get('files')?.since ?? 0;
    const now = fleet.clock.now();
    // Available from the first HEALTHY to the loss.
    const healthy = fleet.transitions.find((transition) => transition.to === 'HEALTHY')?.at ?? 0;
    const lost = fleet.transitions.find((transition) => transition.cause === 'connection_lost')?.at ?? 0;
    const tally = fleet.tallies.get('files');
    expect(tally?.knownMs).toBe(now - start);
    expect(tally?.availableMs).toBe(lost - healthy);
    expect(tally?.availability).toBeCloseTo(((lost - healthy) / (now - start)) * 100, 9);
    expect(tally?.lastIncident).toMatchObject({ kind: 'connect_failed', message: expect.stringContaining('timed out') as unknown });
    await fleet.supervisor.stop();
  });

  it('counts a crash, and keeps counting across the actor the supervisor starts in its place', async () => {
    const fleet = await talliedFleet([stdio('files')]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * SECOND);
    fleet.io.defaults.ping = 'fail';
    await fleet.clock.advanceUntil(() => (fleet.tallies.get('files')?.failedChecks ?? 0) >= 1, 10 * MINUTE);
    fleet.io.defaults.ping = 'succeed';
    fleet.io.defaults.crashWatcher = 'once';
    fleet.io.loseConnection('process exited with code 1', 'files');
    await fleet.clock.advanceUntil(() => fleet.transitions.some((transition) => transition.cause === 'crashed'), 10 * MINUTE);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * MINUTE);
    const tally = fleet.tallies.get('files');
    expect(tally?.crashes).toBe(1);
    expect(tally?.failedChecks).toBe(1);
    // The new actor counts from zero; the tally does not.
    expect(fleet.supervisor.getServiceInfo('files').metadata.totalFailures).toBe(0);
    await fleet.supervisor.stop();
  });

  it('keeps the last response times, bounded, oldest first', async () => {
    const fleet = await talliedFleet([stdio('files')]);
    fleet.io.defaults.ping = { respondAfterMs: 7 };
    await fleet.clock.advanceUntil(() => (fleet.tallies.get('files')?.checks ?? 0) >= RECENT_RESPONSE_TIMES + 5, 60 * MINUTE);
    const tally = fleet.tallies.get('files');
    expect(tally?.recentResponseTimes).toHaveLength(RECENT_RESPONSE_TIMES);
    expect(tally?.recentResponseTimes.every((time) => time === 7)).toBe(true);
    expect(tally?.lastResponseTime).toBe(7);
    expect(tally?.lastIncident).toBeNull();
    await fleet.supervisor.stop();
  });

  it('starts from the services already there, announces changes, and forgets a removed service', async () => {
    const fleet = await talliedFleet([stdio('files'), stdio('web')]);
    await fleet.clock.advanceUntil(() => fleet.state('web') === 'HEALTHY', 10 * SECOND);
    const late = new ServiceTallies(fleet.supervisor, fleet.clock);
    expect(late.all().map((tally) => [tally.service, tally.state, tally.checks])).toEqual([
      ['files', 'HEALTHY', 0],
      ['web', 'HEALTHY', 0],
    ]);
    const changed: string[] = [];
    late.changes$.subscribe((key) => changed.push(key));
    await fleet.supervisor.removeService('web');
    expect(changed).toContain('web');
    expect(late.get('web')).toBeUndefined();
    expect(fleet.tallies.all().map((tally) => tally.service)).toEqual(['files']);
    let completed = false;
    late.changes$.subscribe({ complete: () => (completed = true) });
    late.close();
    expect(completed).toBe(true);
    await fleet.supervisor.stop();
  });
});
