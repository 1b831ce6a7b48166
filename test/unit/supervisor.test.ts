// The Supervisor's public API over scriptable connections, in virtual time.

import { describe, expect, it, vi } from 'vitest';
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { renderDashboard } from '../../src/cli/dashboard.js';
import { formatTransitionJson, formatTransitionLine } from '../../src/cli/transition-log.js';
import { ConnectionLostError, OperationTimeoutError } from '../../src/actors/errors.js';
import type { LifecycleConfig, Priority } from '../../src/machines/defaults.js';
import {
  DuplicateServiceError,
  HealthCheckTimeoutError,
  ServiceNotFoundError,
  ServiceUnavailableError,
  SupervisorStoppedError,
  ToolCallTimeoutError,
  ToolNotFoundError,
  WaitTimeoutError,
} from '../../src/supervisor/errors.js';
import type { FleetMetrics } from '../../src/supervisor/fleet-metrics.js';
import type { ToolCallOptions } from '../../src/supervisor/connection-layer.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import { Supervisor, type FleetSpec, type ServiceSpec, type SupervisorOptions } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;
const HOUR = 3600 * SECOND;

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: { API_KEY: 'hunter2' } },
  ...extra,
});

async function startFleet(
  services: ServiceSpec[],
  fleet: Partial<FleetSpec> = {},
  setup?: (c: InMemoryConnections) => void,
  options: Pick<SupervisorOptions, 'batchWindowMs'> = {},
) {
  const clock = new VirtualClock(1_700_000_000_000);
  const connections = inMemoryLayer(clock);
  setup?.(connections);
  const supervisor = new Supervisor({ services, ...fleet }, { connections, clock, random: () => 0.5, ...options });
  const transitions: Transition[] = [];
  const emissions: ReadonlyMap<string, ServiceSnapshot>[] = [];
  supervisor.transitions$.subscribe((t) => transitions.push(t));
  supervisor.services$.subscribe((s) => emissions.push(s));
  supervisor.start();
  await flush();
  const state = (key: string) => supervisor.getServiceInfo(key).state;
  const advance = (ms: number) => clock.advance(ms);
  const advanceUntil = (predicate: () => boolean, limitMs: number) => clock.advanceUntil(predicate, limitMs);
  const pendingTimers = () => clock.pending;
  return { supervisor, clock, connections, io: connections, transitions, emissions, state, advance, advanceUntil, pendingTimers };
}

