// The lifecycle table, row by row, in virtual time.

import { describe, expect, it } from 'vitest';
import { createActor, createMachine, spawnChild, type ActorRefFrom } from 'xstate';
import { PRIORITY_WEIGHTS, reconnectDelay, unreachableDelay } from '../../src/machines/backoff.js';
import { PRIORITIES } from '../../src/machines/defaults.js';
import { AVAILABLE, serviceMachine, type ServiceState } from '../../src/machines/service.machine.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { toServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import { flush, startService, tool, type HarnessOptions, type ServiceHarness } from '../support/service-harness.js';

const SECOND = 1000;
const exact = { jitter: 0 };

/** What users see of the service (its public metadata), with the connection id, tools and transport. */
const context = (h: ServiceHarness) => {
  const { context: raw } = h.actor.getSnapshot();
  const view = toServiceSnapshot({ state: h.state as ServiceState, available: h.actor.getSnapshot().hasTag(AVAILABLE), context: raw });
  const { key: serviceKey, serverInfo, tools, config } = view;
  return { ...view.metadata, serviceKey, serverInfo, connectionId: raw.connection.id, tools, transport: config.transport };
};

/** A service that is HEALTHY, with pings failing from now on. */
async function healthyWithFailingPings(options: HarnessOptions = {}) {
  const h = await startService(options);
  expect(h.state).toBe('HEALTHY');
  h.io.defaults.ping = 'fail';
  return h;
}

/** Lets `n` health checks run (each after its delay). */
async function runChecks(h: ServiceHarness, n: number) {
  const before = h.io.calls.ping.length;
  await h.advanceUntil(() => h.io.calls.ping.length >= before + n && !isPinging(h), 24 * 3600 * SECOND);
}

const isPinging = (h: ServiceHarness) => JSON.stringify(h.actor.getSnapshot().value).includes('pinging');

/** Drives a service into UNREACHABLE: connection lost, every reconnect attempt failing. */
async function unreachable(options: HarnessOptions = {}) {
  const h = await startService(options);
  h.io.defaults.connect = 'fail';
  h.io.loseConnection();
  await h.advanceUntil(() => h.state === 'UNREACHABLE', 3600 * SECOND);
  return h;
}

describe('(spawn)', () => {
  it('starts in INITIALIZING when the service is registered', async () => {
    const h = await startService({ setup: (io) => (io.defaults.connect = 'hang') });
    expect(h.state).toBe('INITIALIZING');
    expect(h.io.calls.connect).toHaveLength(1);
    expect(h.io.calls.connect[0]?.input).toMatchObject({ serviceKey: 'svc', serviceName: 'svc', agentId: null });
  });

  it('carries every metadata field, with secrets redacted, in its snapshot', async () => {
    const h = await startService({ input: { agentId: 'agent-1' } });
    const ctx = context(h);
    for (const key of [
      'consecutiveFailures', 'consecutiveSuccesses', 'lastPingTime', 'lastSuccessTime', 'lastFailureTime',
      'responseTime', 'errorMessage', 'reconnectAttempts', 'unreachableRetries', 'nextRetryTime',
      'stateEnteredTime', 'disconnectReason', 'serviceName', 'agentId', 'lastHealthCheck', 'lastResponseTime',
      'healthTier', 'toolCount',
    ]) {
      expect(ctx).toHaveProperty(key);
    }
    expect(ctx.serviceKey).toBe('agent-1/svc');
    expect(ctx.transport).toMatchObject({ type: 'stdio', env: { TOKEN: '***' } });
    expect(JSON.stringify(h.actor.getSnapshot())).not.toContain('secret');
  });
});

describe('INITIALIZING', () => {
  it('moves to HEALTHY when connect and tools/list succeed', async () => {
    const h = await startService();
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY']);
    expect(context(h)).toMatchObject({
      toolCount: 2,
      connectionId: 'svc#1',
      serverInfo: { name: 'in-memory', version: '1.0.0' },
      consecutiveFailures: 0,
    });
  });

  it('moves to RECONNECTING when connect fails', async () => {
    const h = await startService({ setup: (io) => (io.defaults.connect = 'fail') });
    expect(h.path.slice(0, 2)).toEqual(['INITIALIZING', 'RECONNECTING']);
    expect(context(h).errorMessage).toBe('connect failed: connection refused');
  });

  it('moves to RECONNECTING when connect exceeds connect_timeout, aborting the attempt', async () => {
    const h = await startService({ config: { connectTimeout: 5 * SECOND }, setup: (io) => (io.defaults.connect = 'hang') });
    await h.advance(5 * SECOND - 1);
    expect(h.state).toBe('INITIALIZING');
    await h.advance(1);
    expect(h.state).toBe('RECONNECTING');
    expect(h.io.calls.connect[0]?.signal.aborted).toBe(true);
    expect(context(h).errorMessage).toBe('connect timed out after 5000 ms');
  });
});

