// probes$, connects$ and processStarts$: every health check, connect attempt and server process start
// as the statechart and the connection layer report them, in virtual time over the in-memory layer.

import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ConnectAttempt, Probe, ProcessStart } from '../../src/supervisor/check-events.js';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: {} },
  ...extra,
});

async function recordedFleet(services: ServiceSpec[], setup?: (io: InMemoryConnections) => void) {
  const clock = new VirtualClock(1_700_000_000_000);
  const io = inMemoryLayer(clock);
  setup?.(io);
  const supervisor = new Supervisor({ services }, { connections: io, clock, random: () => 0.5 });
  const probes: Probe[] = [];
  const connects: ConnectAttempt[] = [];
  const starts: ProcessStart[] = [];
  supervisor.probes$.subscribe((probe) => probes.push(probe));
  supervisor.connects$.subscribe((attempt) => connects.push(attempt));
  supervisor.processStarts$.subscribe((start) => starts.push(start));
  supervisor.start();
  await flush();
  const state = (name: string) => supervisor.getServiceInfo(name).state;
  return { supervisor, clock, io, probes, connects, starts, state };
}

describe('probes$', () => {
  it('reports each answered check with its duration, response time and tier', async () => {
    const fleet = await recordedFleet([stdio('files', { lifecycle: { healthyThreshold: 100, warningThreshold: 500 } })]);
    fleet.io.defaults.ping = { respondAfterMs: 300 };
    await fleet.clock.advanceUntil(() => fleet.probes.length >= 2, 10 * 60 * SECOND);
    const [first] = fleet.probes;
    expect(first).toMatchObject({ service: 'files', agent: null, outcome: 'ok', durationMs: 300, responseTime: 300, tier: 'warning', failure: null });
    const snapshot = fleet.supervisor.getServiceInfo('files');
    expect(fleet.probes[1]?.at).toBe(snapshot.metadata.lastHealthCheck);
    await fleet.supervisor.stop();
  });

  it('reports a refused probe as failed with its code, and an unanswered one as timed out', async () => {
    const fleet = await recordedFleet([stdio('files', { lifecycle: { pingTimeout: 2_000 } })]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * SECOND);
    fleet.io.defaults.ping = 'fail';
    await fleet.clock.advanceUntil(() => fleet.probes.length >= 1, 10 * 60 * SECOND);
    fleet.io.defaults.ping = 'hang';
    await fleet.clock.advanceUntil(() => fleet.probes.length >= 2, 10 * 60 * SECOND);
    const [refused, unanswered] = fleet.probes;
    expect(refused).toMatchObject({ outcome: 'failed', tier: 'unhealthy', responseTime: null });
    expect(refused?.failure?.code).toBe('MCP_REQUEST_FAILED');
    expect(refused?.failure?.message).toMatch(/ping failed/);
    expect(unanswered).toMatchObject({ outcome: 'timed_out', durationMs: 2_000, tier: 'unhealthy', failure: { code: 'OPERATION_TIMEOUT' } });
    await fleet.supervisor.stop();
  });

  it('reports a check that a tool call answered (passive health) as answered_by_call, untimed', async () => {
    const fleet = await recordedFleet([stdio('files', { lifecycle: { passiveHealth: true } })]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY', 10 * SECOND);
    await fleet.supervisor.callTool('files', 'echo', {});
    await fleet.clock.advanceUntil(() => fleet.probes.length >= 1, 10 * 60 * SECOND);
    expect(fleet.probes[0]).toMatchObject({ outcome: 'answered_by_call', durationMs: null, responseTime: null, tier: null });
    expect(fleet.io.probesSent).toBe(0);
    await fleet.supervisor.stop();
  });

  it('reports each check once: as many probes as the statechart counted checks', async () => {
    const fleet = await recordedFleet([stdio('a'), stdio('b')]);
    await fleet.clock.advanceUntil(() => fleet.probes.length >= 6, 10 * 60 * SECOND);
    fleet.io.script('b').ping = 'fail';
    // Failed checks reach the reconnect threshold; the reconnect that follows succeeds at once.
    await fleet.clock.advanceUntil(() => fleet.connects.filter((attempt) => attempt.service === 'b').length >= 2, 10 * 60 * SECOND);
    for (const name of ['a', 'b']) {
      const checks = fleet.supervisor.getServiceInfo(name).metadata.totalHealthChecks;
      expect(fleet.probes.filter((probe) => probe.service === name)).toHaveLength(checks);
    }
    const threshold = fleet.supervisor.getServiceInfo('b').config.lifecycle.reconnectingFailureThreshold;
    expect(fleet.probes.filter((probe) => probe.service === 'b' && probe.outcome === 'failed')).toHaveLength(threshold);
    await fleet.supervisor.stop();
  });
});

describe('connects$ and processStarts$', () => {
  it('reports every connect attempt, and a process start for every stdio connect', async () => {
    const fleet = await recordedFleet([stdio('files'), { name: 'remote', transport: { type: 'streamable-http', url: 'http://127.0.0.1:1/mcp', headers: {}, sseFallback: false } }]);
    await fleet.clock.advanceUntil(() => fleet.state('files') === 'HEALTHY' && fleet.state('remote') === 'HEALTHY', 10 * SECOND);
    expect(fleet.connects.map(({ service, attempt, failure }) => ({ service, attempt, failure }))).toEqual([
      { service: 'files', attempt: 0, failure: null },
      { service: 'remote', attempt: 0, failure: null },
    ]);
    expect(fleet.starts).toEqual([{ service: 'files', agent: null, pid: null, at: fleet.connects[0]?.at }]);

    fleet.io.defaults.connect = 'fail';
    fleet.io.loseConnection('process exited with code 1', 'files');
    await fleet.clock.advanceUntil(() => fleet.connects.filter((attempt) => attempt.service === 'files').length >= 3, 10 * 60 * SECOND);
    const reconnects = fleet.connects.filter((attempt) => attempt.service === 'files').slice(1);
    expect(reconnects.map((attempt) => attempt.attempt)).toEqual([1, 2]);
    expect(reconnects.map((attempt) => attempt.failure?.message)).toEqual(['connect failed: connection refused', 'connect failed: connection refused']);
    // Each attempt would start the server afresh.
    expect(fleet.starts).toHaveLength(3);
    await fleet.supervisor.stop();
  });

  it('completes the streams when the supervisor stops', async () => {
    const fleet = await recordedFleet([stdio('files')]);
    let completed = 0;
    const streams: Observable<unknown>[] = [fleet.supervisor.probes$, fleet.supervisor.connects$, fleet.supervisor.processStarts$];
    for (const stream of streams) stream.subscribe({ complete: () => (completed += 1) });
    await fleet.supervisor.stop();
    expect(completed).toBe(3);
  });
});
