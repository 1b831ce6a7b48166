// The Supervisor's lifecycle against real servers of both protocol generations — legacy (SDK v1) and
// modern (SDK v2, stateless over HTTP) — over stdio and Streamable HTTP: connect and probe, a crash
// (SIGKILL) and the recovery, and a hang (SIGSTOP) judged by the health checks' own counters and times.

import { afterEach, describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import {
  descendantsOf,
  eventually,
  isRunning,
  modernStdioServer,
  startHttpServer,
  stdioServer,
  stopHttpServers,
  type HttpServer,
  type ServerEra,
} from '../fixtures/test-servers.js';

/** Budgets far above what a loaded machine needs, so only a broken behaviour can exhaust them. */
const PATIENT_MS = 15_000;
const REVISION: Record<ServerEra, string> = { legacy: '2025-11-25', modern: '2026-07-28' };
const SERVICE = 'svc';

/**
 * Short intervals and quick reconnects, but a ping timeout far above a loaded machine's round trip: in
 * these tests a slow ping is not a failure. The thresholds are the defaults' shape (warning before
 * reconnecting), so a loss found by probe failures would show WARNING first.
 */
const STEADY: Partial<LifecycleConfig> = {
  healthCheckInterval: 200,
  startupWaitTime: 0,
  pingTimeout: 5_000,
  warningFailureThreshold: 2,
  reconnectingFailureThreshold: 3,
  reconnectBaseDelay: 100,
  reconnectMaxDelay: 400,
  maxReconnectAttempts: 50,
  failedCloseTimeout: 300,
  jitter: 0,
};

/** A hang must be found by timed-out probes: short checks and a short ping timeout. */
const HANG = { ...STEADY, healthCheckInterval: 250, pingTimeout: 200, warningFailureThreshold: 2, reconnectingFailureThreshold: 3 } as const;

/**
 * Times are whole epoch milliseconds (Date.now) while timers run on the monotonic clock: one measured
 * interval may come out a millisecond or two short of the timer that produced it.
 */
const CLOCK_SLACK_MS = 2;

let supervisor: Supervisor | null = null;
/** Processes this file stopped (SIGSTOP): resumed before anything else is cleaned up. */
const stopped = new Set<number>();

afterEach(async () => {
  // Resume only what is still ours: a pid that is no longer a descendant may belong to someone else now.
  const ours = new Set(descendantsOf().map((entry) => entry.pid));
  for (const pid of stopped) if (ours.has(pid)) process.kill(pid, 'SIGCONT');
  stopped.clear();
  await supervisor?.stop();
  supervisor = null;
  await stopHttpServers();
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

const streamable = (url: string): TransportConfig => ({ type: 'streamable-http', url, headers: {}, sseFallback: false });

/** The server of one case: the transport to supervise, and (over HTTP) the server process, restartable on its port. */
interface Server {
  transport: TransportConfig;
  http: HttpServer | null;
  restart(): Promise<HttpServer>;
}

async function startServer(era: ServerEra, over: 'stdio' | 'http', flags: string[] = []): Promise<Server> {
  if (over === 'stdio') {
    return {
      transport: era === 'modern' ? modernStdioServer(flags) : stdioServer(flags),
      http: null,
      restart: () => Promise.reject(new Error('the supervisor starts a stdio server itself')),
    };
  }
  const http = await startHttpServer(flags, { era });
  return { transport: streamable(http.url), http, restart: () => startHttpServer(flags, { era, port: http.port }) };
}

/** A started supervisor of the one service, and everything its streams published about it, in order. */
interface Supervised {
  supervisor: Supervisor;
  transitions: Transition[];
  snapshots: ServiceSnapshot[];
  latest(): ServiceSnapshot;
  /** The pid of the stdio server the supervisor runs now. */
  pid(): number;
}

function supervise(transport: TransportConfig, lifecycle: Partial<LifecycleConfig>): Supervised {
  const started = new Supervisor({ services: [{ name: SERVICE, transport, lifecycle }] });
  supervisor = started;
  const transitions: Transition[] = [];
  const snapshots: ServiceSnapshot[] = [];
  started.transitions$.subscribe((transition) => transitions.push(transition));
  started.services$.subscribe((services) => {
    const snapshot = services.get(SERVICE);
    if (snapshot) snapshots.push(snapshot);
  });
  started.start();
  return {
    supervisor: started,
    transitions,
    snapshots,
    latest: () => started.getServiceInfo(SERVICE),
    pid: () => {
      const pid = started.getServiceInfo(SERVICE).diagnostics?.pid;
      if (!pid) throw new Error('the service has no stdio server process');
      return pid;
    },
  };
}

const moves = (transitions: readonly Transition[]) => transitions.map((transition) => `${transition.from ?? '∅'} → ${transition.to}`);

/** Waits until the transitions since `since` end with a move to `to`; returns them. */
async function transitionsUntil(supervised: Supervised, since: number, to: Transition['to']): Promise<Transition[]> {
  await eventually(
    () => supervised.transitions.slice(since).some((transition) => transition.to === to),
    PATIENT_MS,
    `a transition to ${to} (so far: ${moves(supervised.transitions.slice(since)).join(', ')})`,
  );
  return supervised.transitions.slice(since);
}

/** One snapshot per completed health check (the first that shows it), in order. */
function healthChecks(snapshots: readonly ServiceSnapshot[]): ServiceSnapshot[] {
  return snapshots.filter((snapshot, index) => index > 0 && snapshot.metadata.totalHealthChecks !== snapshots[index - 1]?.metadata.totalHealthChecks);
}

/** Waits for a health check that passed after the ones already seen; returns its snapshot. */
async function nextPassedCheck(supervised: Supervised): Promise<ServiceSnapshot> {
  const before = supervised.latest().metadata.totalHealthChecks;
  await eventually(
    () => {
      const { metadata } = supervised.latest();
      return metadata.totalHealthChecks > before && metadata.consecutiveFailures === 0 && metadata.lastSuccessTime === metadata.lastHealthCheck;
    },
    PATIENT_MS,
    'a health check that passed',
  );
  return supervised.latest();
}

/**
 * Runs `act` in the tick a health check passes (one after those already seen), before the next probe
 * can start: services$ publishes at the end of the tick the check was recorded in.
 */
function atNextPassedCheck(supervised: Supervised, act: () => void): Promise<void> {
  const before = supervised.latest().metadata.totalHealthChecks;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`not within ${PATIENT_MS} ms: a health check that passed`));
    }, PATIENT_MS);
    const subscription = supervised.supervisor.services$.subscribe((services) => {
      const metadata = services.get(SERVICE)?.metadata;
      if (!metadata || metadata.totalHealthChecks <= before || metadata.consecutiveFailures !== 0) return;
      clearTimeout(timer);
      act();
      resolve();
      // Deferred: a snapshot delivered during subscribe (the replayed one) comes before `subscription` is assigned.
      queueMicrotask(() => subscription.unsubscribe());
    });
  });
}

