// The alert system over a supervisor in virtual time: the lifecycle's two rules (entering WARNING,
// RECONNECTING or UNREACHABLE; UNREACHABLE for five minutes), recovery, cooldown, grouping, filters,
// a dead sink that never slows a transition, the bounded queue and retries.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { AlertsConfig } from '../../src/config/model.js';
import { AlertDelivery, retryDelay } from '../../src/observe/alert-delivery.js';
import type { AlertNotification } from '../../src/observe/alert-notification.js';
import { notificationBody } from '../../src/observe/alert-notification.js';
import type { AlertSink } from '../../src/observe/alert-sink.js';
import { AlertSystem } from '../../src/observe/alert-system.js';
import { SupervisorMetrics } from '../../src/observe/supervisor-metrics.js';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const T0 = 1_700_000_000_000;

/** The lifecycle's two rules, as a user writes them. */
const DOCUMENT_RULES = `
alerts:
  sinks:
    ops: { type: webhook, url: "http://127.0.0.1:9/hook" }
  group_window: 0s
  cooldown: 0s
  rules:
    degraded:
      enters: [WARNING, RECONNECTING, UNREACHABLE]
      sinks: [ops]
    long-outage:
      state: UNREACHABLE
      for: 5m
      sinks: [ops]
`;

function alertsOf(yaml: string): AlertsConfig {
  const config = parseConfig(`${yaml}\nservices:\n  files: { command: node }\n  search: { command: node }\n`, { file: 'fleet.yaml', env: {} });
  if (!config.alerts) throw new Error('no alerts: section');
  return config.alerts;
}

/** A sink that records what it receives; `behaviour` decides each send. */
class RecordingSink implements AlertSink {
  readonly type = 'webhook';
  readonly target = 'memory';
  readonly secrets = ['hunter2-secret'];
  readonly received: AlertNotification[] = [];
  behaviour: 'deliver' | 'hang' | 'fail' = 'deliver';
  constructor(readonly name: string) {}
  send(notification: AlertNotification): Promise<void> {
    this.received.push(notification);
    if (this.behaviour === 'hang') return new Promise(() => undefined);
    if (this.behaviour === 'fail') return Promise.reject(new Error('HTTP 500 from https://hooks.example/hunter2-secret'));
    return Promise.resolve();
  }
  close(): void {}
  get alerts() {
    return this.received.flatMap((notification) => notification.alerts);
  }
}

const stdio = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: {} },
  ...extra,
});

async function alertedFleet(services: ServiceSpec[], alerts: AlertsConfig, setup?: (fake: InMemoryConnections) => void, withAlerts = true) {
  const clock = new VirtualClock(T0);
  const fake = inMemoryLayer(clock);
  setup?.(fake);
  const supervisor = new Supervisor({ services }, { connections: fake, clock, random: () => 0.5 });
  const sinks = new Map<string, RecordingSink>();
  const metrics = new SupervisorMetrics({ defaultMetrics: false });
  const log: string[] = [];
  const system = new AlertSystem(alerts, {
    timers: clock,
    describe: (key) => ({ priority: supervisor.listServices().find((service) => service.key === key)?.config.lifecycle.priority ?? null, profile: key === 'files' ? 'critical' : null }),
    createSink: (config) => {
      const sink = new RecordingSink(config.name);
      sinks.set(config.name, sink);
      return sink;
    },
    metrics,
    log: (line) => log.push(line),
    random: () => 0.5,
  });
  if (withAlerts) system.observe(supervisor.transitions$);
  const transitions: Transition[] = [];
  supervisor.transitions$.subscribe((transition) => transitions.push(transition));
  supervisor.start();
  await flush();
  const sink = (name = 'ops') => {
    const found = sinks.get(name);
    if (!found) throw new Error(`no sink ${name}`);
    return found;
  };
  return { supervisor, clock, fake, io: fake, system, sink, metrics, log, transitions, advance: (ms: number) => clock.advance(ms), advanceUntil: (done: () => boolean, limitMs: number) => clock.advanceUntil(done, limitMs) };
}

