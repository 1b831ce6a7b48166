// A supervisor built with its metrics: the tool calls go through the instrumented connection layer,
// and the metrics follow the supervisor's streams. What `run --http` (and the gateway) start from.

import type { Subscription } from 'rxjs';
import { McpConnections } from '../actors/connection-registry.js';
import type { FleetConfig } from '../config/model.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import { InstrumentedConnections } from './instrumented-connections.js';
import { SupervisorMetrics } from './supervisor-metrics.js';

export interface ObservedSupervisor {
  supervisor: Supervisor;
  metrics: SupervisorMetrics;
  /** Stops the metrics following the supervisor (its streams complete with `stop()` anyway). */
  subscription: Subscription;
}

export function observedSupervisor(config: FleetConfig, options: SupervisorOptions & { version?: string } = {}): ObservedSupervisor {
  const { version, ...supervisorOptions } = options;
  const metrics = new SupervisorMetrics({ tierThresholds: config.services.map((service) => service.lifecycle), version });
  const connections = new InstrumentedConnections(options.connections ?? new McpConnections(), metrics.recordToolCall);
  const supervisor = Supervisor.fromConfig(config, { ...supervisorOptions, connections });
  const subscription = metrics.observe(supervisor);
  return { supervisor, metrics, subscription };
}
