// The Supervisor (SPEC §5) over scriptable connections, in virtual time.

import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { LifecycleConfig, Priority } from '../../src/machines/defaults.js';
import {
  DuplicateServiceError,
  ServiceNotFoundError,
  ServiceUnavailableError,
  SupervisorStoppedError,
  ToolCallTimeoutError,
  ToolNotFoundError,
  WaitTimeoutError,
} from '../../src/supervisor/errors.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import { Supervisor, type FleetSpec, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { FakeConnections } from '../support/fake-connections.js';
import { flush, virtualTime } from '../support/virtual-time.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: { API_KEY: 'hunter2' } },
  ...extra,
});

async function startFleet(services: ServiceSpec[], fleet: Partial<FleetSpec> = {}, setup?: (c: FakeConnections) => void) {
  const clock = new SimulatedClock();
  clock.set(1_700_000_000_000);
  const connections = new FakeConnections(clock);
  setup?.(connections);
  const supervisor = new Supervisor({ services, ...fleet }, { connections, clock, random: () => 0.5 });
  const transitions: Transition[] = [];
  const emissions: ReadonlyMap<string, ServiceSnapshot>[] = [];
  supervisor.transitions$.subscribe((t) => transitions.push(t));
  supervisor.services$.subscribe((s) => emissions.push(s));
  supervisor.start();
  await flush();
  const time = virtualTime(clock);
  const state = (key: string) => supervisor.getServiceInfo(key).state;
  return { supervisor, clock, connections, io: connections.io, transitions, emissions, state, ...time };
}

describe('Supervisor lifecycle of services', () => {
  it('starts every enabled service and skips disabled ones', async () => {
    const f = await startFleet([stdio('a'), stdio('b'), stdio('off', { enabled: false })]);
    expect(f.supervisor.listServices().map((s) => [s.key, s.state])).toEqual([
      ['a', 'HEALTHY'],
      ['b', 'HEALTHY'],
    ]);
    expect([...f.connections.registered.keys()]).toEqual(['a', 'b']);
  });

  it('adds a service at run time, and rejects a duplicate name in the same scope', async () => {
    const f = await startFleet([stdio('a')]);
    f.supervisor.addService(stdio('b'));
    await flush();
    expect(f.state('b')).toBe('HEALTHY');
    expect(() => f.supervisor.addService(stdio('a'))).toThrow(DuplicateServiceError);
    f.supervisor.addService(stdio('a', { agentId: 'agent-1' }));
    await flush();
    expect(f.state('agent-1/a')).toBe('HEALTHY');
  });

  it('adds a service written as in YAML, validated like the file', async () => {
    const f = await startFleet([]);
    f.supervisor.addService({ name: 'yaml-style', command: 'node', args: ['x.js'], profile: 'critical', ping_timeout: '5s' });
    await flush();
    expect(f.supervisor.getServiceInfo('yaml-style').config.lifecycle).toMatchObject({ healthCheckInterval: 10_000, pingTimeout: 5000 });
    expect(() => f.supervisor.addService({ name: 'bad', comand: 'node' })).toThrow(/unknown key `comand` — did you mean `command`\?/);
  });

  it('rejects a duplicate name in the initial config', () => {
    const clock = new SimulatedClock();
    expect(() => new Supervisor({ services: [stdio('a'), stdio('a')] }, { connections: new FakeConnections(clock), clock })).toThrow(
      DuplicateServiceError,
    );
  });

  it('removes a running service through DISCONNECTING, with a REMOVED transition', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    await f.supervisor.removeService('a');
    await flush();
    expect(f.supervisor.listServices().map((s) => s.key)).toEqual(['b']);
    expect(f.transitions.filter((t) => t.service === 'a').map((t) => t.to)).toEqual([
      'INITIALIZING',
      'HEALTHY',
      'DISCONNECTING',
      'DISCONNECTED',
      'REMOVED',
    ]);
    expect(f.transitions.at(-1)?.reason).toBe('removed on request');
    expect(f.connections.unregistered).toContain('a');
    expect(f.io.calls.disconnect).toHaveLength(1);
  });

  it('removes a service by stopping its actor, so no per-name done event reaches the supervisor actor', async () => {
    // XState memoizes transitions per event type on every state node; a finished child's done event
    // (`xstate.done.actor.<name>`) would leave an entry for every name ever removed.
    const clock = new SimulatedClock();
    const events: string[] = [];
    const supervisor = new Supervisor(
      { services: [] },
      {
        connections: new FakeConnections(clock),
        clock,
        inspect: (event) => {
          if (event.type === '@xstate.event') events.push(event.event.type);
        },
      },
    ).start();
    for (let index = 0; index < 5; index += 1) {
      supervisor.addService(stdio(`svc-${index}`));
      await flush();
      await supervisor.removeService(`svc-${index}`);
      await flush();
    }
    expect(supervisor.listServices()).toEqual([]);
    expect(events.filter((type) => type.startsWith('xstate.done.actor.svc-'))).toEqual([]);
    await supervisor.stop();
  });

  it('stops a service (it stays listed as DISCONNECTED) and restarts it', async () => {
    const f = await startFleet([stdio('a')]);
    f.supervisor.stopService('a');
    await flush();
    expect(f.state('a')).toBe('DISCONNECTED');
    f.supervisor.restartService('a');
    await flush();
    expect(f.state('a')).toBe('HEALTHY');
    expect(f.transitions.map((t) => t.to)).toEqual(['INITIALIZING', 'HEALTHY', 'DISCONNECTING', 'DISCONNECTED', 'INITIALIZING', 'HEALTHY']);
  });

  it('restarts an active service through DISCONNECTING → INITIALIZING', async () => {
    const f = await startFleet([stdio('a')]);
    f.supervisor.restartService('a');
    await flush();
    expect(f.transitions.map((t) => `${t.from}→${t.to}`).slice(-3)).toEqual([
      'HEALTHY→DISCONNECTING',
      'DISCONNECTING→INITIALIZING',
      'INITIALIZING→HEALTHY',
    ]);
  });

  it('filters services and tools by agent scope', async () => {
    const f = await startFleet([stdio('shared'), stdio('mine', { agentId: 'alice' }), stdio('yours', { agentId: 'bob' })]);
    expect(f.supervisor.listServices({ agent: 'alice' }).map((s) => s.key)).toEqual(['alice/mine']);
    expect(f.supervisor.listServices({ agent: null }).map((s) => s.key)).toEqual(['shared']);
    expect(f.supervisor.listTools({ agent: 'bob' }).map((t) => `${t.service}:${t.name}`)).toEqual(['bob/yours:echo', 'bob/yours:add']);
    expect(f.supervisor.listTools()).toHaveLength(6);
  });

  it('shows state, metadata, tools and the redacted config in getServiceInfo', async () => {
    const f = await startFleet([stdio('a')]);
    const info = f.supervisor.getServiceInfo('a');
    expect(info).toMatchObject({ key: 'a', state: 'HEALTHY', available: true, metadata: { toolCount: 2, consecutiveFailures: 0 } });
    expect(info.config.transport).toMatchObject({ env: { API_KEY: '***' } });
    expect(JSON.stringify(info)).not.toContain('hunter2');
    expect(f.connections.registered.get('a')).toMatchObject({ env: { API_KEY: 'hunter2' } });
  });
});