describe('the lifecycle\'s alert rules', () => {
  it('alert on entering RECONNECTING and UNREACHABLE, again after five minutes UNREACHABLE, and resolve once HEALTHY', async () => {
    const fleet = await alertedFleet([stdio('files', { lifecycle: { maxReconnectAttempts: 2 } })], alertsOf(DOCUMENT_RULES), (fake) => {
      fake.defaults.connect = 'fail';
    });
    const state = () => fleet.supervisor.getServiceInfo('files').state;
    await fleet.advanceUntil(() => state() === 'UNREACHABLE', 5 * MINUTE);
    const unreachableAt = fleet.clock.now();
    expect(fleet.sink().alerts.map((alert) => [alert.rule, alert.status, alert.state])).toEqual([
      ['degraded', 'firing', 'RECONNECTING'],
      ['degraded', 'firing', 'UNREACHABLE'],
    ]);

    // Long-cycle retries take it UNREACHABLE → RECONNECTING → UNREACHABLE: still one outage.
    await fleet.advanceUntil(() => fleet.sink().alerts.some((alert) => alert.rule === 'long-outage'), 10 * MINUTE);
    const outage = fleet.sink().alerts.find((alert) => alert.rule === 'long-outage');
    expect(outage).toMatchObject({ status: 'firing', service: 'files', state: 'UNREACHABLE', since: unreachableAt });
    expect((outage?.at ?? 0) - unreachableAt).toBe(5 * MINUTE);
    expect(fleet.transitions.some((t) => t.cause === 'long_cycle_retry')).toBe(true);
    expect(outage?.reason).toMatch(/UNREACHABLE for more than 5 min$/);

    fleet.io.defaults.connect = 'succeed';
    fleet.supervisor.reconnect('files');
    await fleet.advanceUntil(() => state() === 'HEALTHY', MINUTE);
    const resolved = fleet.sink().alerts.filter((alert) => alert.status === 'resolved');
    expect(resolved.map((alert) => alert.rule).sort()).toEqual(['degraded', 'long-outage']);
    expect(await fleet.metrics.registry.getSingleMetricAsString('mcp_supervisor_alerts_total')).toContain('rule="long-outage",status="firing"} 1');
    await fleet.supervisor.stop();
  });

  it('does not fire the duration rule when the service recovers in time', async () => {
    const fleet = await alertedFleet([stdio('files', { lifecycle: { maxReconnectAttempts: 1 } })], alertsOf(DOCUMENT_RULES), (fake) => {
      fake.defaults.connect = 'fail';
    });
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'UNREACHABLE', MINUTE);
    await fleet.advance(2 * MINUTE);
    fleet.io.defaults.connect = 'succeed';
    fleet.supervisor.reconnect('files');
    await fleet.advance(10 * MINUTE);
    expect(fleet.sink().alerts.filter((alert) => alert.rule === 'long-outage')).toEqual([]);
    await fleet.supervisor.stop();
  });
});

