// `simulate`: the real service statechart in virtual time, healthy, then down for the outage, then
// back. The timeline must follow the service's thresholds and backoff, and be the same on every run.

import { describe, expect, it } from 'vitest';
import { simulateOutage, type OutageScenario, type TimelineEntry } from '../../src/supervisor/outage-simulation.js';
import { formatSimulation } from '../../src/cli/simulate-command.js';
import type { ServiceConfig } from '../../src/config/model.js';
import { reconnectDelay, unreachableDelay } from '../../src/machines/backoff.js';
import { resolveLifecycleConfig, type LifecycleConfig } from '../../src/machines/defaults.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function service(lifecycle: Partial<LifecycleConfig> = {}, name = 'weather'): ServiceConfig {
  return {
    name,
    agentId: null,
    key: name,
    enabled: true,
    transport: { type: 'stdio', command: 'node', args: ['weather.mjs'], env: {} },
    lifecycle: resolveLifecycleConfig(lifecycle),
    profile: null,
  };
}

const simulate = (scenario: Partial<OutageScenario> = {}) => simulateOutage({ service: service(), outageMs: 10 * MINUTE, ...scenario });
const transitions = (entries: readonly TimelineEntry[]) =>
  entries.filter((entry) => entry.event === 'transition').map((entry) => [entry.at, entry.state] as const);
const withinJitter = (actual: number, base: number, jitter: number) => {
  expect(actual).toBeGreaterThanOrEqual(Math.floor(base * (1 - jitter)));
  expect(actual).toBeLessThanOrEqual(Math.ceil(base * (1 + jitter)));
};

describe('simulate: the timeline', () => {
  it('is the same on every run (the service’s fixed jitter seed)', async () => {
    expect(await simulate()).toEqual(await simulate());
  });

  it('jitters each service differently (the seed comes from its name)', async () => {
    const retries = async (name: string) =>
      (await simulateOutage({ service: service({}, name), outageMs: 10 * MINUTE })).entries.map((entry) => entry.nextRetryAt);
    expect(await retries('weather')).not.toEqual(await retries('calendar'));
  });

  it('starts healthy; t+0 is just after a passed health check', async () => {
    const { entries } = await simulate();
    expect(entries.slice(0, 3).map((entry) => [entry.at, entry.event, entry.state])).toEqual([
      [-2 * SECOND, 'transition', 'INITIALIZING'],
      [-2 * SECOND, 'transition', 'HEALTHY'],
      [0, 'outage-start', 'HEALTHY'],
    ]);
  });

  it('counts ping failures 1–2 in HEALTHY, moves to WARNING on the 3rd and to RECONNECTING on the 5th (defaults)', async () => {
    const { entries, unavailableAt } = await simulate();
    const failures = entries.filter((entry) => entry.at > 0 && entry.at <= 150 * SECOND && entry.event !== 'retry-scheduled');
    expect(failures.map((entry) => [entry.at / SECOND, entry.event, entry.state])).toEqual([
      [30, 'ping-failed', 'HEALTHY'],
      [60, 'ping-failed', 'HEALTHY'],
      [90, 'transition', 'WARNING'],
      [120, 'ping-failed', 'WARNING'],
      [150, 'transition', 'RECONNECTING'],
    ]);
    expect(failures[0]?.reason).toBe('check failed (1 in a row): ping failed: connection refused (simulated outage) (JSON-RPC error -32603)');
    expect(unavailableAt).toBe(150 * SECOND);
  });

  it('follows the thresholds and interval of the service’s own config', async () => {
    const { unavailableAt } = await simulateOutage({
      service: service({ healthCheckInterval: 10 * SECOND, warningFailureThreshold: 1, reconnectingFailureThreshold: 2 }),
      outageMs: MINUTE,
    });
    expect(unavailableAt).toBe(20 * SECOND);
  });

  it('retries on the short-cycle backoff, then UNREACHABLE on the long cycle with the priority weight', async () => {
    const lifecycle = resolveLifecycleConfig({ priority: 'critical' });
    const { entries } = await simulateOutage({ service: service({ priority: 'critical' }), outageMs: 30 * MINUTE });
    const retries = entries.filter((entry) => entry.event === 'retry-scheduled');
    expect(retries).toHaveLength(lifecycle.maxReconnectAttempts - 1);
    retries.forEach((entry, index) => withinJitter((entry.nextRetryAt ?? NaN) - entry.at, reconnectDelay(index + 1, lifecycle), lifecycle.jitter));
    const unreachable = entries.filter((entry) => entry.event === 'transition' && entry.state === 'UNREACHABLE');
    expect(unreachable[0]?.reason).toMatch(/^10 reconnect attempts failed/);
    unreachable.forEach((entry, index) =>
      withinJitter((entry.nextRetryAt ?? NaN) - entry.at, unreachableDelay(index, lifecycle), lifecycle.jitter),
    );
    expect(unreachableDelay(0, lifecycle)).toBe(30 * SECOND); // 60 s × 0.5 for critical
  });

  it('is HEALTHY again at the first retry after the outage ends, and stops there', async () => {
    const simulation = await simulate();
    const end = simulation.entries.find((entry) => entry.event === 'outage-end');
    expect(end?.at).toBe(10 * MINUTE);
    const last = simulation.entries.at(-1);
    expect(last?.state).toBe('HEALTHY');
    expect(last?.reason).toMatch(/^reconnected/);
    expect(last?.at).toBe(end?.nextRetryAt);
    expect(simulation.recoveredAt).toBe(last?.at);
    expect(simulation.end).toBe('recovered');
    expect(simulation.finalState).toBe('HEALTHY');
  });

  it('reports an outage that fell between two health checks as unnoticed', async () => {
    const simulation = await simulate({ outageMs: 20 * SECOND });
    expect(simulation.unavailableAt).toBeNull();
    expect(simulation.failures).toBe(0);
    expect(simulation.endedAt).toBe(20 * SECOND);
    expect(transitions(simulation.entries).filter(([at]) => at >= 0)).toEqual([]);
  });

  it('gives up (DISCONNECTED) after max_unreachable_retries', async () => {
    const simulation = await simulateOutage({ service: service({ maxUnreachableRetries: 2 }), outageMs: 3 * 60 * MINUTE });
    expect(simulation.end).toBe('gave-up');
    expect(simulation.finalState).toBe('DISCONNECTED');
    expect(simulation.unreachableRetries).toBe(2);
    expect(simulation.entries.at(-1)?.reason).toMatch(/^gave up after 2 unreachable retries/);
    expect(simulation.endedAt).toBeLessThan(3 * 60 * MINUTE);
  });

  it('covers exactly --duration when given', async () => {
    const simulation = await simulate({ outageMs: 10 * MINUTE, durationMs: 3 * MINUTE });
    expect(simulation.end).toBe('duration');
    expect(simulation.endedAt).toBe(3 * MINUTE);
    expect(simulation.entries.every((entry) => entry.at <= 3 * MINUTE)).toBe(true);
    expect(simulation.entries.some((entry) => entry.event === 'outage-end')).toBe(false);
  });
});