describe('Supervisor typed errors', () => {
  it('throws ServiceNotFoundError for an unknown service', async () => {
    const f = await startFleet([stdio('a')]);
    expect(() => f.supervisor.getServiceInfo('nope')).toThrow(ServiceNotFoundError);
    await expect(f.supervisor.callTool('nope', 'echo')).rejects.toThrow(ServiceNotFoundError);
    await expect(f.supervisor.removeService('nope')).rejects.toThrow(/no service named 'nope'/);
  });

  it('rejects a call to an unavailable service at once, naming its state and next retry', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    f.io.connect = 'fail';
    f.io.loseConnection();
    await flush();
    const error = await f.supervisor.callTool('a', 'echo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ service: 'a', state: 'RECONNECTING', nextRetryTime: f.clock.now() + SECOND });
    expect((error as Error).message).toMatch(/service 'a' is RECONNECTING .* next retry at .*waitForService/);
  });

  it('throws ToolNotFoundError listing the tools the service has', async () => {
    const f = await startFleet([stdio('a')]);
    await expect(f.supervisor.callTool('a', 'nope')).rejects.toThrow("service 'a' has no tool 'nope' (it has: echo, add)");
    await expect(f.supervisor.callTool('a', 'nope')).rejects.toBeInstanceOf(ToolNotFoundError);
  });

  it('calls a tool on an available service', async () => {
    const f = await startFleet([stdio('a')]);
    await expect(f.supervisor.callTool('a', 'echo', { text: 'hi' })).resolves.toEqual({
      content: [{ type: 'text', text: 'a:echo:{"text":"hi"}' }],
    });
  });

  it('never lets a call hang past its timeout (ToolCallTimeoutError)', async () => {
    const f = await startFleet([stdio('a')], {}, (c) => (c.callBehaviour = 'hang'));
    const call = f.supervisor.callTool('a', 'echo', {}, { timeoutMs: 5 * SECOND }).catch((e: unknown) => e);
    await f.advance(5 * SECOND);
    const error = await call;
    expect(error).toBeInstanceOf(ToolCallTimeoutError);
    expect((error as Error).message).toBe("call of 'echo' on service 'a' timed out after 5000 ms — raise timeoutMs if the tool is slow");
  });

  it('rejects a call in flight when the connection drops, and the service reconnects', async () => {
    const f = await startFleet([stdio('a')], {}, (c) => (c.callBehaviour = 'dropConnection'));
    await expect(f.supervisor.callTool('a', 'echo')).rejects.toThrow(/lost during the call/);
    await flush();
    expect(f.transitions.map((t) => t.to)).toContain('RECONNECTING');
    expect(f.state('a')).toBe('HEALTHY');
  });

  it('honours the caller abort signal', async () => {
    const f = await startFleet([stdio('a')], {}, (c) => (c.callBehaviour = 'hang'));
    const controller = new AbortController();
    const call = f.supervisor.callTool('a', 'echo', {}, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(call).rejects.toThrow('caller gave up');
  });
});

describe('passive health through callTool', () => {
  it('lets a call answered since the last check stand in for the next ping', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    await f.advance(2 * SECOND);
    expect(f.io.calls.ping).toHaveLength(1);
    await f.supervisor.callTool('a', 'echo', { text: 'hi' });
    await f.advance(30 * SECOND);
    expect(f.io.calls.ping).toHaveLength(1);
    expect(f.supervisor.getServiceInfo('a').metadata).toMatchObject({ totalHealthChecks: 2, consecutiveSuccesses: 2 });
  });

  it('counts a call that fails at the transport level as a failed check', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })], {}, (c) => (c.callBehaviour = 'timeOut'));
    await f.advance(2 * SECOND);
    await expect(f.supervisor.callTool('a', 'echo', {}, { timeoutMs: 5 * SECOND })).rejects.toThrow('timed out after 5000 ms');
    await flush();
    expect(f.supervisor.getServiceInfo('a').metadata).toMatchObject({
      consecutiveFailures: 1,
      errorMessage: 'tools/call echo timed out after 5000 ms',
    });
  });
});