describe.each([
  { era: 'legacy', over: 'stdio' },
  { era: 'modern', over: 'stdio' },
  { era: 'legacy', over: 'http' },
  { era: 'modern', over: 'http' },
] as const)('a $era server over $over, through the Supervisor', ({ era, over }) => {
  it(`is HEALTHY in the ${era} era with its tools, passes its health checks, and calls tools`, async () => {
    const server = await startServer(era, over);
    const supervised = supervise(server.transport, STEADY);
    const connected = await supervised.supervisor.waitForService(SERVICE, { states: ['HEALTHY'], timeoutMs: PATIENT_MS });
    expect(connected.metadata).toMatchObject({ protocolEra: era, protocolVersion: REVISION[era] });
    expect(connected.serverInfo?.name).toBe(era === 'modern' ? 'modern-test-server' : 'mcp-test-server');
    const listed = supervised.supervisor.listTools().map((tool) => [tool.service, tool.name]);
    expect(listed).toEqual(expect.arrayContaining(['echo', 'add', 'sleep', 'exit'].map((name) => [SERVICE, name])));

    // The periodic probe: each check advances the counter and the time of the last check.
    const first = await nextPassedCheck(supervised);
    const second = await nextPassedCheck(supervised);
    expect(second.metadata.totalHealthChecks).toBeGreaterThan(first.metadata.totalHealthChecks);
    expect(second.metadata.lastHealthCheck ?? 0).toBeGreaterThan(first.metadata.lastHealthCheck ?? Infinity);
    expect(second.metadata.lastHealthCheck ?? 0).toBeGreaterThanOrEqual(second.metadata.connectedTime ?? Infinity);
    expect(second.metadata.healthTier).toBe('healthy');
    // And one on demand.
    expect(await supervised.supervisor.checkHealth(SERVICE)).toMatchObject({ ok: true, state: 'HEALTHY', error: null });

    const result = await supervised.supervisor.callTool(SERVICE, 'add', { a: 40, b: 2 }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
    expect(moves(supervised.transitions)).toEqual(['∅ → INITIALIZING', 'INITIALIZING → HEALTHY']);
  });

  it('killed (SIGKILL), goes HEALTHY → RECONNECTING → HEALTHY and serves tools again', async () => {
    const server = await startServer(era, over);
    const supervised = supervise(server.transport, STEADY);
    await supervised.supervisor.waitForService(SERVICE, { states: ['HEALTHY'], timeoutMs: PATIENT_MS });
    const killedPid = over === 'stdio' ? supervised.pid() : null;
    const since = supervised.transitions.length;

    if (server.http) {
      await server.http.kill();
      // Restarted only once the loss is seen: a stateless server restarted at once has nothing to lose.
      await transitionsUntil(supervised, since, 'RECONNECTING');
      await server.restart();
    } else {
      process.kill(killedPid ?? 0, 'SIGKILL');
    }
    const after = await transitionsUntil(supervised, since, 'HEALTHY');
    expect(moves(after)).toEqual(['HEALTHY → RECONNECTING', 'RECONNECTING → HEALTHY']);
    expect(after[0]?.reason).toMatch(/^connection lost: /);
    expect(after[1]?.at ?? 0).toBeGreaterThanOrEqual(after[0]?.at ?? Infinity);

    const recovered = supervised.latest();
    expect(recovered.metadata).toMatchObject({ protocolEra: era, protocolVersion: REVISION[era], consecutiveFailures: 0, reconnectAttempts: 0 });
    expect(recovered.metadata.totalReconnectAttempts).toBeGreaterThanOrEqual(1);
    if (killedPid !== null) {
      expect(supervised.pid()).not.toBe(killedPid);
      expect(isRunning(killedPid)).toBe(false);
    }
    await nextPassedCheck(supervised);
    const result = await supervised.supervisor.callTool(SERVICE, 'echo', { text: 'second life' }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: 'second life' }]);
  });

  it(`hung (SIGSTOP), goes WARNING after ${HANG.warningFailureThreshold} timed-out probes and RECONNECTING after ${HANG.reconnectingFailureThreshold}, no earlier than they can time out`, async () => {
    const server = await startServer(era, over);
    const supervised = supervise(server.transport, HANG);
    await supervised.supervisor.waitForService(SERVICE, { states: ['HEALTHY'], timeoutMs: PATIENT_MS });
    // Stopped in the tick a check passed, so the next probe, an interval later, is the hang's first.
    const hungPid = server.http ? server.http.pid : supervised.pid();
    let since = -1;
    let stoppedAt = -1;
    await atNextPassedCheck(supervised, () => {
      since = supervised.transitions.length;
      stoppedAt = Date.now();
      process.kill(hungPid, 'SIGSTOP');
      stopped.add(hungPid);
    });

    const untilReconnecting = await transitionsUntil(supervised, since, 'RECONNECTING');
    const timedOut = `ping timed out after ${HANG.pingTimeout} ms`;
    expect(moves(untilReconnecting)).toEqual(['HEALTHY → WARNING', 'WARNING → RECONNECTING']);
    const [warning, reconnecting] = untilReconnecting as [Transition, Transition];
    expect(warning.reason).toBe(`${HANG.warningFailureThreshold} consecutive ping failures: ${timedOut}`);
    expect(reconnecting.reason).toBe(`${HANG.reconnectingFailureThreshold} consecutive ping failures: ${timedOut}`);

    // The run of failed checks that ends in RECONNECTING: one per probe, counted one by one, each a timeout.
    // (services$ publishes once the tick ends, after transitions$.)
    const reconnectingCheck = () => healthChecks(supervised.snapshots).findIndex((check) => check.state === 'RECONNECTING');
    await eventually(() => reconnectingCheck() >= 0, PATIENT_MS, 'services$ shows the check that led to RECONNECTING');
    const end = reconnectingCheck();
    const run = healthChecks(supervised.snapshots).slice(Math.max(0, end + 1 - HANG.reconnectingFailureThreshold), end + 1);
    expect(run).toHaveLength(HANG.reconnectingFailureThreshold);
    const expectedStates = run.map((_, index) =>
      index + 1 < HANG.warningFailureThreshold ? 'HEALTHY' : index + 1 < HANG.reconnectingFailureThreshold ? 'WARNING' : 'RECONNECTING',
    );
    expect(run.map((check) => [check.metadata.consecutiveFailures, check.state, check.metadata.errorMessage])).toEqual(
      expectedStates.map((state, index) => [index + 1, state, timedOut]),
    );
    const first = run[0]?.metadata;
    expect(run.map((check) => check.metadata.totalHealthChecks - (first?.totalHealthChecks ?? NaN))).toEqual(run.map((_, index) => index));

    // Timing, by lower bounds only: the first failed probe began after the stop, each failed no earlier
    // than its start plus the ping timeout, and the next began no earlier than the check interval after it.
    expect(first?.lastPingTime ?? 0).toBeGreaterThanOrEqual(stoppedAt);
    run.forEach((check, index) => {
      const { lastPingTime, lastHealthCheck, lastFailureTime } = check.metadata;
      expect(lastFailureTime).toBe(lastHealthCheck);
      expect((lastHealthCheck ?? 0) - (lastPingTime ?? Infinity)).toBeGreaterThanOrEqual(HANG.pingTimeout - CLOCK_SLACK_MS);
      const previous = run[index - 1]?.metadata.lastHealthCheck;
      if (previous !== undefined) expect((lastPingTime ?? 0) - (previous ?? Infinity)).toBeGreaterThanOrEqual(HANG.healthCheckInterval - CLOCK_SLACK_MS);
    });
    /** The earliest a move after `failures` consecutive timed-out probes can happen, from the first's start. */
    const earliest = (failures: number) =>
      (first?.lastPingTime ?? Infinity) + failures * HANG.pingTimeout + (failures - 1) * HANG.healthCheckInterval - (2 * failures - 1) * CLOCK_SLACK_MS;
    expect(warning.at).toBeGreaterThanOrEqual(run[HANG.warningFailureThreshold - 1]?.metadata.lastHealthCheck ?? Infinity);
    expect(warning.at).toBeGreaterThanOrEqual(earliest(HANG.warningFailureThreshold));
    expect(reconnecting.at).toBeGreaterThanOrEqual(run[HANG.reconnectingFailureThreshold - 1]?.metadata.lastHealthCheck ?? Infinity);
    expect(reconnecting.at).toBeGreaterThanOrEqual(earliest(HANG.reconnectingFailureThreshold));

    // The way back: a hung stdio server is killed and started again; a hung HTTP server is resumed.
    if (server.http) {
      process.kill(hungPid, 'SIGCONT');
      stopped.delete(hungPid);
    }
    const recovery = await transitionsUntil(supervised, since, 'HEALTHY');
    expect(moves(recovery)).toEqual(['HEALTHY → WARNING', 'WARNING → RECONNECTING', 'RECONNECTING → HEALTHY']);
    if (!server.http) {
      await eventually(() => !isRunning(hungPid), PATIENT_MS, 'the hung stdio server was killed');
      expect(supervised.pid()).not.toBe(hungPid);
    }
    expect(supervised.latest().metadata).toMatchObject({ protocolEra: era, consecutiveFailures: 0 });
  });
});

