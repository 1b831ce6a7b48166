// A supervisor built with its metrics: the tool calls go through the instrumented connection layer,
// and the metrics follow the supervisor's streams. What `run --http` (and the gateway) start from.

import type { Subscription } from 'rxjs';
import { McpConnections } from '../actors/connection-registry.js';
import type { FleetConfig } from '../config/model.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import { InstrumentedConnections } from './instrumented-connections.js';
import { SupervisorMetrics } from './supervisor-metrics.js';

/** A supervisor, the metrics that follow it, and how to stop them following. */
export interface ObservedSupervisor {
  supervisor: Supervisor;
  metrics: SupervisorMetrics;
  /** Stops the metrics following the supervisor (its streams complete with `stop()` anyway). */
  subscription: Subscription;
}

/**
 * A supervisor of `config` (not started) whose tool calls go through {@link InstrumentedConnections} and
 * whose streams {@link SupervisorMetrics} follows: what `run --http` and `serve` start from.
 */
export function observedSupervisor(config: FleetConfig, options: SupervisorOptions & { version?: string } = {}): ObservedSupervisor {
  const { version, ...supervisorOptions } = options;
  const metrics = new SupervisorMetrics({ tierThresholds: config.services.map((service) => service.lifecycle), version });
  const connections = new InstrumentedConnections(options.connections ?? new McpConnections(), metrics.recordToolCall);
  const supervisor = Supervisor.fromConfig(config, { ...supervisorOptions, connections });
  const subscription = metrics.observe(supervisor);
  return { supervisor, metrics, subscription };
}