describe('HEALTHY', () => {
  it('pings first after startup_wait_time, then every health_check_interval', async () => {
    const h = await startService({ config: { startupWaitTime: 2 * SECOND, healthCheckInterval: 30 * SECOND } });
    const start = h.clock.now();
    await h.advance(2 * SECOND - 1);
    expect(h.io.calls.ping).toHaveLength(0);
    await h.advance(1);
    expect(h.io.calls.ping).toHaveLength(1);
    await h.advance(30 * SECOND);
    await h.advance(30 * SECOND);
    expect(h.io.calls.ping).toHaveLength(3);
    expect(context(h).lastPingTime).toBe(start + 62 * SECOND);
    expect(context(h).consecutiveSuccesses).toBe(3);
  });

  it('waits startup_wait_time, not the interval, before the first ping of a new connection', async () => {
    const h = await healthyWithFailingPings({ config: { warningFailureThreshold: 1, reconnectingFailureThreshold: 1 } });
    await runChecks(h, 1);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING', 'HEALTHY']);
    const reconnectedAt = h.clock.now();
    h.io.defaults.ping = 'succeed';
    await runChecks(h, 1);
    expect((h.io.calls.ping.at(-1)?.at ?? 0) - reconnectedAt).toBe(2 * SECOND);
  });

  it('stays HEALTHY on ping failures 1–2, counting them in metadata', async () => {
    const h = await healthyWithFailingPings();
    await runChecks(h, 2);
    expect(h.state).toBe('HEALTHY');
    expect(context(h)).toMatchObject({ consecutiveFailures: 2, healthTier: 'unhealthy', responseTime: null });
    expect(context(h).errorMessage).toContain('connection refused');
  });

  it('moves to WARNING on the 3rd consecutive ping failure', async () => {
    const h = await healthyWithFailingPings();
    await runChecks(h, 3);
    expect(h.state).toBe('WARNING');
    expect(context(h).consecutiveFailures).toBe(3);
  });

  it('moves to RECONNECTING on the 5th consecutive ping failure (through WARNING)', async () => {
    const h = await healthyWithFailingPings({ setup: (io) => (io.defaults.connect = 'succeed') });
    h.io.defaults.connect = 'hang';
    await runChecks(h, 5);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING']);
    expect(context(h).consecutiveFailures).toBe(5);
  });

  it('moves to RECONNECTING straight from HEALTHY when the reconnect threshold is reached first', async () => {
    const h = await healthyWithFailingPings({ config: { warningFailureThreshold: 5, reconnectingFailureThreshold: 5 } });
    h.io.defaults.connect = 'hang';
    await runChecks(h, 5);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING']);
  });

  it('goes straight to RECONNECTING when warning_failure_threshold ≥ reconnecting_failure_threshold', async () => {
    const h = await healthyWithFailingPings({ config: { warningFailureThreshold: 4, reconnectingFailureThreshold: 2 } });
    h.io.defaults.connect = 'hang';
    await runChecks(h, 2);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING']);
  });

  it('treats a warning threshold of 1 as the first failure', async () => {
    const h = await healthyWithFailingPings({ config: { warningFailureThreshold: 1 } });
    await runChecks(h, 1);
    expect(h.state).toBe('WARNING');
  });

  it('treats a reconnecting threshold of 1 as the first failure', async () => {
    const h = await healthyWithFailingPings({ config: { warningFailureThreshold: 1, reconnectingFailureThreshold: 1 } });
    h.io.defaults.connect = 'hang';
    await runChecks(h, 1);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING']);
  });

  it('moves to RECONNECTING at once when the transport closes, without waiting for a ping', async () => {
    const h = await startService();
    h.io.defaults.connect = 'hang';
    h.io.loseConnection('process exited with code 1');
    await flush();
    expect(h.state).toBe('RECONNECTING');
    expect(h.io.calls.ping).toHaveLength(0);
    expect(context(h)).toMatchObject({ disconnectReason: 'process exited with code 1', reconnectAttempts: 1 });
  });

  it('counts a ping that exceeds ping_timeout as a failure, and the probe is bounded by it too', async () => {
    const h = await startService({ config: { pingTimeout: 3 * SECOND } });
    h.io.defaults.ping = 'hang';
    await h.advance(2 * SECOND + 3 * SECOND);
    expect(context(h)).toMatchObject({ consecutiveFailures: 1, errorMessage: 'ping timed out after 3000 ms' });
    // The SDK gives the request up at the same bound, on the real clock (it sends notifications/cancelled).
    expect(h.io.calls.ping[0]).toMatchObject({ timeoutMs: 3 * SECOND, outcome: 'pending' });
  });

  it('counts a −32601 (method not found) answer to ping as alive', async () => {
    const h = await startService();
    h.io.defaults.ping = 'methodNotFound';
    await runChecks(h, 6);
    expect(h.state).toBe('HEALTHY');
    expect(context(h)).toMatchObject({ consecutiveFailures: 0, consecutiveSuccesses: 6, healthTier: 'healthy' });
  });

  it.each([
    [500, 'healthy'],
    [1000, 'healthy'],
    [2000, 'warning'],
    [5000, 'slow'],
    [12000, 'unhealthy'],
  ] as const)('records a ping answered in %i ms as tier %s', async (responseMs, tier) => {
    const h = await startService({ config: { pingTimeout: 20 * SECOND } });
    h.io.defaults.ping = { respondAfterMs: responseMs };
    await runChecks(h, 1);
    expect(context(h)).toMatchObject({ healthTier: tier, responseTime: responseMs, lastResponseTime: responseMs });
    expect(h.state).toBe('HEALTHY');
  });

  it('never overlaps pings, even when asked to check during a ping', async () => {
    const h = await startService({ config: { healthCheckInterval: 1 * SECOND, pingTimeout: 3 * SECOND } });
    h.io.defaults.ping = { respondAfterMs: 2500 };
    await h.advance(2 * SECOND + 100);
    h.send({ type: 'CHECK_NOW' });
    h.send({ type: 'CHECK_NOW' });
    await h.advance(60 * SECOND);
    expect(h.io.maxConcurrentPings).toBe(1);
    expect(h.io.calls.ping.length).toBeGreaterThan(10);
  });

  it('runs a ping at once on CHECK_NOW', async () => {
    const h = await startService();
    h.send({ type: 'CHECK_NOW' });
    await flush();
    expect(h.io.calls.ping).toHaveLength(1);
    expect(context(h).lastHealthCheck).toBe(h.clock.now());
  });

  it('lets a consistently slow service keep passing with the adaptive timeout', async () => {
    const config = { pingTimeout: 3 * SECOND, enableAdaptiveTimeout: true, adaptiveMultiplier: 2 };
    const adaptive = await startService({ config });
    const fixed = await startService({ config: { ...config, enableAdaptiveTimeout: false } });
    for (const h of [adaptive, fixed]) {
      h.io.defaults.ping = { respondAfterMs: 2500 };
      await runChecks(h, 3);
      h.io.defaults.ping = { respondAfterMs: 4000 };
      await runChecks(h, 3);
    }
    expect(context(adaptive)).toMatchObject({ consecutiveFailures: 0, healthTier: 'slow' });
    expect(adaptive.state).toBe('HEALTHY');
    expect(context(fixed).consecutiveFailures).toBe(3);
    expect(fixed.state).toBe('WARNING');
  });
});

