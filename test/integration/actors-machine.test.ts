// The service statechart driving real MCP servers through the actors: the lifecycle on real
// processes, with intervals shortened to milliseconds.

import { afterEach, describe, expect, it } from 'vitest';
import { createActor, type SnapshotFrom } from 'xstate';
import { McpConnections } from '../../src/actors/connection-registry.js';
import type { TransportConfig } from '../../src/config/transport.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { lifecycleState, serviceMachine, type ServiceState } from '../../src/machines/service.machine.js';
import {
  descendantsOf,
  eventually,
  modernStdioServer,
  startHttpServer,
  stdioServer,
  stopHttpServers,
  type ServerEra,
} from '../fixtures/test-servers.js';

type ServiceSnapshot = SnapshotFrom<typeof serviceMachine>;

/** Milliseconds instead of seconds; no jitter so runs are alike. */
const FAST: Partial<LifecycleConfig> = {
  startupWaitTime: 50,
  healthCheckInterval: 50,
  warningCheckInterval: 50,
  pingTimeout: 150,
  connectTimeout: 15_000,
  disconnectTimeout: 1_000,
  warningFailureThreshold: 1,
  reconnectingFailureThreshold: 2,
  reconnectBaseDelay: 20,
  reconnectMaxDelay: 100,
  jitter: 0,
};

let connections = new McpConnections({ closeTimeoutMs: 1_000 });
const running: { stop(): void }[] = [];

afterEach(async () => {
  for (const actor of running.splice(0)) actor.stop();
  await connections.closeAll(1_000);
  connections = new McpConnections({ closeTimeoutMs: 1_000 });
  await stopHttpServers();
  await eventually(() => descendantsOf().length === 0, 10_000, 'every server process is gone');
});

const topState = (snapshot: ServiceSnapshot) => lifecycleState(snapshot.value) as ServiceState;

/** Starts the service machine on `transport`; `states` lists every top-level state it entered. */
function startService(transport: TransportConfig, config: Partial<LifecycleConfig> = {}) {
  connections.register('svc', transport, 'svc');
  const actor = createActor(serviceMachine.provide({ actors: connections.actors }), {
    input: { serviceName: 'svc', transport, config: { ...FAST, ...config } },
  });
  const states: ServiceState[] = [];
  /** Why the service went RECONNECTING, and from where, each time it did. */
  const reconnectReasons: { from: ServiceState | undefined; reason: string | null }[] = [];
  actor.subscribe((snapshot) => {
    const state = topState(snapshot);
    const from = states.at(-1);
    if (from === state) return;
    states.push(state);
    if (state === 'RECONNECTING') reconnectReasons.push({ from, reason: snapshot.context.disconnectReason ?? snapshot.context.errorMessage });
  });
  actor.start();
  running.push(actor);
  return { actor, states, reconnectReasons };
}

/** Waits until `states` contains `sequence` in order (not necessarily adjacent). */
function reached(states: readonly ServiceState[], sequence: readonly ServiceState[]): boolean {
  let next = 0;
  for (const state of states) if (state === sequence[next]) next += 1;
  return next === sequence.length;
}

describe('a server that crashes', () => {
  it('goes RECONNECTING at once, then HEALTHY on a fresh process', async () => {
    // Crashes 300 ms after each connection; health checks are slow enough not to matter here.
    const { states, reconnectReasons } = startService(stdioServer(['--crash-after', '300']), {
      healthCheckInterval: 5_000,
      startupWaitTime: 5_000,
    });
    await eventually(
      () => reached(states, ['INITIALIZING', 'HEALTHY', 'RECONNECTING', 'HEALTHY']),
      10_000,
      `crash and recovery (${states.join(' → ')})`,
    );
    // (On a slow machine a crash may also hit a connect still listing tools: that one comes from INITIALIZING.)
    expect(reconnectReasons.find((entry) => entry.from === 'HEALTHY')?.reason).toMatch(/^the server process exited with code 1/);
  });
});