describe('waitForService', () => {
  it('resolves at once when the service is already available', async () => {
    const f = await startFleet([stdio('a')]);
    await expect(f.supervisor.waitForService('a')).resolves.toMatchObject({ state: 'HEALTHY' });
  });

  it('resolves when the service recovers', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    f.io.connect = 'fail';
    f.io.loseConnection();
    await flush();
    const waiting = f.supervisor.waitForService('a', { timeoutMs: 60 * SECOND });
    f.io.connect = 'succeed';
    await f.advance(SECOND);
    await expect(waiting).resolves.toMatchObject({ state: 'HEALTHY' });
  });

  it('rejects with WaitTimeoutError when the service does not get there in time', async () => {
    const f = await startFleet([stdio('a')]);
    f.io.connect = 'fail';
    f.io.loseConnection();
    await flush();
    const waiting = f.supervisor.waitForService('a', { timeoutMs: 10 * SECOND }).catch((e: unknown) => e);
    await f.advance(10 * SECOND);
    const error = await waiting;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/service 'a' did not reach HEALTHY or WARNING within 10000 ms/);
  });

  it('waits for any requested state', async () => {
    const f = await startFleet([stdio('a')]);
    const waiting = f.supervisor.waitForService('a', { states: ['DISCONNECTED'] });
    f.supervisor.stopService('a');
    await expect(waiting).resolves.toMatchObject({ state: 'DISCONNECTED', metadata: { disconnectReason: 'stopped on request' } });
  });
});

describe('checkHealth and reconnect', () => {
  it('runs a ping at once and reports its outcome', async () => {
    const f = await startFleet([stdio('a')]);
    await expect(f.supervisor.checkHealth('a')).resolves.toMatchObject({ service: 'a', ok: true, state: 'HEALTHY', healthTier: 'healthy' });
    f.io.ping = 'fail';
    await expect(f.supervisor.checkHealth('a')).resolves.toMatchObject({ ok: false, error: expect.stringContaining('refused') });
  });

  it('reconnects at once on request, skipping the backoff', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    f.io.connect = 'fail';
    f.io.loseConnection();
    await flush();
    f.io.connect = 'succeed';
    f.supervisor.reconnect('a');
    await flush();
    expect(f.state('a')).toBe('HEALTHY');
  });
});