describe('passive health (passive_health, on by default)', () => {
  const interval = { startupWaitTime: 2 * SECOND, healthCheckInterval: 30 * SECOND, jitter: 0 };

  it('counts a tool call answered since the last check as that check: the ping is not sent', async () => {
    const h = await startService({ config: interval });
    await h.advance(2 * SECOND);
    expect(h.io.calls.ping).toHaveLength(1);
    const timed = context(h).lastResponseTime;
    await h.callSucceeds();
    await h.advance(30 * SECOND);
    expect(h.io.calls.ping).toHaveLength(1);
    expect(context(h)).toMatchObject({
      totalHealthChecks: 2,
      consecutiveSuccesses: 2,
      lastHealthCheck: h.clock.now(),
      lastSuccessTime: h.clock.now(),
      // No round trip was timed: the response time stays the last probe's.
      lastResponseTime: timed,
      healthTier: 'healthy',
    });
    // With no call in the next interval, the ping is sent again.
    await h.advance(30 * SECOND);
    expect(h.io.calls.ping).toHaveLength(2);
  });

  it('counts a tool call that fails at the transport level as a failed check at once, not at the next interval', async () => {
    const h = await startService({ config: interval });
    await h.advance(2 * SECOND);
    await h.callFails('slow', 60_000);
    await flush();
    expect(context(h)).toMatchObject({
      consecutiveFailures: 1,
      errorMessage: 'tools/call slow timed out after 60000 ms',
      healthTier: 'unhealthy',
      lastHealthCheck: h.clock.now(),
    });
    await h.callFails();
    await h.callFails();
    await flush();
    expect(h.state).toBe('WARNING');
    expect(h.io.calls.ping).toHaveLength(1);
  });

  it('lets a successful ping clear failures that tool calls reported', async () => {
    const h = await startService({ config: { ...interval, warningFailureThreshold: 3 } });
    await h.advance(2 * SECOND);
    await h.callFails();
    await flush();
    await h.advance(30 * SECOND);
    expect(h.io.calls.ping).toHaveLength(2);
    expect(context(h)).toMatchObject({ consecutiveFailures: 0, consecutiveSuccesses: 1 });
  });

  it('ignores a tool call failure while a probe is in flight: the probe decides', async () => {
    const h = await startService({ config: { ...interval, pingTimeout: 3 * SECOND } });
    h.io.defaults.ping = { respondAfterMs: 1 * SECOND };
    await h.advance(2 * SECOND + 500);
    await h.callFails();
    await h.advance(1 * SECOND);
    expect(context(h)).toMatchObject({ consecutiveFailures: 0, totalHealthChecks: 1 });
  });

  it('is off with passive_health: false: every ping is sent and tool calls never count', async () => {
    const h = await startService({ config: { ...interval, passiveHealth: false } });
    await h.advance(2 * SECOND);
    await h.callSucceeds();
    await h.callFails();
    await flush();
    expect(context(h).consecutiveFailures).toBe(0);
    await h.advance(30 * SECOND);
    expect(h.io.calls.ping).toHaveLength(2);
    expect(h.io.calls.ping.every((call) => call.connectionId === 'svc#1')).toBe(true);
  });

  it('in WARNING, counts an answered tool call toward recovery', async () => {
    const h = await startService({ config: { ...interval, warningFailureThreshold: 1, recoverySuccessThreshold: 1 } });
    h.io.defaults.ping = 'fail';
    await h.advance(2 * SECOND);
    expect(h.state).toBe('WARNING');
    await h.callSucceeds();
    await h.advance(30 * SECOND);
    expect(h.state).toBe('HEALTHY');
    expect(h.io.calls.ping).toHaveLength(1);
  });
});

