// The alert system of one supervisor: the sinks its config names, a delivery queue for each, and the
// rule engine following `transitions$`, with their counts in the metrics.

import type { Observable, Subscription } from 'rxjs';
import type { AlertsConfig, AlertSinkConfig } from '../config/model.js';
import type { Transition } from '../supervisor/transition.js';
import { AlertDelivery, type DeliveryTimers } from './alert-delivery.js';
import { AlertEngine, type ServiceFacts } from './alert-engine.js';
import { createSink, type AlertSink } from './alert-sink.js';
import type { SupervisorMetrics } from './supervisor-metrics.js';

/** The clock, facts, log and metrics an {@link AlertSystem} works with. */
export interface AlertSystemOptions {
  /** The supervisor's clock: duration rules, grouping windows and retries run on it. */
  timers: DeliveryTimers & { now(): number };
  describe: (service: string) => ServiceFacts;
  /** Where delivery failures are told (redacted). */
  log?: (line: string) => void;
  metrics?: SupervisorMetrics;
  random?: () => number;
  /** Builds a sink from its config (default: the webhook, command and e-mail sinks). */
  createSink?: (config: AlertSinkConfig) => AlertSink;
}

/**
 * The alerts of one supervisor, from its config's `alerts` section: `observe(supervisor.transitions$)`
 * applies the rules, each sink's notifications are delivered off the supervision path, `idle()` resolves
 * once every queue is empty, `close()` ends it all.
 */
export class AlertSystem {
  readonly deliveries: ReadonlyMap<string, AlertDelivery>;
  readonly engine: AlertEngine;

  constructor(config: AlertsConfig, options: AlertSystemOptions) {
    const build = options.createSink ?? createSink;
    const { metrics } = options;
    this.deliveries = new Map(
      config.sinks.map((sinkConfig) => [
        sinkConfig.name,
        new AlertDelivery(build(sinkConfig), {
          queueSize: config.queueSize,
          maxAttempts: config.maxAttempts,
          timers: options.timers,
          random: options.random,
          log: options.log,
          onOutcome: metrics ? (sink, outcome) => metrics.recordAlertDelivery(sink, outcome) : undefined,
        }),
      ]),
    );
    metrics?.watchAlertQueues(() => [...this.deliveries.values()].map((delivery) => ({ sink: delivery.sink.name, queued: delivery.queued })));
    this.engine = new AlertEngine({
      config,
      timers: options.timers,
      describe: options.describe,
      enqueue: (sink, notification) => this.deliveries.get(sink)?.enqueue(notification),
      onAlert: metrics ? (rule, status) => metrics.recordAlert(rule, status) : undefined,
    });
  }

  /** Follows the supervisor's transitions until the subscription ends. */
  observe(transitions$: Observable<Transition>): Subscription {
    return this.engine.observe(transitions$);
  }

  /** Resolves once every queue is empty (what was due is delivered or given up). */
  async idle(): Promise<void> {
    await Promise.all([...this.deliveries.values()].map((delivery) => delivery.idle()));
  }

  close(): void {
    this.engine.stop();
    for (const delivery of this.deliveries.values()) delivery.close();
  }
}