describe('noise control', () => {
  it('keeps a flapping service quiet for the cooldown, and resolves only a firing that was sent', async () => {
    const alerts = alertsOf(`
alerts:
  sinks: { ops: { type: webhook, url: "http://127.0.0.1:9/hook" } }
  group_window: 0s
  cooldown: 10m
  rules:
    lost: { enters: [RECONNECTING], sinks: [ops] }
`);
    const fleet = await alertedFleet([stdio('files')], alerts);
    const state = () => fleet.supervisor.getServiceInfo('files').state;
    for (let flap = 0; flap < 3; flap++) {
      await fleet.advanceUntil(() => state() === 'HEALTHY', MINUTE);
      fleet.io.loseConnection();
      // The reconnect can succeed within the same step: wait for the move, not for the state to be seen.
      await fleet.advanceUntil(() => fleet.transitions.filter((t) => t.to === 'RECONNECTING').length > flap, MINUTE);
    }
    await fleet.advanceUntil(() => state() === 'HEALTHY', MINUTE);
    expect(fleet.sink().alerts.map((alert) => alert.status)).toEqual(['firing', 'resolved']);
    expect(await fleet.metrics.registry.getSingleMetricAsString('mcp_supervisor_alerts_total')).toContain('rule="lost",status="suppressed"} 2');
    await fleet.supervisor.stop();
  });

  it('within one outage, alerts each state it escalates to despite the cooldown, and none it enters again', async () => {
    const alerts = alertsOf(`
alerts:
  sinks: { ops: { type: webhook, url: "http://127.0.0.1:9/hook" } }
  group_window: 0s
  cooldown: 10m
  rules:
    degraded: { enters: [WARNING, RECONNECTING, UNREACHABLE], sinks: [ops] }
`);
    const fleet = await alertedFleet([stdio('files', { lifecycle: { maxReconnectAttempts: 1 } })], alerts);
    const state = () => fleet.supervisor.getServiceInfo('files').state;
    await fleet.advanceUntil(() => state() === 'HEALTHY', MINUTE);
    fleet.io.defaults.ping = 'fail';
    fleet.io.defaults.connect = 'fail';
    await fleet.advanceUntil(() => state() === 'UNREACHABLE', 10 * MINUTE);
    // Long-cycle retries: UNREACHABLE → RECONNECTING → UNREACHABLE, the same outage.
    await fleet.advanceUntil(() => fleet.transitions.filter((t) => t.cause === 'long_cycle_retry').length >= 2, 30 * MINUTE);
    expect(fleet.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['WARNING', 'RECONNECTING', 'UNREACHABLE']));
    expect(fleet.sink().alerts.map((alert) => [alert.status, alert.state])).toEqual([
      ['firing', 'WARNING'],
      ['firing', 'RECONNECTING'],
      ['firing', 'UNREACHABLE'],
    ]);
    await fleet.supervisor.stop();
  });

  it('sends the alerts of one grouping window as one notification per sink', async () => {
    const alerts = alertsOf(`
alerts:
  sinks: { ops: { type: webhook, url: "http://127.0.0.1:9/hook" } }
  group_window: 30s
  rules:
    lost: { enters: [RECONNECTING], sinks: [ops] }
`);
    const fleet = await alertedFleet([stdio('files'), stdio('search')], alerts);
    await fleet.advanceUntil(() => fleet.supervisor.listServices().every((service) => service.state === 'HEALTHY'), MINUTE);
    fleet.io.loseConnection();
    await fleet.advance(29 * SECOND);
    expect(fleet.sink().received).toEqual([]);
    await fleet.advance(2 * SECOND);
    expect(fleet.sink().received).toHaveLength(1);
    // Both losses, and both recoveries (the reconnects succeed at once), in one notification.
    const grouped = fleet.sink().received[0]?.alerts ?? [];
    expect(grouped.map((alert) => `${alert.status}:${alert.service}`).sort()).toEqual(['firing:files', 'firing:search', 'resolved:files', 'resolved:search']);
    const body = notificationBody(fleet.sink().received[0] ?? { alerts: [], test: false });
    expect(body).toMatchObject({ version: 1, status: 'firing', test: false });
    expect(String(body.text).split('\n')).toHaveLength(4);
    await fleet.supervisor.stop();
  });

  it('filters by service, agent, priority and profile', async () => {
    const alerts = alertsOf(`
alerts:
  sinks: { ops: { type: webhook, url: "http://127.0.0.1:9/hook" } }
  group_window: 0s
  rules:
    by-service: { enters: [RECONNECTING], services: [search], sinks: [ops] }
    by-priority: { enters: [RECONNECTING], priorities: [critical], sinks: [ops] }
    by-profile: { enters: [RECONNECTING], profiles: [critical], sinks: [ops] }
    by-agent: { enters: [RECONNECTING], agents: [alice], sinks: [ops] }
`);
    const fleet = await alertedFleet([stdio('files', { lifecycle: { priority: 'critical' } }), stdio('search')], alerts);
    await fleet.advanceUntil(() => fleet.supervisor.listServices().every((service) => service.state === 'HEALTHY'), MINUTE);
    fleet.io.loseConnection();
    await fleet.advance(SECOND);
    const fired = fleet.sink().alerts.filter((alert) => alert.status === 'firing');
    expect(fired.map((alert) => `${alert.rule}:${alert.service}`).sort()).toEqual(['by-priority:files', 'by-profile:files', 'by-service:search']);
    await fleet.supervisor.stop();
  });
});