describe('WARNING', () => {
  async function warning(options: HarnessOptions = {}) {
    const h = await healthyWithFailingPings(options);
    await runChecks(h, 3);
    expect(h.state).toBe('WARNING');
    return h;
  }

  it('keeps the tools callable (partially available) and the connection', async () => {
    const h = await warning();
    expect(context(h).connectionId).toBe('svc#1');
    expect(h.io.activeWatchers).toBe(1);
  });

  it('returns to HEALTHY after one successful ping (recovery_success_threshold 1)', async () => {
    const h = await warning();
    h.io.defaults.ping = 'succeed';
    await runChecks(h, 1);
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'WARNING', 'HEALTHY']);
    expect(context(h).consecutiveFailures).toBe(0);
  });

  it('returns to HEALTHY only after recovery_success_threshold successes in a row', async () => {
    const h = await warning({ config: { recoverySuccessThreshold: 2 } });
    h.io.defaults.ping = 'succeed';
    await runChecks(h, 1);
    expect(h.state).toBe('WARNING');
    await runChecks(h, 1);
    expect(h.state).toBe('HEALTHY');
  });

  it('checks every warning_check_interval', async () => {
    const h = await warning({ config: { healthCheckInterval: 30 * SECOND, warningCheckInterval: 5 * SECOND } });
    const pings = h.io.calls.ping.length;
    await h.advance(5 * SECOND);
    expect(h.io.calls.ping.length).toBe(pings + 1);
  });

  it('moves to RECONNECTING when failures reach reconnecting_failure_threshold', async () => {
    const h = await warning();
    h.io.defaults.connect = 'hang';
    await runChecks(h, 1);
    expect(h.state).toBe('WARNING');
    await runChecks(h, 1);
    expect(h.state).toBe('RECONNECTING');
  });

  it('moves to RECONNECTING at once when the transport closes', async () => {
    const h = await warning();
    h.io.defaults.connect = 'hang';
    h.io.loseConnection('socket closed');
    await flush();
    expect(h.state).toBe('RECONNECTING');
    expect(context(h).errorMessage).toBe('socket closed');
  });
});

describe('RECONNECTING', () => {
  it('makes its first attempt at once', async () => {
    const h = await startService();
    h.io.defaults.connect = 'hang';
    h.io.loseConnection();
    await flush();
    expect(h.io.calls.connect).toHaveLength(2);
    expect(h.io.calls.connect[1]?.input.attempt).toBe(1);
  });

  it('moves to HEALTHY when an attempt succeeds, with counters reset', async () => {
    const h = await startService({ config: exact });
    const first = context(h).connectionId;
    h.io.defaults.connect = 'fail';
    h.io.loseConnection();
    await h.advance(3 * SECOND);
    expect(context(h).reconnectAttempts).toBe(3);
    h.io.defaults.connect = 'succeed';
    await h.advanceUntil(() => h.state === 'HEALTHY', 10 * SECOND);
    expect(context(h)).toMatchObject({
      reconnectAttempts: 0,
      unreachableRetries: 0,
      consecutiveFailures: 0,
      nextRetryTime: null,
      errorMessage: null,
    });
    expect(context(h).connectionId).not.toBe(first);
    expect(h.io.openConnections()).toBe(1);
  });

  it('schedules each retry with nextRetryTime, and RECONNECT_NOW skips the wait', async () => {
    const h = await startService({ config: exact });
    h.io.defaults.connect = 'fail';
    h.io.loseConnection();
    await flush();
    expect(context(h).nextRetryTime).toBe(h.clock.now() + 1 * SECOND);
    h.send({ type: 'RECONNECT_NOW' });
    await flush();
    expect(h.io.calls.connect).toHaveLength(3);
    expect(context(h).nextRetryTime).toBe(h.clock.now() + 2 * SECOND);
  });

  it('counts an attempt that exceeds connect_timeout as failed', async () => {
    const h = await startService({ config: { ...exact, connectTimeout: 10 * SECOND } });
    h.io.defaults.connect = 'hang';
    h.io.loseConnection();
    await h.advance(10 * SECOND);
    expect(h.io.calls.connect[1]?.signal.aborted).toBe(true);
    expect(context(h)).toMatchObject({ reconnectAttempts: 1, errorMessage: 'connect timed out after 10000 ms' });
    expect(context(h).nextRetryTime).toBe(h.clock.now() + 1 * SECOND);
  });
});