describe('connect queue', () => {
  it('never opens more than max_concurrent_connects when 200 services fail together, critical first', async () => {
    const priorities: Priority[] = ['low', 'normal', 'high', 'critical'];
    const services = Array.from({ length: 200 }, (_, i) =>
      stdio(`s${i}`, { lifecycle: { priority: priorities[i % 4] as Priority, jitter: 0 } }),
    );
    const f = await startFleet(services, { supervisor: { maxConcurrentConnects: 8 } });
    expect(f.supervisor.listServices().every((s) => s.state === 'HEALTHY')).toBe(true);
    f.io.connect = { respondAfterMs: 100 };
    const before = f.io.calls.connect.length;
    f.io.loseConnection();
    await flush();
    expect(f.supervisor.connectQueue.inFlight).toBe(8);
    expect(f.supervisor.connectQueue.queued).toBe(192);
    await f.advanceUntil(() => f.supervisor.listServices().every((s) => s.state === 'HEALTHY'), 60 * SECOND);
    expect(f.supervisor.connectQueue.peak).toBe(8);
    // The first 8 found free slots; everything that queued was served critical, high, normal, low.
    const queued = f.io.calls.connect.slice(before + 8).map((call) => call.input.priority);
    const runs = queued.filter((p, i) => p !== queued[i - 1]);
    expect(runs).toEqual(['critical', 'high', 'normal', 'low']);
    expect(queued.filter((p) => p === 'critical')).toHaveLength(48);
  });

  it('releases the slot of an attempt that is aborted while queued or connecting', async () => {
    const f = await startFleet([stdio('a'), stdio('b')], { supervisor: { maxConcurrentConnects: 1 } });
    f.io.connect = 'hang';
    f.io.loseConnection();
    await flush();
    expect(f.supervisor.connectQueue).toMatchObject({ inFlight: 1, queued: 1 });
    f.supervisor.stopService('a');
    f.supervisor.stopService('b');
    await flush();
    expect(f.supervisor.connectQueue).toMatchObject({ inFlight: 0, queued: 0 });
  });
});

describe('cleanup sweep', () => {
  it('removes services DISCONNECTED for longer than max_disconnected_age_hours', async () => {
    const lifecycle: Partial<LifecycleConfig> = { maxDisconnectedAgeHours: 48 };
    const f = await startFleet([stdio('old', { lifecycle }), stdio('live')], { cleanupIntervalHours: 24 });
    f.supervisor.stopService('old');
    await flush();
    await f.advance(24 * HOUR);
    expect(f.supervisor.listServices().map((s) => s.key)).toEqual(['old', 'live']);
    await f.advance(24 * HOUR);
    expect(f.supervisor.listServices().map((s) => s.key)).toEqual(['live']);
    expect(f.transitions.at(-1)).toMatchObject({
      service: 'old',
      from: 'DISCONNECTED',
      to: 'REMOVED',
      reason: 'removed by the cleanup sweep: disconnected for more than 48 h',
    });
  });
});