describe('simulate: kinds of outage', () => {
  it('timeout: each ping fails only when its timeout elapses, each connect at connect_timeout', async () => {
    const { entries } = await simulate({ kind: 'timeout' });
    const firstFailure = entries.find((entry) => entry.event === 'ping-failed');
    expect(firstFailure?.at).toBe(30 * SECOND + 3 * SECOND);
    expect(firstFailure?.reason).toContain('ping timed out after 3000 ms');
    const firstRetry = entries.find((entry) => entry.event === 'retry-scheduled');
    expect(firstRetry?.reason).toContain('connect timed out after 30000 ms');
  });

  it('crash: the connection drops at t+0 and the service is RECONNECTING at once', async () => {
    const { entries, unavailableAt } = await simulate({ kind: 'crash' });
    expect(unavailableAt).toBe(0);
    const lost = entries.find((entry) => entry.event === 'transition' && entry.state === 'RECONNECTING');
    expect(lost?.reason).toBe('connection lost: process exited with code 1 (simulated crash)');
  });
});

describe('simulate: the printed timeline', () => {
  it('shows the settings, a row per event with t+offsets and next retries, and the outcome', async () => {
    const text = formatSimulation(await simulate(), service(), 'fleet.yaml');
    expect(text).toContain("What if 'weather' (fleet.yaml) is down for 10m: pings and connects are refused?");
    expect(text).toContain('health check every 30s');
    expect(text).toMatch(/^TIME\s+STATE\s+NEXT RETRY\s+WHAT HAPPENED$/m);
    expect(text).toMatch(/^t\+00:00:30\.000\s+HEALTHY\s+check failed \(1 in a row\): ping failed/m);
    expect(text).toMatch(/^t\+00:02:30\.000\s+RECONNECTING\s+t\+00:02:3\d\.\d{3} \(in [\d.]+s\)\s+reconnect attempt 1 failed/m);
    expect(text).toContain('── outage ends: the server answers again ──');
    expect(text).toContain('the outage was noticed after 2m30s');
    expect(text).toMatch(/HEALTHY again at t\+00:1\d:\d\d\.\d{3}, .* after the outage ended/);
    expect(text).toContain('WARNING after 3 failed pings, RECONNECTING after 5');
    expect(text).toMatch(/^\d+ failed pings and connects, \d+ reconnect attempts, 3 long-cycle retries\.$/m);
  });
});