describe('RECONNECTING backoff schedule', () => {
  it('attempts at once, then after 1, 2, 4, 8, 16, 32, 60, 60, 60 s, then goes UNREACHABLE', async () => {
    const h = await startService({ config: exact });
    h.io.defaults.connect = 'fail';
    h.io.loseConnection();
    await h.advanceUntil(() => h.state === 'UNREACHABLE', 3600 * SECOND);
    const times = h.io.calls.connect.slice(1).map((call) => call.at);
    const gaps = times.map((time, i) => (i === 0 ? 0 : time - (times[i - 1] ?? 0)) / SECOND);
    expect(gaps).toEqual([0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
    expect(context(h).reconnectAttempts).toBe(10);
  });
});

describe('UNREACHABLE', () => {
  /** Virtual seconds between consecutive long-cycle attempts. */
  async function longCycleWaits(h: ServiceHarness, retries: number) {
    const enteredUnreachable = h.clock.now();
    const firstRetry = h.io.calls.connect.length;
    await h.advanceUntil(() => h.io.calls.connect.length >= firstRetry + retries, 24 * 3600 * SECOND);
    const times = [enteredUnreachable, ...h.io.calls.connect.slice(firstRetry).map((call) => call.at)];
    return times.slice(1).map((time, i) => (time - (times[i] ?? 0)) / SECOND);
  }

  it.each(PRIORITIES)('retries on the long cycle 60, 120, 240, 480, 600, 600 s × the %s weight', async (priority) => {
    const h = await unreachable({ config: { ...exact, priority } });
    const weight = PRIORITY_WEIGHTS[priority];
    expect(await longCycleWaits(h, 6)).toEqual([60, 120, 240, 480, 600, 600].map((s) => s * weight));
  });

  it('makes one attempt per long-cycle retry: failing it returns to UNREACHABLE', async () => {
    const h = await unreachable({ config: exact });
    const attempts = h.io.calls.connect.length;
    await h.advance(60 * SECOND);
    expect(h.io.calls.connect.length).toBe(attempts + 1);
    expect(h.state).toBe('UNREACHABLE');
    expect(context(h).unreachableRetries).toBe(1);
    expect(h.path.slice(-3)).toEqual(['UNREACHABLE', 'RECONNECTING', 'UNREACHABLE']);
  });

  it('moves to HEALTHY through RECONNECTING when a long-cycle attempt succeeds', async () => {
    const h = await unreachable({ config: exact });
    h.io.defaults.connect = 'succeed';
    await h.advance(60 * SECOND);
    expect(h.path.slice(-3)).toEqual(['UNREACHABLE', 'RECONNECTING', 'HEALTHY']);
    expect(context(h)).toMatchObject({ reconnectAttempts: 0, unreachableRetries: 0 });
  });

  it('gives up after max_unreachable_retries (default 10): DISCONNECTED with a reason', async () => {
    const h = await unreachable();
    await h.advanceUntil(() => h.state === 'DISCONNECTED', 7 * 24 * 3600 * SECOND);
    expect(h.path.slice(-2)).toEqual(['UNREACHABLE', 'DISCONNECTED']);
    expect(context(h).unreachableRetries).toBe(10);
    expect(context(h).disconnectReason).toBe(
      'gave up after 10 unreachable retries: connect failed: connection refused',
    );
    expect(context(h).nextRetryTime).toBeNull();
  });

  it('never gives up when max_unreachable_retries is 0', async () => {
    const h = await unreachable({ config: { maxUnreachableRetries: 0 } });
    await h.advance(30 * 24 * 3600 * SECOND);
    expect(h.state).toBe('UNREACHABLE');
    expect(context(h).unreachableRetries).toBeGreaterThan(100);
  });

  it('makes an attempt at once on RECONNECT_NOW', async () => {
    const h = await unreachable();
    h.io.defaults.connect = 'succeed';
    h.send({ type: 'RECONNECT_NOW' });
    await flush();
    expect(h.state).toBe('HEALTHY');
  });
});

describe('STOP', () => {
  /** The state, what it is doing when STOP arrives, and whether it has a connection open (to close) then. */
  const cases: [string, (h: ServiceHarness) => Promise<void> | void, string | null, boolean][] = [
    ['INITIALIZING (connect in flight)', () => undefined, 'connect', true],
    ['HEALTHY', () => undefined, null, true],
    [
      'HEALTHY (ping in flight)',
      async (h) => {
        h.io.defaults.ping = 'hang';
        await h.advance(2 * SECOND);
      },
      'ping',
      true,
    ],
    [
      'WARNING',
      async (h) => {
        h.io.defaults.ping = 'fail';
        await runChecks(h, 3);
      },
      null,
      true,
    ],
    [
      'RECONNECTING (attempt in flight)',
      (h) => {
        h.io.defaults.connect = 'hang';
        h.io.loseConnection();
      },
      'connect',
      true,
    ],
    [
      'RECONNECTING (waiting)',
      (h) => {
        h.io.defaults.connect = 'fail';
        h.io.loseConnection();
      },
      null,
      false,
    ],
    [
      'UNREACHABLE',
      async (h) => {
        h.io.defaults.connect = 'fail';
        h.io.loseConnection();
        await h.advanceUntil(() => h.state === 'UNREACHABLE', 3600 * SECOND);
      },
      null,
      false,
    ],
  ];

  it.each(cases)('moves %s to DISCONNECTING, then DISCONNECTED', async (label, arrange, inFlight, connected) => {
    const h = await startService({ setup: (io) => (io.defaults.connect = label.startsWith('INITIALIZING') ? 'hang' : 'succeed') });
    await arrange(h);
    await flush();
    const expected = label.split(' ')[0];
    expect(h.state).toBe(expected);
    h.io.defaults.disconnect = 'hang';
    h.send({ type: 'STOP' });
    await flush();
    // With nothing open there is nothing to close: the close finishes at once.
    expect(h.state).toBe(connected ? 'DISCONNECTING' : 'DISCONNECTED');
    if (inFlight === 'connect') expect(h.io.calls.connect.at(-1)?.signal.aborted).toBe(true);
    expect(h.io.activeWatchers).toBe(0);
    await h.advance(10 * SECOND);
    expect(h.state).toBe('DISCONNECTED');
    expect(context(h).disconnectReason).toBe('stopped on request');
    expect(h.path.slice(-2)).toEqual(['DISCONNECTING', 'DISCONNECTED']);
    // A probe in flight is not aborted: it ends with the connection's close or at its own timeout,
    // and nobody hears its answer.
    if (inFlight === 'ping') {
      expect(h.io.calls.ping.at(-1)?.outcome).not.toBe('answered');
      expect(context(h).totalHealthChecks).toBe(0);
    }
  });

  it('moves DISCONNECTING to DISCONNECTED as soon as the close finishes', async () => {
    const h = await startService();
    h.send({ type: 'STOP', reason: 'maintenance' });
    await flush();
    expect(h.state).toBe('DISCONNECTED');
    expect(h.io.calls.disconnect[0]?.input).toMatchObject({ connectionId: 'svc#1', timeoutMs: 10 * SECOND });
    expect(context(h)).toMatchObject({ disconnectReason: 'maintenance', connectionId: null });
  });

  it('forces DISCONNECTED after disconnect_timeout, aborting the close', async () => {
    const h = await startService({ config: { disconnectTimeout: 4 * SECOND } });
    h.io.defaults.disconnect = 'hang';
    h.send({ type: 'STOP' });
    await h.advance(4 * SECOND - 1);
    expect(h.state).toBe('DISCONNECTING');
    await h.advance(1);
    expect(h.state).toBe('DISCONNECTED');
    expect(h.io.calls.disconnect[0]?.signal.aborted).toBe(true);
    expect(context(h).errorMessage).toBe('disconnect timed out after 4000 ms; the connection was abandoned');
  });

  it('is ignored in DISCONNECTED', async () => {
    const h = await startService();
    h.send({ type: 'STOP' });
    await flush();
    const entered = context(h).stateEnteredTime;
    await h.advance(SECOND);
    h.send({ type: 'STOP' });
    await flush();
    expect(h.state).toBe('DISCONNECTED');
    expect(context(h).stateEnteredTime).toBe(entered);
    expect(h.io.calls.disconnect).toHaveLength(1);
  });

  it('cancels a pending restart when it arrives during DISCONNECTING', async () => {
    const h = await startService();
    h.io.defaults.disconnect = 'hang';
    h.send({ type: 'RESTART' });
    h.send({ type: 'STOP' });
    await h.advance(10 * SECOND);
    expect(h.state).toBe('DISCONNECTED');
  });
});

describe('RESTART', () => {
  it('moves DISCONNECTED to INITIALIZING with counters reset', async () => {
    const h = await unreachable({ config: { maxUnreachableRetries: 1 } });
    await h.advanceUntil(() => h.state === 'DISCONNECTED', 24 * 3600 * SECOND);
    h.io.defaults.connect = 'hang';
    h.send({ type: 'RESTART' });
    await flush();
    expect(h.state).toBe('INITIALIZING');
    expect(context(h)).toMatchObject({
      reconnectAttempts: 0,
      unreachableRetries: 0,
      consecutiveFailures: 0,
      disconnectReason: null,
      errorMessage: null,
    });
  });

  it('moves an active state through DISCONNECTING to INITIALIZING', async () => {
    const h = await startService();
    h.send({ type: 'RESTART' });
    await flush();
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'DISCONNECTING', 'INITIALIZING', 'HEALTHY']);
    expect(h.io.calls.disconnect).toHaveLength(1);
    expect(context(h).connectionId).toBe('svc#2');
  });
});