describe('restart budget', () => {
  it('restarts a crashed service actor in INITIALIZING, then marks it DISCONNECTED when the budget is spent', async () => {
    const f = await startFleet([stdio('a')], { supervisor: { maxRestarts: 2, restartWindow: 60 * SECOND } });
    f.io.watchThrows = true;
    f.io.loseConnection();
    await flush();
    const reasons = f.transitions.filter((t) => t.to === 'INITIALIZING').map((t) => t.reason);
    expect(reasons.filter((r) => r.startsWith('restarted after a crash'))).toHaveLength(2);
    expect(f.state('a')).toBe('DISCONNECTED');
    expect(f.supervisor.getServiceInfo('a').metadata.disconnectReason).toMatch(
      /^restart budget exhausted: crashed 3 times within 60000 ms \(last: .*watcher exploded/,
    );
    await expect(f.supervisor.callTool('a', 'echo')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(() => f.supervisor.stopService('a')).not.toThrow();
    f.io.watchThrows = false;
    f.supervisor.restartService('a');
    await flush();
    expect(f.state('a')).toBe('HEALTHY');
  });
});

describe('streams', () => {
  it('replays the latest services$ value to a late subscriber', async () => {
    const f = await startFleet([stdio('a')]);
    await flush();
    const seen: ReadonlyMap<string, ServiceSnapshot>[] = [];
    f.supervisor.services$.subscribe((value) => seen.push(value));
    expect(seen).toHaveLength(1);
    expect(seen[0]?.get('a')?.state).toBe('HEALTHY');
  });

  it('coalesces a batch of changes from many services into one emission', async () => {
    const f = await startFleet(Array.from({ length: 50 }, (_, i) => stdio(`s${i}`)));
    await flush();
    const before = f.emissions.length;
    for (let i = 0; i < 50; i++) f.supervisor.stopService(`s${i}`);
    await flush();
    expect(f.emissions.length - before).toBe(1);
    expect([...(f.emissions.at(-1)?.values() ?? [])].every((s) => s.state === 'DISCONNECTED')).toBe(true);
  });

  it('publishes every transition in order per service, even when snapshots coalesce', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    f.io.connect = 'fail';
    f.io.loseConnection();
    await f.advance(HOUR);
    for (const key of ['a', 'b']) {
      const mine = f.transitions.filter((t) => t.service === key);
      for (let i = 1; i < mine.length; i++) expect(mine[i]?.from).toBe(mine[i - 1]?.to);
      expect(mine.map((t) => t.to)).toContain('UNREACHABLE');
    }
  });

  it('publishes fleet metrics on change', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    const metrics: number[] = [];
    f.supervisor.metrics$.subscribe((m) => metrics.push(m.healthRate));
    f.supervisor.stopService('b');
    await flush();
    expect(metrics.at(-1)).toBe(50);
    expect(f.supervisor.metrics()).toMatchObject({ totalServices: 2, healthyServices: 1, availableServices: 1 });
  });

  it('keeps the streams alive when one service fails', async () => {
    const f = await startFleet([stdio('a'), stdio('b')], {}, (c) => c.io.perService.set('a', { connect: 'fail' }));
    let errored = false;
    f.supervisor.services$.subscribe({ error: () => (errored = true) });
    await f.advance(HOUR);
    expect(errored).toBe(false);
    expect(f.state('b')).toBe('HEALTHY');
  });
});

describe('churn', () => {
  it('leaves timers, children and registrations flat after 200 add/remove cycles', async () => {
    const f = await startFleet([stdio('resident')]);
    await f.advance(SECOND);
    const baseline = { timers: f.pendingTimers(), children: Object.keys(f.supervisor['root']?.getSnapshot().children ?? {}).length };
    for (let i = 0; i < 200; i++) {
      f.supervisor.addService(stdio(`temp-${i % 7}`));
      await flush();
      await f.supervisor.removeService(`temp-${i % 7}`);
    }
    await flush();
    expect(f.supervisor.listServices().map((s) => s.key)).toEqual(['resident']);
    expect(f.pendingTimers()).toBe(baseline.timers);
    expect(Object.keys(f.supervisor['root']?.getSnapshot().children ?? {})).toHaveLength(baseline.children);
    expect(Object.keys(f.supervisor['root']?.getSnapshot().context.services ?? {})).toEqual(['resident']);
    expect([...f.connections.registered.keys()]).toEqual(['resident']);
    expect(f.io.activeWatchers).toBe(1);
  });
});

describe('stop()', () => {
  it('takes every service through DISCONNECTING to DISCONNECTED, closes connections and completes the streams', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    let completed = 0;
    f.supervisor.services$.subscribe({ complete: () => completed++ });
    f.supervisor.transitions$.subscribe({ complete: () => completed++ });
    f.supervisor.metrics$.subscribe({ complete: () => completed++ });
    await f.supervisor.stop();
    expect(f.transitions.filter((t) => t.to === 'DISCONNECTED').map((t) => t.service).sort()).toEqual(['a', 'b']);
    expect(f.transitions.filter((t) => t.to === 'DISCONNECTED').every((t) => t.reason === 'supervisor stopped')).toBe(true);
    expect(f.connections.closedAll).toBe(true);
    expect(completed).toBe(3);
    expect(f.pendingTimers()).toBe(0);
  });

  it('is bounded by the disconnect timeout when a close hangs', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { disconnectTimeout: 2 * SECOND } })]);
    f.io.disconnect = 'hang';
    const stopping = f.supervisor.stop();
    await f.advance(2 * SECOND);
    await stopping;
    expect(f.connections.closedAll).toBe(true);
  });

  it('is idempotent, and the API refuses work afterwards', async () => {
    const f = await startFleet([stdio('a')]);
    const first = f.supervisor.stop();
    expect(f.supervisor.stop()).toBe(first);
    await first;
    expect(() => f.supervisor.addService(stdio('b'))).toThrow(SupervisorStoppedError);
  });

  it('reports an empty fleet with a health rate of 0, not a division by zero', async () => {
    const f = await startFleet([]);
    expect(f.supervisor.metrics()).toMatchObject({ totalServices: 0, healthRate: 0, averageResponseTime: null });
  });
});