/** The error `fn` throws (failing the test if it throws none). */
function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
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
    const clock = new VirtualClock();
    expect(() => new Supervisor({ services: [stdio('a'), stdio('a')] }, { connections: inMemoryLayer(clock), clock })).toThrow(
      DuplicateServiceError,
    );
  });

  it('removes a running service through DISCONNECTING, with a REMOVED transition', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    await f.supervisor.removeService('a');
    await flush();
    expect(f.supervisor.listServices().map((s) => s.key)).toEqual(['b']);
    expect(f.transitions.filter((t) => t.service === 'a').map((t) => [t.to, t.cause])).toEqual([
      ['INITIALIZING', 'registered'],
      ['HEALTHY', 'connected'],
      ['DISCONNECTING', 'removed'],
      ['DISCONNECTED', 'removed'],
      ['REMOVED', 'removed'],
    ]);
    expect(f.transitions.at(-1)?.reason).toBe('removed on request');
    expect(f.connections.unregistered).toContain('a');
    expect(f.io.calls.disconnect).toHaveLength(1);
  });

  it('removes a service by stopping its actor, so no per-name done event reaches the supervisor actor', async () => {
    // XState memoizes transitions per event type on every state node; a finished child's done event
    // (`xstate.done.actor.<name>`) would leave an entry for every name ever removed.
    const clock = new VirtualClock();
    const events: string[] = [];
    const supervisor = new Supervisor(
      { services: [] },
      {
        connections: inMemoryLayer(clock),
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

  it('starts a stopped service, and leaves a running one alone', async () => {
    const f = await startFleet([stdio('a')]);
    expect(f.supervisor.startService('a')).toBe(false);
    await flush();
    expect(f.transitions.map((t) => t.to)).toEqual(['INITIALIZING', 'HEALTHY']);
    f.supervisor.stopService('a');
    await flush();
    expect(f.supervisor.startService('a')).toBe(true);
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

describe('header secrets', () => {
  const SECRET = 's3cret-token';
  const remote = (name: string): ServiceSpec => ({
    name,
    transport: { type: 'streamable-http', url: 'http://127.0.0.1:1/mcp', headers: { Authorization: `Bearer ${SECRET}` }, sseFallback: false },
    lifecycle: { jitter: 0 },
  });

  it('never shows a header value in services$, getServiceInfo, listServices, transitions$, metrics$ or the CLI text', async () => {
    const f = await startFleet([remote('api')]);
    const metrics: FleetMetrics[] = [];
    f.supervisor.metrics$.subscribe((m) => metrics.push(m));
    f.io.defaults.connect = 'fail';
    f.io.loseConnection();
    await f.advance(2 * SECOND);
    f.io.defaults.connect = 'succeed';
    await f.advanceUntil(() => f.state('api') === 'HEALTHY', 60 * SECOND);
    f.supervisor.stopService('api');
    await flush();

    const info = f.supervisor.getServiceInfo('api');
    const cliText = [
      renderDashboard({ services: f.supervisor.listServices(), metrics: f.supervisor.metrics(), recent: f.transitions, now: f.clock.now(), width: 200 }),
      ...f.transitions.map((t) => formatTransitionLine(t)),
      ...f.transitions.map((t) => formatTransitionJson(t)),
    ].join('\n');
    const shown = {
      services$: f.emissions.map((emission) => [...emission.values()]),
      getServiceInfo: info,
      listServices: f.supervisor.listServices(),
      transitions$: f.transitions,
      metrics$: metrics,
      cliText,
    };
    expect(f.transitions.map((t) => t.to)).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING', 'HEALTHY', 'DISCONNECTING', 'DISCONNECTED']);
    for (const [surface, value] of Object.entries(shown)) expect(JSON.stringify(value), surface).not.toContain(SECRET);
    // The header's name stays visible; the connection layer alone gets its value.
    expect(info.config.transport).toMatchObject({ headers: { Authorization: '***' } });
    expect(f.connections.registered.get('api')).toMatchObject({ headers: { Authorization: `Bearer ${SECRET}` } });
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
    f.io.defaults.connect = 'fail';
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
    const f = await startFleet([stdio('a')], {}, (c) => (c.defaults.call = 'hang'));
    const call = f.supervisor.callTool('a', 'echo', {}, { timeoutMs: 5 * SECOND }).catch((e: unknown) => e);
    await f.advance(5 * SECOND);
    const error = await call;
    expect(error).toBeInstanceOf(ToolCallTimeoutError);
    expect((error as Error).message).toBe("call of 'echo' on service 'a' timed out after 5000 ms — raise timeoutMs if the tool is slow");
  });

  it('rejects a call in flight when the connection drops, and the service reconnects', async () => {
    const f = await startFleet([stdio('a')], {}, (c) => (c.defaults.call = 'drop'));
    await expect(f.supervisor.callTool('a', 'echo')).rejects.toThrow(/^connection lost: process exited with code 1/);
    await flush();
    expect(f.transitions.map((t) => t.to)).toContain('RECONNECTING');
    expect(f.state('a')).toBe('HEALTHY');
  });

  it('honours the caller abort signal', async () => {
    const f = await startFleet([stdio('a')], {}, (c) => (c.defaults.call = 'hang'));
    const controller = new AbortController();
    const call = f.supervisor.callTool('a', 'echo', {}, { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(call).rejects.toThrow('caller gave up');
  });
});

describe('callTool progress on a virtual clock', () => {
  /** A fleet whose tool calls hang until aborted; `progress()` sends the call in flight a notification. */
  async function progressFleet() {
    const f = await startFleet([stdio('a')]);
    let report: ((progress: { progress: number }) => void) | undefined;
    f.connections.callTool = (_key, _tool, _args, options) => {
      report = options.onProgress;
      return new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason as Error), { once: true }));
    };
    return { ...f, progress: (progress: number) => report?.({ progress }) };
  }

  it('hands progress to onProgress, and restarts timeoutMs at each notification with resetTimeoutOnProgress', async () => {
    const f = await progressFleet();
    const seen: number[] = [];
    let outcome: unknown = 'pending';
    void f.supervisor
      .callTool('a', 'echo', {}, { timeoutMs: 1_000, resetTimeoutOnProgress: true, onProgress: ({ progress }) => seen.push(progress) })
      .catch((error: unknown) => (outcome = error));
    for (let step = 1; step <= 5; step += 1) {
      await f.advance(800);
      f.progress(step);
    }
    await f.advance(999);
    expect(outcome).toBe('pending');
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await f.advance(1);
    expect(outcome).toBeInstanceOf(ToolCallTimeoutError);
    expect(outcome).toMatchObject({ timeoutMs: 1_000, limit: 'timeoutMs' });
  });

  it('does not restart timeoutMs on progress unless asked', async () => {
    const f = await progressFleet();
    let outcome: unknown = 'pending';
    void f.supervisor.callTool('a', 'echo', {}, { timeoutMs: 1_000, onProgress: () => undefined }).catch((error: unknown) => (outcome = error));
    await f.advance(800);
    f.progress(1);
    await f.advance(200);
    expect(outcome).toBeInstanceOf(ToolCallTimeoutError);
  });

  it('bounds the whole call by maxTotalTimeout, progress or not', async () => {
    const f = await progressFleet();
    let outcome: unknown = 'pending';
    void f.supervisor
      .callTool('a', 'echo', {}, { timeoutMs: 1_000, resetTimeoutOnProgress: true, maxTotalTimeout: 2_500 })
      .catch((error: unknown) => (outcome = error));
    for (let step = 1; step <= 4; step += 1) {
      await f.advance(500);
      f.progress(step);
    }
    await f.advance(499);
    expect(outcome).toBe('pending');
    await f.advance(1);
    expect(outcome).toBeInstanceOf(ToolCallTimeoutError);
    expect(outcome).toMatchObject({ timeoutMs: 2_500, limit: 'maxTotalTimeout' });
    expect((outcome as Error).message).toBe("call of 'echo' on service 'a' ran past its maxTotalTimeout of 2500 ms — raise maxTotalTimeout if the tool may take that long");
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
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })], {}, (c) => (c.defaults.call = 'timeOut'));
    await f.advance(2 * SECOND);
    await expect(f.supervisor.callTool('a', 'echo', {}, { timeoutMs: 5 * SECOND })).rejects.toThrow('timed out after 5000 ms');
    await flush();
    expect(f.supervisor.getServiceInfo('a').metadata).toMatchObject({
      consecutiveFailures: 1,
      errorMessage: 'tools/call echo timed out after 5000 ms',
    });
  });
});

describe('callTool on the real clock', () => {
  // The connection layer's own per-request timeout bounds the call: the supervisor adds no timer,
  // controller or error object the call does not need.
  async function realClockFleet() {
    const connections = inMemoryLayer(new VirtualClock());
    const supervisor = new Supervisor({ services: [stdio('a')] }, { connections }).start();
    await supervisor.waitForService('a', { timeoutMs: 60 * SECOND });
    return { supervisor, connections };
  }

  it('hands the timeout and the caller signal to the connection layer as they are', async () => {
    const { supervisor, connections } = await realClockFleet();
    const seen: ToolCallOptions[] = [];
    const answer = connections.callTool.bind(connections);
    connections.callTool = (key, tool, args, options) => {
      seen.push(options);
      return answer(key, tool, args, options);
    };
    const controller = new AbortController();
    await supervisor.callTool('a', 'echo', {}, { timeoutMs: 1234, signal: controller.signal });
    await supervisor.callTool('a', 'echo');
    expect(seen).toEqual([
      { timeoutMs: 1234, signal: controller.signal },
      { timeoutMs: 60_000, signal: undefined },
    ]);
    expect(seen[0]?.signal).toBe(controller.signal);
    await supervisor.stop();
  });

  it('hands the caller options object itself to the layer when it sets a timeout, with every option', async () => {
    const { supervisor, connections } = await realClockFleet();
    const seen: ToolCallOptions[] = [];
    const answer = connections.callTool.bind(connections);
    connections.callTool = (key, tool, args, options) => {
      seen.push(options);
      return answer(key, tool, args, options);
    };
    const onProgress = () => undefined;
    const options = { timeoutMs: 1_000, onProgress, resetTimeoutOnProgress: true, maxTotalTimeout: 5_000 };
    await supervisor.callTool('a', 'echo', {}, options);
    await supervisor.callTool('a', 'echo', {}, { onProgress });
    expect(seen[0]).toBe(options);
    expect(seen[1]).toEqual({ timeoutMs: 60_000, onProgress });
    await supervisor.stop();
  });

  it.each([
    ['OperationTimeoutError', () => new OperationTimeoutError('tools/call echo', 2_500)],
    ["the SDK's RequestTimeout", () => new SdkError(SdkErrorCode.RequestTimeout, 'Maximum total timeout exceeded', { maxTotalTimeout: 2_500, totalElapsed: 2_600 })],
  ])('reports a call past its maxTotalTimeout (%s) as ToolCallTimeoutError of that limit', async (_, timedOut) => {
    const { supervisor, connections } = await realClockFleet();
    connections.callTool = () => Promise.reject(timedOut());
    const error = await supervisor.callTool('a', 'echo', {}, { timeoutMs: 1_000, resetTimeoutOnProgress: true, maxTotalTimeout: 2_500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolCallTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 2_500, limit: 'maxTotalTimeout' });
    await supervisor.stop();
  });

  it.each([
    ['OperationTimeoutError', () => new OperationTimeoutError('tools/call echo', 5000)],
    ["the SDK's RequestTimeout", () => new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { timeout: 5000 })],
  ])('reports the layer timing the call out (%s) as ToolCallTimeoutError', async (_, timedOut) => {
    const { supervisor, connections } = await realClockFleet();
    connections.callTool = () => Promise.reject(timedOut());
    const error = await supervisor.callTool('a', 'echo', {}, { timeoutMs: 5 * SECOND }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolCallTimeoutError);
    expect((error as Error).message).toBe("call of 'echo' on service 'a' timed out after 5000 ms — raise timeoutMs if the tool is slow");
    await supervisor.stop();
  });

  it('passes any other failure through, and a caller abort as the signal reason', async () => {
    const { supervisor, connections } = await realClockFleet();
    const lost = new ConnectionLostError('the server process exited with code 1');
    connections.callTool = () => Promise.reject(lost);
    await expect(supervisor.callTool('a', 'echo')).rejects.toBe(lost);
    connections.callTool = (_key, _tool, _args, options) =>
      new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason as Error), { once: true }));
    const controller = new AbortController();
    const reason = new OperationTimeoutError('the caller’s own deadline', 10);
    const call = supervisor.callTool('a', 'echo', {}, { signal: controller.signal });
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
    await supervisor.stop();
  });
});

