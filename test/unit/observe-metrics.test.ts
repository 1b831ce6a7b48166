// The Prometheus metrics of a supervisor over scriptable connections, in virtual time.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Registry } from 'prom-client';
import { InstrumentedConnections } from '../../src/observe/instrumented-connections.js';
import { probeBuckets, SupervisorMetrics } from '../../src/observe/supervisor-metrics.js';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: { API_KEY: 'hunter2' } },
  ...extra,
});

async function observedFleet(services: ServiceSpec[], setup?: (fake: InMemoryConnections) => void, batchWindowMs?: number) {
  const clock = new VirtualClock(1_700_000_000_000);
  const fake = inMemoryLayer(clock);
  setup?.(fake);
  const metrics = new SupervisorMetrics({ defaultMetrics: false, version: '9.9.9' });
  const connections = new InstrumentedConnections(fake, metrics.recordToolCall, () => clock.now());
  const supervisor = new Supervisor({ services }, { connections, clock, random: () => 0.5, batchWindowMs });
  metrics.observe(supervisor);
  supervisor.start();
  await flush();
  return { supervisor, clock, fake, io: fake, metrics, advance: (ms: number) => clock.advance(ms), advanceUntil: (done: () => boolean, limitMs: number) => clock.advanceUntil(done, limitMs) };
}

/** The value of one series, or undefined when the series does not exist. */
async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metrics = await registry.getMetricsAsJSON();
  for (const metric of metrics) {
    for (const sample of metric.values) {
      const sampleName = (sample as { metricName?: string }).metricName ?? metric.name;
      if (sampleName !== name) continue;
      if (Object.entries(labels).every(([key, expected]) => String(sample.labels[key]) === expected)) return sample.value;
    }
  }
  return undefined;
}