describe('delivery', () => {
  it('a dead sink never slows a transition', async () => {
    const scenario = async (withAlerts: boolean) => {
      const fleet = await alertedFleet([stdio('files', { lifecycle: { maxReconnectAttempts: 3 } })], alertsOf(DOCUMENT_RULES), undefined, withAlerts);
      fleet.sink().behaviour = 'hang';
      await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', MINUTE);
      fleet.io.defaults.connect = 'fail';
      fleet.io.loseConnection();
      await fleet.advance(15 * MINUTE);
      await fleet.supervisor.stop();
      return fleet;
    };
    const alerted = await scenario(true);
    const quiet = await scenario(false);
    // The same transitions at the same (virtual) times, while the sink holds its first notification forever.
    expect(alerted.transitions.map((t) => [t.from, t.to, t.at])).toEqual(quiet.transitions.map((t) => [t.from, t.to, t.at]));
    expect(alerted.sink().received).toHaveLength(1);
    expect(alerted.system.deliveries.get('ops')?.queued).toBeGreaterThan(0);
  });

  it('bounds the queue: the oldest are dropped, and counted', async () => {
    const clock = new VirtualClock();
    const sink = new RecordingSink('slow');
    sink.behaviour = 'hang';
    const outcomes: string[] = [];
    const delivery = new AlertDelivery(sink, { queueSize: 3, maxAttempts: 1, timers: clock, onOutcome: (_, outcome) => outcomes.push(outcome) });
    const notification = (n: number): AlertNotification => ({ test: false, alerts: [{ status: 'firing', rule: `r${n}`, service: 's', agent: null, state: 'RECONNECTING', from: 'HEALTHY', cause: 'connection_lost', reason: '', at: 0, since: 0, priority: null, profile: null }] });
    for (let n = 1; n <= 6; n++) delivery.enqueue(notification(n));
    await flush();
    // The first is being sent; of the five after it, the queue kept the newest three.
    expect(sink.received.map((sent) => sent.alerts[0]?.rule)).toEqual(['r1']);
    expect(delivery.queued).toBe(3);
    expect(outcomes).toEqual(['dropped', 'dropped']);
    delivery.close();
  });

  it('retries with jittered backoff, logs each failure with secrets redacted, and counts the outcomes', async () => {
    const clock = new VirtualClock();
    const time = clock;
    const sink = new RecordingSink('ops');
    sink.behaviour = 'fail';
    const log: string[] = [];
    const outcomes: string[] = [];
    const delivery = new AlertDelivery(sink, {
      queueSize: 10,
      maxAttempts: 3,
      timers: clock,
      random: () => 1,
      log: (line) => log.push(line),
      onOutcome: (_, outcome) => outcomes.push(outcome),
    });
    delivery.enqueue({ test: true, alerts: [] });
    await flush();
    expect(sink.received).toHaveLength(1);
    await time.advance(retryDelay(1, () => 1) - 1);
    expect(sink.received).toHaveLength(1);
    await time.advance(1);
    expect(sink.received).toHaveLength(2);
    sink.behaviour = 'deliver';
    await time.advance(retryDelay(2, () => 1));
    await delivery.idle();
    expect(sink.received).toHaveLength(3);
    expect(outcomes).toEqual(['retried', 'retried', 'delivered']);
    expect(log[0]).toBe("alert sink 'ops' (memory): attempt 1 of 3 failed: HTTP 500 from https://hooks.example/***; retrying in 1.2 s");
    expect(log.join('\n')).not.toContain('hunter2-secret');
    expect([retryDelay(1, () => 0.5), retryDelay(2, () => 0.5), retryDelay(10, () => 0.5)]).toEqual([1_000, 2_000, 60_000]);
  });
});