describe('waitForService', () => {
  it('resolves at once when the service is already available', async () => {
    const f = await startFleet([stdio('a')]);
    await expect(f.supervisor.waitForService('a')).resolves.toMatchObject({ state: 'HEALTHY' });
  });

  it('resolves when the service recovers', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    f.io.defaults.connect = 'fail';
    f.io.loseConnection();
    await flush();
    const waiting = f.supervisor.waitForService('a', { timeoutMs: 60 * SECOND });
    f.io.defaults.connect = 'succeed';
    await f.advance(SECOND);
    await expect(waiting).resolves.toMatchObject({ state: 'HEALTHY' });
  });

  it('rejects with WaitTimeoutError when the service does not get there in time', async () => {
    const f = await startFleet([stdio('a')]);
    f.io.defaults.connect = 'fail';
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
    f.io.defaults.ping = 'fail';
    const failed = await f.supervisor.checkHealth('a');
    expect(failed.ok).toBe(false);
    expect(failed.error).toContain('refused');
  });

  it('waits for a slow ping up to its timeout: one answered after 2 s is ok', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { pingTimeout: 3 * SECOND } })]);
    f.io.defaults.ping = { respondAfterMs: 2 * SECOND };
    const checking = f.supervisor.checkHealth('a');
    await f.advance(2 * SECOND);
    await expect(checking).resolves.toMatchObject({ service: 'a', ok: true, state: 'HEALTHY', responseTime: 2 * SECOND, error: null });
  });

  it('reports a ping that is never answered as failed once the ping timeout passes, not as a timeout of its own', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { pingTimeout: 3 * SECOND } })]);
    f.io.defaults.ping = 'hang';
    const checking = f.supervisor.checkHealth('a');
    await f.advance(3 * SECOND);
    await expect(checking).resolves.toMatchObject({ ok: false, state: 'HEALTHY', error: 'ping timed out after 3000 ms' });
  });

  it('names the service, its state and the next step when a health check has no outcome in time', () => {
    const error = new HealthCheckTimeoutError('a', 'HEALTHY', 13_000);
    expect(error).toMatchObject({ name: 'HealthCheckTimeoutError', service: 'a', state: 'HEALTHY', timeoutMs: 13_000 });
    expect(error.message).toBe(
      "the health check of service 'a' did not finish within 13000 ms (it is HEALTHY) — " +
        "call checkHealth('a') again, or restartService('a') if it keeps happening",
    );
  });

  it('reconnects at once on request, skipping the backoff', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } })]);
    f.io.defaults.connect = 'fail';
    f.io.loseConnection();
    await flush();
    f.io.defaults.connect = 'succeed';
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
    f.io.defaults.connect = { respondAfterMs: 100 };
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
    f.io.defaults.connect = 'hang';
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
  it('removes services DISCONNECTED for longer than max_disconnected_age_hours, and unregisters their connections', async () => {
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
    expect(f.connections.unregistered).toEqual(['old']);
    expect([...f.connections.registered.keys()]).toEqual(['live']);
  });
});