describe('service metrics', () => {
  it('shows each service state as a state set, with when it was entered', async () => {
    const fleet = await observedFleet([stdio('files')]);
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 10 * SECOND);
    expect(await value(registry, 'mcp_supervisor_service_state', { service: 'files', state: 'HEALTHY' })).toBe(1);
    expect(await value(registry, 'mcp_supervisor_service_state', { service: 'files', state: 'WARNING' })).toBe(0);
    const entered = fleet.supervisor.getServiceInfo('files').metadata.stateEnteredTime;
    expect(await value(registry, 'mcp_supervisor_service_state_entered_timestamp_seconds', { service: 'files' })).toBe(entered / 1000);
    expect(await value(registry, 'mcp_supervisor_service_tools', { service: 'files' })).toBe(2);
    expect(await value(registry, 'mcp_supervisor_build_info', { version: '9.9.9' })).toBe(1);
    await fleet.supervisor.stop();
  });

  it('counts transitions by from, to and typed cause', async () => {
    const fleet = await observedFleet([stdio('files')]);
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 10 * SECOND);
    fleet.io.defaults.ping = 'fail';
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'WARNING', 5 * 60 * SECOND);
    const transitions = (from: string, to: string, cause: string) =>
      value(registry, 'mcp_supervisor_service_transitions_total', { service: 'files', from, to, cause });
    expect(await transitions('none', 'INITIALIZING', 'registered')).toBe(1);
    expect(await transitions('INITIALIZING', 'HEALTHY', 'connected')).toBe(1);
    expect(await transitions('HEALTHY', 'WARNING', 'probe_threshold')).toBe(1);
    expect(await value(registry, 'mcp_supervisor_service_probe_failures_total', { service: 'files' })).toBe(3);
    expect(await value(registry, 'mcp_supervisor_service_consecutive_failures', { service: 'files' })).toBe(3);
    await fleet.supervisor.stop();
  });

  it('times answered probes into buckets at the health tiers\' bounds', async () => {
    const fleet = await observedFleet([stdio('slow')]);
    const { registry } = fleet.metrics;
    fleet.io.defaults.ping = { respondAfterMs: 1_500 };
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('slow').metadata.totalHealthChecks >= 3, 5 * 60 * SECOND);
    await fleet.advance(0);
    const bucket = (le: string) => value(registry, 'mcp_supervisor_service_probe_duration_seconds_bucket', { service: 'slow', le });
    expect(await bucket('1')).toBe(0);
    expect(await bucket('3')).toBe(3);
    expect(await value(registry, 'mcp_supervisor_service_probe_duration_seconds_count', { service: 'slow' })).toBe(3);
    expect(await value(registry, 'mcp_supervisor_service_probes_total', { service: 'slow', outcome: 'ok' })).toBe(3);
    expect(await value(registry, 'mcp_supervisor_service_health_tier', { service: 'slow', tier: 'warning' })).toBe(1);
    await fleet.supervisor.stop();
  });

  it('counts every check by its outcome, even when several fall within one batch window of services$', async () => {
    // One services$ emission an hour: the checks must be counted as they end, not read back from snapshots.
    const fleet = await observedFleet([stdio('files', { lifecycle: { pingTimeout: 2_000 } })], undefined, 60 * 60 * SECOND);
    const { registry } = fleet.metrics;
    const outcomes: string[] = [];
    fleet.supervisor.probes$.subscribe((probe) => outcomes.push(probe.outcome));
    // fail, pass, time out, pass: every streak is one check long.
    for (const [behaviour, checks] of [['fail', 1], ['succeed', 2], ['hang', 3], ['succeed', 4]] as const) {
      fleet.io.defaults.ping = behaviour;
      await fleet.advanceUntil(() => outcomes.length >= checks, 10 * 60 * SECOND);
    }
    expect(outcomes).toEqual(['failed', 'ok', 'timed_out', 'ok']);
    const probes = (outcome: string) => value(registry, 'mcp_supervisor_service_probes_total', { service: 'files', outcome });
    expect(await probes('failed')).toBe(1);
    expect(await probes('timed_out')).toBe(1);
    expect(await probes('ok')).toBe(2);
    expect(await value(registry, 'mcp_supervisor_service_probe_failures_total', { service: 'files' })).toBe(2);
    expect(await value(registry, 'mcp_supervisor_service_probe_duration_seconds_count', { service: 'files' })).toBe(2);
    await fleet.supervisor.stop();
  });

  it('counts the starts and restarts of a stdio server\'s process, and none for a remote server', async () => {
    const remote: ServiceSpec = { name: 'remote', transport: { type: 'streamable-http', url: 'http://127.0.0.1:1/mcp', headers: {}, sseFallback: false } };
    const fleet = await observedFleet([stdio('files'), remote]);
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 10 * SECOND);
    fleet.io.loseConnection('process exited with code 1', 'files');
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').metadata.totalReconnectAttempts >= 1 && fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 10 * 60 * SECOND);
    expect(await value(registry, 'mcp_supervisor_service_process_starts_total', { service: 'files' })).toBe(2);
    expect(await value(registry, 'mcp_supervisor_service_process_restarts_total', { service: 'files' })).toBe(1);
    expect(await value(registry, 'mcp_supervisor_service_process_starts_total', { service: 'remote' })).toBeUndefined();
    await fleet.supervisor.stop();
  });

  it('counts reconnect attempts and long-cycle retries, and shows the next retry time', async () => {
    const fleet = await observedFleet([stdio('down', { lifecycle: { maxReconnectAttempts: 2 } })], (fake) => {
      fake.defaults.connect = 'fail';
    });
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('down').state === 'UNREACHABLE', 10 * 60 * SECOND);
    await fleet.advance(0);
    const next = fleet.supervisor.getServiceInfo('down').metadata.nextRetryTime;
    expect(next).not.toBeNull();
    expect(await value(registry, 'mcp_supervisor_service_next_retry_timestamp_seconds', { service: 'down' })).toBe((next ?? 0) / 1000);
    expect(await value(registry, 'mcp_supervisor_service_reconnect_attempts_total', { service: 'down' })).toBe(2);
    await fleet.advanceUntil(
      () => fleet.supervisor.getServiceInfo('down').metadata.unreachableRetries >= 1 && fleet.supervisor.getServiceInfo('down').state === 'UNREACHABLE',
      30 * 60 * SECOND,
    );
    expect(await value(registry, 'mcp_supervisor_service_long_cycle_retries_total', { service: 'down' })).toBe(1);
    await fleet.supervisor.stop();
  });

  it('drops a removed service\'s series, and never puts error text in a label', async () => {
    const fleet = await observedFleet([stdio('files'), stdio('gone')], (fake) => Object.assign(fake.script('gone'), { connect: 'fail' }));
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('gone').state === 'RECONNECTING', 10 * SECOND);
    const text = await registry.metrics();
    expect(text).toContain('service="gone"');
    expect(text).not.toContain('connection refused');
    await fleet.supervisor.removeService('gone');
    await fleet.advance(0);
    expect(await registry.metrics()).not.toContain('service="gone"');
    await fleet.supervisor.stop();
  });
});

