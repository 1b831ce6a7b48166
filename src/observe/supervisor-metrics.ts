// The supervisor's Prometheus metrics (prom-client): per-service gauges set as `services$` changes
// (a scrape only serializes), counters fed by `transitions$` and by the statechart's own reports of each
// health check, connect attempt and process start (`probes$`, `connects$`, `processStarts$`), tool-call
// histograms fed by the instrumented connection layer, and Node's process and event-loop defaults.
// Labels are bounded: service keys, states, causes, tiers, outcomes and tool names that a server
// listed; never arguments or error text.

import type { Observable, Subscription } from 'rxjs';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DEFAULT_LIFECYCLE_CONFIG } from '../machines/defaults.js';
import { HEALTH_TIERS } from '../machines/health-tier.js';
import { SERVICE_STATES } from '../machines/service.machine.js';
import type { TierThresholds } from '../machines/health-tier.js';
import { PROBE_OUTCOMES } from '../machines/check-report.js';
import type { ConnectAttempt, Probe, ProcessStart } from '../supervisor/check-events.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import type { DeliveryOutcome } from './alert-delivery.js';
import type { ToolCallRecord } from './instrumented-connections.js';

/** What the metrics read of a supervisor: its public streams. */
export interface ObservedFleet {
  readonly services$: Observable<ReadonlyMap<string, ServiceSnapshot>>;
  readonly transitions$: Observable<Transition>;
  readonly probes$: Observable<Probe>;
  readonly connects$: Observable<ConnectAttempt>;
  readonly processStarts$: Observable<ProcessStart>;
}

export interface SupervisorMetricsOptions {
  /** Where the metrics are registered; a new registry by default. */
  registry?: Registry;
  /**
   * The health tiers' bounds (ms) the probe-duration buckets are placed at; each distinct set adds its
   * bounds (the built-in 1 s, 3 s, 10 s by default).
   */
  tierThresholds?: readonly TierThresholds[];
  /** Node's process and event-loop metrics (`process_*`, `nodejs_*`); default true. */
  defaultMetrics?: boolean;
  /** The package version, for `mcp_supervisor_build_info`. */
  version?: string;
}

/** Finer buckets below the tiers, so fast probes are told apart (seconds). */
const FAST_PROBE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5];
/** Tool calls take from milliseconds to the default one-minute timeout (seconds). */
const TOOL_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A transition's `from` when the service was just registered. */
const NO_STATE = 'none';

/** Per-service label values: the fleet key and its agent (empty in the global scope). */
const serviceLabels = (key: string, agent: string | null) => ({ service: key, agent: agent ?? '' });

/** The probe-duration buckets: fast ones, then every tier bound of the fleet, in seconds. */
export function probeBuckets(thresholds: readonly TierThresholds[]): number[] {
  const bounds = thresholds.flatMap((tier) => [tier.healthyThreshold, tier.warningThreshold, tier.slowThreshold].map((ms) => ms / 1000));
  return [...new Set([...FAST_PROBE_BUCKETS, ...bounds])].sort((a, b) => a - b);
}

/** Per-service series of the counters, so a removed service's are dropped with it. */
interface ServiceSeries {
  transitions: Set<string>;
  toolCalls: Set<string>;
}

/**
 * The metrics of one supervisor. `observe(fleet)` subscribes to its streams (dispose with the returned
 * subscription); `recordToolCall` is the observer of `InstrumentedConnections`; `registry.metrics()`
 * is the text `/metrics` serves.
 */