describe.each(['legacy', 'modern'] as const)('a %s stdio server killed with SIGKILL', (era: ServerEra) => {
  it('goes RECONNECTING at once, then HEALTHY on a fresh process', async () => {
    const transport = era === 'modern' ? modernStdioServer() : stdioServer();
    const { actor, states, reconnectReasons } = startService(transport, { healthCheckInterval: 5_000, startupWaitTime: 5_000 });
    await eventually(() => states.includes('HEALTHY'), 10_000, 'HEALTHY');
    expect(actor.getSnapshot().context.connection.protocol).toMatchObject({ era });
    process.kill(connections.diagnostics('svc')?.pid ?? 0, 'SIGKILL');
    await eventually(() => reached(states, ['HEALTHY', 'RECONNECTING', 'HEALTHY']), 10_000, `kill and recovery (${states.join(' → ')})`);
    expect(reconnectReasons[0]?.from).toBe('HEALTHY');
    expect(reconnectReasons[0]?.reason).toMatch(/^the server process was killed by SIGKILL/);
  });
});

describe('a modern stateless HTTP server killed and restarted on the same port', () => {
  it('is found lost at once (no session, no three failed probes): RECONNECTING, then HEALTHY', async () => {
    const first = await startHttpServer([], { era: 'modern' });
    // Every probe a success or a loss: the thresholds would take two failed probes through WARNING.
    const { actor, states, reconnectReasons } = startService(
      { type: 'streamable-http', url: first.url, headers: {}, sseFallback: false },
      { pingTimeout: 5_000, maxReconnectAttempts: 10_000 },
    );
    await eventually(() => states.includes('HEALTHY'), 10_000, 'HEALTHY');
    expect(actor.getSnapshot().context.connection.protocol).toEqual({ era: 'modern', version: '2026-07-28' });
    await first.kill();
    await eventually(() => states.includes('RECONNECTING'), 10_000, `RECONNECTING (${states.join(' → ')})`);
    expect(states).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING']);
    // Found by its notification stream dropping, or by the next probe.
    expect(reconnectReasons[0]?.reason).toMatch(/^(the event stream from|connection refused at|connection to|the server closed its notification stream)/);
    await startHttpServer([], { era: 'modern', port: first.port });
    await eventually(() => reached(states, ['HEALTHY', 'RECONNECTING', 'HEALTHY']), 10_000, `recovery (${states.join(' → ')})`);
  });
});

describe('a modern server that never answers the probe (server/discover)', () => {
  it('goes WARNING, then RECONNECTING', async () => {
    const { states } = startService(modernStdioServer(['--probe', 'hang']));
    await eventually(() => reached(states, ['HEALTHY', 'WARNING', 'RECONNECTING']), 10_000, `WARNING then RECONNECTING (${states.join(' → ')})`);
  });
});

describe('a server that never answers ping', () => {
  it('goes WARNING, then RECONNECTING', async () => {
    const { states } = startService(stdioServer(['--ping', 'hang']));
    await eventually(() => reached(states, ['HEALTHY', 'WARNING', 'RECONNECTING']), 10_000, `WARNING then RECONNECTING (${states.join(' → ')})`);
  });
});

describe('a server that answers ping with -32601', () => {
  it('stays HEALTHY: method not found means alive', async () => {
    // A ping timeout far above a loaded machine's round trip: only the -32601 answer is under test.
    const { actor, states } = startService(stdioServer(['--ping', 'unsupported']), { pingTimeout: 5_000 });
    await eventually(() => actor.getSnapshot().context.health.totalHealthChecks >= 5, 10_000, 'five health checks');
    expect(states).toEqual(['INITIALIZING', 'HEALTHY']);
    expect(actor.getSnapshot().context.health.consecutiveFailures).toBe(0);
  });
});

describe('STOP', () => {
  it('closes the connection and the process: DISCONNECTING → DISCONNECTED', async () => {
    const { actor, states } = startService(stdioServer());
    await eventually(() => states.includes('HEALTHY'), 10_000, 'HEALTHY');
    actor.send({ type: 'STOP' });
    await eventually(() => topState(actor.getSnapshot()) === 'DISCONNECTED', 10_000, 'DISCONNECTED');
    expect(descendantsOf()).toEqual([]);
  });
});