describe('tool-call metrics', () => {
  it('times each call by outcome under the OpenTelemetry MCP name', async () => {
    const fleet = await observedFleet([stdio('files')]);
    const { registry } = fleet.metrics;
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 10 * SECOND);
    await fleet.supervisor.callTool('files', 'echo', { secret: 'do-not-label-me' });
    fleet.fake.defaults.call = 'timeOut';
    await expect(fleet.supervisor.callTool('files', 'echo', {})).rejects.toThrow();
    const calls = (outcome: string) => value(registry, 'mcp_supervisor_tool_calls_total', { service: 'files', gen_ai_tool_name: 'echo', outcome });
    expect(await calls('success')).toBe(1);
    expect(await calls('timeout')).toBe(1);
    expect(
      await value(registry, 'mcp_client_operation_duration_seconds_count', { service: 'files', mcp_method_name: 'tools/call', outcome: 'success' }),
    ).toBe(1);
    expect(await registry.metrics()).not.toContain('do-not-label-me');
    await fleet.supervisor.stop();
  });
});

describe('probeBuckets', () => {
  it('places buckets at every distinct tier bound, in seconds', () => {
    const buckets = probeBuckets([
      { healthyThreshold: 1_000, warningThreshold: 3_000, slowThreshold: 10_000 },
      { healthyThreshold: 200, warningThreshold: 3_000, slowThreshold: 5_000 },
    ]);
    expect(buckets).toEqual(expect.arrayContaining([0.2, 1, 3, 5, 10]));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });
});

describe('passive health', () => {
  it('does not time a check that a successful tool call answered', async () => {
    const fleet = await observedFleet([stdio('busy')], (fake) => {
      fake.defaults.ping = { respondAfterMs: 1_500 };
    });
    const { registry } = fleet.metrics;
    const checks = () => fleet.supervisor.getServiceInfo('busy').metadata.totalHealthChecks;
    await fleet.advanceUntil(() => checks() >= 1, 5 * 60 * SECOND);
    await fleet.supervisor.callTool('busy', 'echo', {});
    await fleet.advanceUntil(() => checks() >= 2, 5 * 60 * SECOND);
    await fleet.advance(0);
    expect(await value(registry, 'mcp_supervisor_service_probes_total', { service: 'busy', outcome: 'ok' })).toBe(1);
    expect(await value(registry, 'mcp_supervisor_service_probes_total', { service: 'busy', outcome: 'answered_by_call' })).toBe(1);
    expect(await value(registry, 'mcp_supervisor_service_probe_duration_seconds_count', { service: 'busy' })).toBe(1);
    await fleet.supervisor.stop();
  });
});

describe('the README', () => {
  it('documents every metric the supervisor exports', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const metrics = new SupervisorMetrics({ version: '1' });
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    const own = names.filter((name) => !/^(process|nodejs)_/.test(name));
    expect(own.length).toBeGreaterThan(15);
    for (const name of own) expect(readme, name).toContain(`| \`${name}\` |`);
    expect(readme).toContain('| `process_*`, `nodejs_*` |');
  });
});