describe('a modern stateless HTTP server that offers no notification stream', () => {
  it('killed and restarted on the same port, is found gone by its next probe (RECONNECTING, no WARNING) and recovered (HEALTHY)', async () => {
    // Without the stream, nothing but a request can find the server gone.
    const server = await startServer('modern', 'http', ['--refuse-listen']);
    const http = server.http as HttpServer;
    const supervised = supervise(server.transport, STEADY);
    await supervised.supervisor.waitForService(SERVICE, { states: ['HEALTHY'], timeoutMs: PATIENT_MS });
    const checksBefore = (await nextPassedCheck(supervised)).metadata.totalHealthChecks;
    const since = supervised.transitions.length;
    const killedAt = Date.now();
    await http.kill();

    await transitionsUntil(supervised, since, 'RECONNECTING');
    const lost = supervised.latest();
    // Found by the first probe after the kill, as a lost connection rather than a count of ping failures.
    expect(lost.metadata.lastPingTime ?? 0).toBeGreaterThanOrEqual(killedAt);
    expect(lost.metadata.totalHealthChecks).toBeLessThanOrEqual(checksBefore + 1);
    const restarted = await server.restart();
    expect(restarted.port).toBe(http.port);

    const after = await transitionsUntil(supervised, since, 'HEALTHY');
    expect(moves(after)).toEqual(['HEALTHY → RECONNECTING', 'RECONNECTING → HEALTHY']);
    expect(after[0]?.reason).toBe(`connection lost: connection refused at ${http.url}`);
    expect(supervised.latest().metadata).toMatchObject({ protocolEra: 'modern', protocolVersion: REVISION.modern, consecutiveFailures: 0 });
    await nextPassedCheck(supervised);
    const result = await supervised.supervisor.callTool(SERVICE, 'echo', { text: 'same port' }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: 'same port' }]);
  });
});