describe('REMOVE', () => {
  it('ends the actor from DISCONNECTED (service deleted), with no parent needed', async () => {
    const h = await startService();
    h.send({ type: 'STOP' });
    await flush();
    h.send({ type: 'REMOVE' });
    await flush();
    expect(h.actor.getSnapshot().status).toBe('done');
    expect(h.state).toBe('REMOVED');
  });

  it('is ignored while the service is active (stop it first)', async () => {
    const h = await startService();
    h.send({ type: 'REMOVE' });
    await flush();
    expect(h.state).toBe('HEALTHY');
  });
});

describe('tools refresh', () => {
  it('lists tools every tools_update_interval while available', async () => {
    const h = await startService({ config: { toolsUpdateInterval: 60 * SECOND } });
    h.io.defaults.tools = [tool('a'), tool('b'), tool('c')];
    await h.advance(60 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    expect(context(h).toolCount).toBe(3);
    await h.advance(60 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(2);
  });

  it('keeps the same tools list when a refresh lists the same tools, so that nobody hears of a change', async () => {
    const h = await startService({ config: { toolsUpdateInterval: 60 * SECOND } });
    const listed = () => h.actor.getSnapshot().context.tools.list;
    const before = listed();
    await h.advance(60 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    expect(listed()).toBe(before);
    h.io.defaults.tools = [tool('echo'), tool('add'), tool('new')];
    await h.advance(60 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(2);
    expect(listed()).not.toBe(before);
    expect(listed().map((entry) => entry.name)).toEqual(['echo', 'add', 'new']);
  });

  it('coalesces tools/list_changed notifications within 1 s into one tools/list', async () => {
    const h = await startService();
    h.io.defaults.tools = [tool('only')];
    for (let i = 0; i < 5; i++) {
      h.io.toolsChanged();
      await h.advance(100);
    }
    await h.advance(SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    expect(context(h).tools.map((t) => t.name)).toEqual(['only']);
  });

  it('lists again when the tools change during a refresh', async () => {
    const h = await startService();
    h.io.defaults.listTools = { respondAfterMs: 500 };
    h.io.toolsChanged();
    await h.advance(SECOND + 100);
    h.io.toolsChanged();
    await h.advance(5 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(2);
  });

  it('keeps a pending tools/list_changed across HEALTHY → WARNING', async () => {
    const h = await startService({ config: { warningFailureThreshold: 1 } });
    h.io.toolsChanged();
    h.io.defaults.ping = 'fail';
    h.send({ type: 'CHECK_NOW' });
    await flush();
    expect(h.state).toBe('WARNING');
    await h.advance(SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
  });

  it('lists again after a refresh cut short by HEALTHY → WARNING', async () => {
    const h = await startService({ config: { warningFailureThreshold: 1 } });
    h.io.defaults.listTools = 'hang';
    h.io.toolsChanged();
    await h.advance(SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    h.io.defaults.listTools = 'succeed';
    h.io.defaults.ping = 'fail';
    h.send({ type: 'CHECK_NOW' });
    await h.advance(SECOND);
    expect(h.io.calls.listTools[0]?.signal.aborted).toBe(true);
    expect(h.io.calls.listTools).toHaveLength(2);
  });

  it('does not retry a failing tools/list in a loop', async () => {
    const h = await startService();
    h.io.defaults.listTools = 'fail';
    h.io.toolsChanged();
    await h.advance(60 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
  });

  it('keeps the refresh due time across HEALTHY ↔ WARNING', async () => {
    const h = await startService({ config: { toolsUpdateInterval: 100 * SECOND, healthCheckInterval: 10 * SECOND } });
    h.io.defaults.ping = 'fail';
    await h.advanceUntil(() => h.state === 'WARNING', 100 * SECOND);
    h.io.defaults.ping = 'succeed';
    await h.advanceUntil(() => h.state === 'HEALTHY', 100 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(0);
    await h.advanceUntil(() => h.io.calls.listTools.length === 1, 100 * SECOND);
    expect(h.clock.now() - (context(h).connectedTime ?? 0)).toBe(100 * SECOND);
  });
});

describe('jitter', () => {
  it('spreads reconnect waits within ± jitter and differently across services', async () => {
    const waits = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const h = await startService({ input: { serviceName: `svc-${i}` }, config: { jitter: 0.2 } });
      h.io.defaults.connect = 'fail';
      h.io.loseConnection();
      await flush();
      const wait = (context(h).nextRetryTime ?? 0) - h.clock.now();
      expect(wait).toBeGreaterThanOrEqual(800);
      expect(wait).toBeLessThanOrEqual(1200);
      waits.add(wait);
      h.stop();
    }
    expect(waits.size).toBeGreaterThan(15);
  });

  it('takes a fresh draw for every backoff wait, in the short and the long cycle', async () => {
    // With jitter 1 a wait is round(2 × unit × base): the unit each wait used can be read back from it.
    const config = { jitter: 1, maxReconnectAttempts: 8, maxUnreachableRetries: 4, reconnectMaxDelay: 3600 * SECOND };
    const h = await startService({ config, input: { randomSeed: 7 } });
    const units: Record<'RECONNECTING' | 'UNREACHABLE', number[]> = { RECONNECTING: [], UNREACHABLE: [] };
    let lastScheduled: number | null = null;
    const record = () => {
      const { retry, config: lifecycle } = h.actor.getSnapshot().context;
      const state = h.state;
      if (state !== 'RECONNECTING' && state !== 'UNREACHABLE') return;
      if (retry.nextRetryTime === null || retry.delay === null || retry.nextRetryTime === lastScheduled) return;
      lastScheduled = retry.nextRetryTime;
      const base =
        state === 'RECONNECTING'
          ? reconnectDelay(retry.reconnectAttempts, lifecycle)
          : unreachableDelay(retry.unreachableRetries, lifecycle);
      units[state].push(retry.delay / (2 * base));
    };
    h.actor.subscribe(record);
    h.io.defaults.connect = 'fail';
    h.io.loseConnection();
    await h.advanceUntil(() => h.state === 'DISCONNECTED', 24 * 3600 * SECOND);
    expect(units.RECONNECTING.length).toBeGreaterThanOrEqual(7);
    expect(units.UNREACHABLE).toHaveLength(4);
    for (const cycle of [units.RECONNECTING, units.UNREACHABLE]) {
      for (const unit of cycle) expect(unit).toBeGreaterThanOrEqual(0);
      for (const unit of cycle) expect(unit).toBeLessThan(1);
      // Each wait differs from the one before by more than rounding: a reused draw would repeat its unit.
      for (let i = 1; i < cycle.length; i++) expect(Math.abs((cycle[i] ?? 0) - (cycle[i - 1] ?? 0))).toBeGreaterThan(0.001);
    }
  });

  it('is deterministic for a given seed', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 2; i++) {
      const h = await startService({ input: { randomSeed: 42 } });
      h.io.defaults.connect = 'fail';
      h.io.loseConnection();
      await flush();
      delays.push((context(h).nextRetryTime ?? 0) - h.clock.now());
    }
    expect(delays[0]).toBe(delays[1]);
  });
});

describe('as a spawned child', () => {
  it('runs under a parent and its end is reported to the parent', async () => {
    const h = await startService();
    const clock = new VirtualClock();
    const child = serviceMachine.provide({ actors: h.io.actors });
    const parent = createMachine({
      types: {} as { events: { type: 'xstate.done.actor.svc' } },
      initial: 'running',
      states: {
        running: {
          entry: spawnChild(child, {
            id: 'svc',
            input: { serviceName: 'svc', transport: { type: 'stdio', command: 'x', args: [], env: {} } },
          }),
          on: { 'xstate.done.actor.svc': 'childEnded' },
        },
        childEnded: {},
      },
    });
    const root = createActor(parent, { clock }).start();
    await flush();
    const service = root.getSnapshot().children.svc as ActorRefFrom<typeof serviceMachine> | undefined;
    expect(service?.getSnapshot().matches('HEALTHY')).toBe(true);
    service?.send({ type: 'STOP' });
    await flush();
    service?.send({ type: 'REMOVE' });
    await flush();
    expect(root.getSnapshot().value).toBe('childEnded');
    expect(root.getSnapshot().status).toBe('active');
    root.stop();
  });
});

describe('cleanup', () => {
  it('leaves no timer and no watcher behind when the actor is stopped', async () => {
    const h = await startService();
    await h.advance(5 * SECOND);
    h.stop();
    await flush();
    expect(h.clock.pending).toBe(0);
    expect(h.io.activeWatchers).toBe(0);
  });
});