export class SupervisorMetrics {
  readonly registry: Registry;
  // Gauges of each service, set when its snapshot changes (not rebuilt at every scrape).
  private readonly state: Gauge<'service' | 'agent' | 'state'>;
  private readonly stateEntered: Gauge<'service' | 'agent'>;
  private readonly nextRetry: Gauge<'service' | 'agent'>;
  private readonly tools: Gauge<'service' | 'agent'>;
  private readonly consecutiveFailures: Gauge<'service' | 'agent'>;
  private readonly healthTier: Gauge<'service' | 'agent' | 'tier'>;
  private readonly transitions: Counter<'service' | 'agent' | 'from' | 'to' | 'cause'>;
  private readonly probeDuration: Histogram<'service' | 'agent'>;
  private readonly probeFailures: Counter<'service' | 'agent'>;
  private readonly probes: Counter<'service' | 'agent' | 'outcome'>;
  private readonly reconnectAttempts: Counter<'service' | 'agent'>;
  private readonly processStarts: Counter<'service' | 'agent'>;
  private readonly processRestarts: Counter<'service' | 'agent'>;
  private readonly longCycleRetries: Counter<'service' | 'agent'>;
  private readonly toolCallDuration: Histogram<'service' | 'mcp_method_name' | 'gen_ai_tool_name' | 'outcome'>;
  private readonly toolCalls: Counter<'service' | 'gen_ai_tool_name' | 'outcome'>;
  private readonly alerts: Counter<'rule' | 'status'>;
  private readonly alertDeliveries: Counter<'sink' | 'outcome'>;
  private alertQueues: () => { sink: string; queued: number }[] = () => [];
  /** The last snapshot seen of each service, to count what changed since. */
  private readonly previous = new Map<string, ServiceSnapshot>();
  /** Services whose server process is known to have started once: the next start is a restart. */
  private readonly started = new Set<string>();
  private readonly series = new Map<string, ServiceSeries>();

  constructor(options: SupervisorMetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const registers = [registry];
    const perService = ['service', 'agent'] as const;

    this.state = new Gauge({
      name: 'mcp_supervisor_service_state',
      help: 'Lifecycle state of each service: one series per state, 1 for the current one.',
      labelNames: [...perService, 'state'],
      registers,
    });
    this.stateEntered = new Gauge({
      name: 'mcp_supervisor_service_state_entered_timestamp_seconds',
      help: 'When each service entered its current state (Unix time).',
      labelNames: perService,
      registers,
    });
    this.nextRetry = new Gauge({
      name: 'mcp_supervisor_service_next_retry_timestamp_seconds',
      help: 'When the next reconnect attempt of each RECONNECTING or UNREACHABLE service is due (Unix time); absent when none is scheduled.',
      labelNames: perService,
      registers,
    });
    this.tools = new Gauge({
      name: 'mcp_supervisor_service_tools',
      help: 'Tools each service offered in its last tools/list.',
      labelNames: perService,
      registers,
    });
    this.consecutiveFailures = new Gauge({
      name: 'mcp_supervisor_service_consecutive_failures',
      help: 'Failed health checks in a row of each service (0 after a success).',
      labelNames: perService,
      registers,
    });
    this.healthTier = new Gauge({
      name: 'mcp_supervisor_service_health_tier',
      help: 'Tier of the last health check of each service by response time: one series per tier, 1 for the current one; none before the first check.',
      labelNames: [...perService, 'tier'],
      registers,
    });
    this.transitions = new Counter({
      name: 'mcp_supervisor_service_transitions_total',
      help: 'Lifecycle transitions of each service, by from-state, to-state and cause (from="none" when it was registered).',
      labelNames: [...perService, 'from', 'to', 'cause'],
      registers,
    });
    this.probeDuration = new Histogram({
      name: 'mcp_supervisor_service_probe_duration_seconds',
      help: 'Response time of each health probe that was answered on the wire, with buckets at the health tiers\' bounds.',
      labelNames: perService,
      buckets: probeBuckets(options.tierThresholds ?? [DEFAULT_LIFECYCLE_CONFIG]),
      registers,
    });
    this.probes = new Counter({
      name: 'mcp_supervisor_service_probes_total',
      help: 'Health checks each service completed, by outcome: ok, answered_by_call (passive health: a tool call answered, no probe sent), failed, timed_out, call_failed.',
      labelNames: [...perService, 'outcome'],
      registers,
    });
    this.probeFailures = new Counter({
      name: 'mcp_supervisor_service_probe_failures_total',
      help: 'Health checks that failed or timed out, per service (a tool call failing at the transport level counts with passive health).',
      labelNames: perService,
      registers,
    });
    this.reconnectAttempts = new Counter({
      name: 'mcp_supervisor_service_reconnect_attempts_total',
      help: 'Reconnect attempts of each service (short and long cycle).',
      labelNames: perService,
      registers,
    });
    this.processStarts = new Counter({
      name: 'mcp_supervisor_service_process_starts_total',
      help: 'Starts of each stdio service\'s server process (each connect starts one).',
      labelNames: perService,
      registers,
    });
    this.processRestarts = new Counter({
      name: 'mcp_supervisor_service_process_restarts_total',
      help: 'Starts of each stdio service\'s server process after its first: how often the server was restarted.',
      labelNames: perService,
      registers,
    });
    this.longCycleRetries = new Counter({
      name: 'mcp_supervisor_service_long_cycle_retries_total',
      help: 'Long-cycle retries of each UNREACHABLE service (UNREACHABLE → RECONNECTING on the retry timer).',
      labelNames: perService,
      registers,
    });
    this.toolCallDuration = new Histogram({
      name: 'mcp_client_operation_duration_seconds',
      help: 'Duration of the MCP requests the supervisor sent for tool calls (OpenTelemetry mcp.client.operation.duration), by outcome.',
      labelNames: ['service', 'mcp_method_name', 'gen_ai_tool_name', 'outcome'],
      buckets: TOOL_CALL_BUCKETS,
      registers,
    });
    this.toolCalls = new Counter({
      name: 'mcp_supervisor_tool_calls_total',
      help: 'Tool calls sent to each service, by tool and outcome (success, tool_error, timeout, cancelled, error).',
      labelNames: ['service', 'gen_ai_tool_name', 'outcome'],
      registers,
    });
    this.alerts = new Counter({
      name: 'mcp_supervisor_alerts_total',
      help: 'Alerts by rule and status: firing, resolved, or suppressed (held back by the cooldown).',
      labelNames: ['rule', 'status'],
      registers,
    });
    this.alertDeliveries = new Counter({
      name: 'mcp_supervisor_alert_deliveries_total',
      help: 'Alert notifications by sink and outcome: delivered, retried (an attempt failed), failed (gave up), dropped (queue full).',
      labelNames: ['sink', 'outcome'],
      registers,
    });
    const queues = () => this.alertQueues();
    new Gauge({
      name: 'mcp_supervisor_alert_queue_length',
      help: 'Alert notifications waiting for delivery, per sink.',
      labelNames: ['sink'],
      registers,
      collect() {
        this.reset();
        for (const { sink, queued } of queues()) this.set({ sink }, queued);
      },
    });
    if (options.version !== undefined) {
      new Gauge({ name: 'mcp_supervisor_build_info', help: 'The running mcp-supervisor version; always 1.', labelNames: ['version'], registers }).set(
        { version: options.version },
        1,
      );
    }
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  }