describe('restart budget', () => {
  it('restarts a crashed service actor in INITIALIZING, then marks it DISCONNECTED when the budget is spent', async () => {
    const f = await startFleet([stdio('a')], { supervisor: { maxRestarts: 2, restartWindow: 60 * SECOND } });
    f.io.defaults.crashWatcher = true;
    f.io.loseConnection();
    await flush();
    const reasons = f.transitions.filter((t) => t.to === 'INITIALIZING').map((t) => t.reason);
    expect(reasons.filter((r) => r.startsWith('restarted after a crash'))).toHaveLength(2);
    expect(f.state('a')).toBe('DISCONNECTED');
    expect(f.supervisor.getServiceInfo('a').metadata.disconnectReason).toMatch(
      /^restart budget exhausted: crashed 3 times within 60000 ms \(last: .*failed as it started \(a scripted crash\)/,
    );
    await expect(f.supervisor.callTool('a', 'echo')).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(() => f.supervisor.stopService('a')).not.toThrow();
    f.io.defaults.crashWatcher = false;
    f.supervisor.restartService('a');
    await flush();
    expect(f.state('a')).toBe('HEALTHY');
  });

  /** Crashes the service actor once (its connection actor throws on start), `spacing` ms apart. */
  async function crashRepeatedly(f: Awaited<ReturnType<typeof startFleet>>, times: number, spacing: number) {
    for (let crash = 0; crash < times; crash++) {
      if (crash > 0) await f.advance(spacing);
      f.io.defaults.crashWatcher = 'once';
      f.io.loseConnection();
      await flush();
    }
  }

  const crashRestarts = (f: Awaited<ReturnType<typeof startFleet>>) =>
    f.transitions.filter((t) => t.to === 'INITIALIZING' && t.reason.startsWith('restarted after a crash')).length;

  it('forgets crashes older than restart_window: crashes spaced just beyond it never spend the budget', async () => {
    const f = await startFleet([stdio('a')], { supervisor: { maxRestarts: 2, restartWindow: 60 * SECOND } });
    await crashRepeatedly(f, 6, 31 * SECOND);
    expect(crashRestarts(f)).toBe(6);
    expect(f.state('a')).toBe('HEALTHY');
  });

  it('counts crashes within restart_window: the third in 60 s spends a budget of 2', async () => {
    const f = await startFleet([stdio('a')], { supervisor: { maxRestarts: 2, restartWindow: 60 * SECOND } });
    await crashRepeatedly(f, 3, 29 * SECOND);
    expect(crashRestarts(f)).toBe(2);
    expect(f.state('a')).toBe('DISCONNECTED');
    expect(f.supervisor.getServiceInfo('a').metadata.disconnectReason).toMatch(/^restart budget exhausted: crashed 3 times within 60000 ms/);
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

  it('gathers every update of one batch window into one emission, the window measured on the supervisor clock', async () => {
    const f = await startFleet([stdio('a'), stdio('b'), stdio('c')], {}, undefined, { batchWindowMs: 50 });
    await f.advance(50);
    const before = f.emissions.length;
    f.supervisor.stopService('a');
    await f.advance(20);
    f.supervisor.stopService('b');
    await f.advance(29);
    expect(f.emissions).toHaveLength(before);
    await f.advance(1);
    expect(f.emissions).toHaveLength(before + 1);
    expect([...(f.emissions.at(-1)?.values() ?? [])].map((s) => s.state)).toEqual(['DISCONNECTED', 'DISCONNECTED', 'HEALTHY']);
    // The transitions were not held back.
    expect(f.transitions.filter((t) => t.to === 'DISCONNECTED').map((t) => t.service)).toEqual(['a', 'b']);
  });

  it('keeps the order of listServices() in every emission, and the unchanged snapshots as they were', async () => {
    const f = await startFleet([stdio('a'), stdio('b'), stdio('c')], {}, undefined, { batchWindowMs: 50 });
    await f.advance(50);
    const first = f.emissions.at(-1);
    f.supervisor.stopService('b');
    await f.advance(50);
    const patched = f.emissions.at(-1);
    expect([...(patched?.keys() ?? [])]).toEqual(['a', 'b', 'c']);
    expect(patched?.get('a')).toBe(first?.get('a'));
    expect(patched?.get('b')?.state).toBe('DISCONNECTED');
    await f.supervisor.removeService('a');
    f.supervisor.addService(stdio('a'));
    await f.advance(50);
    expect([...(f.emissions.at(-1)?.keys() ?? [])]).toEqual(f.supervisor.listServices().map((s) => s.key));
    expect([...(f.emissions.at(-1)?.keys() ?? [])]).toEqual(['b', 'c', 'a']);
  });

  it('on the real clock, gathers 50 ms of updates into one emission by default', async () => {
    vi.useFakeTimers();
    try {
      const supervisor = new Supervisor({ services: [stdio('a'), stdio('b'), stdio('c')] }, { connections: inMemoryLayer(new VirtualClock()) });
      const emissions: ReadonlyMap<string, ServiceSnapshot>[] = [];
      supervisor.services$.subscribe((s) => emissions.push(s));
      supervisor.start();
      await vi.advanceTimersByTimeAsync(50);
      expect(supervisor.listServices().map((s) => s.state)).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY']);
      const before = emissions.length;
      for (const key of ['a', 'b', 'c']) {
        supervisor.stopService(key);
        await vi.advanceTimersByTimeAsync(10);
      }
      await vi.advanceTimersByTimeAsync(19);
      expect(emissions).toHaveLength(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(emissions).toHaveLength(before + 1);
      expect([...(emissions.at(-1)?.values() ?? [])].every((s) => s.state === 'DISCONNECTED')).toBe(true);
      await supervisor.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('publishes every transition in order per service, even when snapshots coalesce', async () => {
    const f = await startFleet([stdio('a'), stdio('b')]);
    f.io.defaults.connect = 'fail';
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

  it('publishes metrics$ only when they change, not on every services$ emission', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { jitter: 0 } }), stdio('b', { lifecycle: { jitter: 0 } })]);
    await f.advance(3 * SECOND); // past the first pings, which set the average response time
    const metrics: FleetMetrics[] = [];
    f.supervisor.metrics$.subscribe((m) => metrics.push(m));
    const emissionsBefore = f.emissions.length;
    // Health checks every 30 s change each service's snapshot (ping times), not the fleet's metrics.
    await f.advance(5 * 60 * SECOND);
    expect(f.emissions.length - emissionsBefore).toBeGreaterThanOrEqual(10);
    f.supervisor.stopService('b');
    await f.advance(5 * 60 * SECOND);
    expect(metrics.map((m) => m.healthRate)).toEqual([100, 50]);
    for (let i = 1; i < metrics.length; i++) expect(metrics[i]).not.toEqual(metrics[i - 1]);
  });

  it('keeps the streams alive when one service fails', async () => {
    const f = await startFleet([stdio('a'), stdio('b')], {}, (c) => (c.script('a').connect = 'fail'));
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
    expect(f.connections.closeAllCalls).toBeGreaterThan(0);
    expect(completed).toBe(3);
    expect(f.pendingTimers()).toBe(0);
  });

  it('is bounded by the disconnect timeout when a close hangs', async () => {
    const f = await startFleet([stdio('a', { lifecycle: { disconnectTimeout: 2 * SECOND } })]);
    f.io.defaults.disconnect = 'hang';
    const stopping = f.supervisor.stop();
    await f.advance(2 * SECOND);
    await stopping;
    expect(f.connections.closeAllCalls).toBeGreaterThan(0);
  });

  it('is idempotent, and the API refuses work afterwards', async () => {
    const f = await startFleet([stdio('a')]);
    const first = f.supervisor.stop();
    expect(f.supervisor.stop()).toBe(first);
    await first;
    expect(() => f.supervisor.addService(stdio('b'))).toThrow(SupervisorStoppedError);
  });

  it('says the supervisor was stopped, not that it needs starting, when called after stop()', async () => {
    const f = await startFleet([stdio('a')]);
    await f.supervisor.stop();
    const stopped = 'the supervisor has been stopped — a stopped supervisor cannot be started again; create a new Supervisor';
    expect(thrownBy(() => f.supervisor.addService(stdio('b')))).toMatchObject({ reason: 'stopped', message: `cannot add a service: ${stopped}` });
    expect(thrownBy(() => f.supervisor.stopService('a')).message).toBe(`cannot stop a service: ${stopped}`);
    expect(thrownBy(() => f.supervisor.start()).message).toBe(`cannot start the supervisor: ${stopped}`);
  });

  it('says start() is needed when called before it', () => {
    const clock = new VirtualClock();
    const supervisor = new Supervisor({ services: [stdio('a')] }, { connections: inMemoryLayer(clock), clock });
    const error = thrownBy(() => supervisor.reconnect('a'));
    expect(error).toBeInstanceOf(SupervisorStoppedError);
    expect(error).toMatchObject({ reason: 'not-started', message: 'cannot reconnect: the supervisor has not been started yet — call start() first' });
  });

  it('rejects a waitForService in progress when the supervisor stops, saying so', async () => {
    const f = await startFleet([stdio('a')]);
    const waiting = f.supervisor.waitForService('a', { states: ['UNREACHABLE'] }).catch((e: unknown) => e);
    await f.supervisor.stop();
    const error = await waiting;
    expect(error).toBeInstanceOf(SupervisorStoppedError);
    expect((error as Error).message).toBe(
      "cannot wait for service 'a': the supervisor has been stopped — a stopped supervisor cannot be started again; create a new Supervisor",
    );
  });

  it('reports an empty fleet with a health rate of 0, not a division by zero', async () => {
    const f = await startFleet([]);
    expect(f.supervisor.metrics()).toMatchObject({ totalServices: 0, healthRate: 0, averageResponseTime: null });
  });
});