  /** Follows a supervisor's streams until the returned subscription is unsubscribed. */
  observe(fleet: ObservedFleet): Subscription {
    const subscription = fleet.transitions$.subscribe((transition) => this.countTransition(transition));
    subscription.add(fleet.services$.subscribe((services) => this.countChanges(services)));
    subscription.add(fleet.probes$.subscribe((probe) => this.countProbe(probe)));
    subscription.add(fleet.connects$.subscribe((attempt) => this.countConnect(attempt)));
    subscription.add(fleet.processStarts$.subscribe((start) => this.countProcessStart(start)));
    return subscription;
  }

  /** The observer of `InstrumentedConnections`. */
  readonly recordToolCall = (call: ToolCallRecord): void => {
    const labels = { service: call.service, gen_ai_tool_name: call.tool, outcome: call.outcome };
    this.toolCallDuration.observe({ ...labels, mcp_method_name: 'tools/call' }, call.durationSeconds);
    this.toolCalls.inc(labels);
    this.seriesOf(call.service).toolCalls.add(`${call.tool}\u0000${call.outcome}`);
  };

  recordAlert(rule: string, status: 'firing' | 'resolved' | 'suppressed'): void {
    this.alerts.inc({ rule, status });
  }

  recordAlertDelivery(sink: string, outcome: DeliveryOutcome): void {
    this.alertDeliveries.inc({ sink, outcome });
  }

  /** The alert queues' lengths, read at each scrape. */
  watchAlertQueues(queues: () => { sink: string; queued: number }[]): void {
    this.alertQueues = queues;
  }

  private countTransition(transition: Transition) {
    if (transition.to === 'REMOVED') return this.forget(transition.service);
    const labels = { ...serviceLabels(transition.service, transition.agent), from: transition.from ?? NO_STATE, to: transition.to, cause: transition.cause };
    this.transitions.inc(labels);
    this.seriesOf(transition.service).transitions.add(`${labels.from}\u0000${labels.to}\u0000${labels.cause}`);
    if (transition.cause === 'long_cycle_retry') this.longCycleRetries.inc(serviceLabels(transition.service, transition.agent));
  }

  private countProbe(probe: Probe) {
    const labels = serviceLabels(probe.service, probe.agent);
    this.probes.inc({ ...labels, outcome: probe.outcome });
    if (probe.failure) this.probeFailures.inc(labels);
    if (probe.outcome === 'ok' && probe.responseTime !== null) this.probeDuration.observe(labels, probe.responseTime / 1000);
  }

  private countConnect(attempt: ConnectAttempt) {
    if (attempt.attempt > 0) this.reconnectAttempts.inc(serviceLabels(attempt.service, attempt.agent));
  }

  private countProcessStart(start: ProcessStart) {
    const labels = serviceLabels(start.service, start.agent);
    this.processStarts.inc(labels);
    if (this.started.has(start.service)) this.processRestarts.inc(labels);
    this.started.add(start.service);
  }

  private countChanges(services: ReadonlyMap<string, ServiceSnapshot>) {
    for (const [key, service] of services) {
      const before = this.previous.get(key);
      if (before === service) continue;
      this.previous.set(key, service);
      // A service already connected when the metrics began has a process running: its next start is a restart.
      if (before === undefined && service.metadata.connectedTime !== null && service.config.transport.type === 'stdio') this.started.add(key);
      this.setGauges(serviceLabels(key, service.agentId), before, service);
    }
    if (this.previous.size > services.size) {
      for (const key of this.previous.keys()) if (!services.has(key)) this.forget(key);
    }
  }

  private setGauges(labels: { service: string; agent: string }, before: ServiceSnapshot | undefined, service: ServiceSnapshot) {
    const { metadata } = service;
    if (before?.state !== service.state) {
      for (const state of SERVICE_STATES) this.state.set({ ...labels, state }, state === service.state ? 1 : 0);
    }
    if (before?.metadata.stateEnteredTime !== metadata.stateEnteredTime) this.stateEntered.set(labels, metadata.stateEnteredTime / 1000);
    if (before?.metadata.nextRetryTime !== metadata.nextRetryTime) {
      if (metadata.nextRetryTime === null) this.nextRetry.remove(labels);
      else this.nextRetry.set(labels, metadata.nextRetryTime / 1000);
    }
    if (before?.metadata.toolCount !== metadata.toolCount) this.tools.set(labels, metadata.toolCount);
    if (before?.metadata.consecutiveFailures !== metadata.consecutiveFailures) this.consecutiveFailures.set(labels, metadata.consecutiveFailures);
    if (before?.metadata.healthTier !== metadata.healthTier && metadata.healthTier !== null) {
      for (const tier of HEALTH_TIERS) this.healthTier.set({ ...labels, tier }, tier === metadata.healthTier ? 1 : 0);
    }
  }

  /** A removed service's series go with it, so churn does not grow the registry. */
  private forget(key: string) {
    const before = this.previous.get(key);
    this.previous.delete(key);
    this.started.delete(key);
    const agent = before?.agentId ?? (key.includes('/') ? key.slice(0, key.indexOf('/')) : null);
    const labels = serviceLabels(key, agent);
    for (const metric of [
      this.probeDuration,
      this.probeFailures,
      this.reconnectAttempts,
      this.processStarts,
      this.processRestarts,
      this.longCycleRetries,
      this.stateEntered,
      this.nextRetry,
      this.tools,
      this.consecutiveFailures,
    ]) {
      metric.remove(labels);
    }
    for (const state of SERVICE_STATES) this.state.remove({ ...labels, state });
    for (const tier of HEALTH_TIERS) this.healthTier.remove({ ...labels, tier });
    for (const outcome of PROBE_OUTCOMES) this.probes.remove({ ...labels, outcome });
    const series = this.series.get(key);
    this.series.delete(key);
    for (const id of series?.transitions ?? []) {
      const [from = '', to = '', cause = ''] = id.split('\u0000');
      this.transitions.remove({ ...labels, from, to, cause });
    }
    for (const id of series?.toolCalls ?? []) {
      const [tool = '', outcome = ''] = id.split('\u0000');
      this.toolCalls.remove({ service: key, gen_ai_tool_name: tool, outcome });
      this.toolCallDuration.remove({ service: key, mcp_method_name: 'tools/call', gen_ai_tool_name: tool, outcome });
    }
  }

  private seriesOf(key: string): ServiceSeries {
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = { transitions: new Set(), toolCalls: new Set() }));
    return series;
  }
}
