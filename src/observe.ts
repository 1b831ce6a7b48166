/**
 * `mcp-supervisor/observe`: what operators watch a supervisor through — its Prometheus metrics
 * (`SupervisorMetrics`, and `InstrumentedConnections` for the tool calls), the operators' HTTP listener
 * (`/metrics`, `/healthz`, `/readyz`, and handlers of an embedder's own), the alerts (rules, sinks,
 * delivery), cumulative per-service counters (`ServiceTallies`) and lifecycle incidents as OpenTelemetry
 * spans (`LifecycleTracing`).
 *
 * @example
 * ```ts
 * const { supervisor, metrics } = observedSupervisor(await loadConfigFile('services.yaml'));
 * const tallies = new ServiceTallies(supervisor);
 * const http = await startOperatorHttp({ settings, fleet: supervisor, metrics, critical: () => new Set() });
 * new LifecycleTracing().observe(supervisor.transitions$);
 * supervisor.start();
 * ```
 *
 * @packageDocumentation
 */

// Metrics
export { probeBuckets, SupervisorMetrics } from './observe/supervisor-metrics.js';
export type { ObservedFleet, SupervisorMetricsOptions } from './observe/supervisor-metrics.js';
export { InstrumentedConnections } from './observe/instrumented-connections.js';
export type { ToolCallObserver, ToolCallRecord } from './observe/instrumented-connections.js';
export { TOOL_CALL_OUTCOMES, type ToolCallOutcome } from './observe/tool-call-outcome.js';
export { observedSupervisor, type ObservedSupervisor } from './observe/observed-supervisor.js';

// The operators' listener
export { OperatorListener, OperatorListenerError } from './observe/operator-listener.js';
export type { OperatorListenerOptions, RequestHandler } from './observe/operator-listener.js';
export { criticalServices, startOperatorHttp } from './observe/operator-http.js';
export type { OperatorHttp, OperatorHttpOptions } from './observe/operator-http.js';
export type { DashboardFleet } from './web/dashboard.js';
export { readinessOf, type Readiness } from './observe/readiness.js';
export { EventLoopWatch, type EventLoopWatchOptions } from './observe/event-loop-watch.js';

// Alerts
export { AlertSystem, type AlertSystemOptions } from './observe/alert-system.js';
export { AlertEngine, type AlertEngineOptions, type ServiceFacts } from './observe/alert-engine.js';
export { AlertDelivery, DELIVERY_OUTCOMES, type DeliveryOptions, type DeliveryOutcome, type DeliveryTimers } from './observe/alert-delivery.js';
export { createSink, type AlertSink } from './observe/alert-sink.js';
export type { Alert, AlertNotification } from './observe/alert-notification.js';

// Counters since start
export { RECENT_RESPONSE_TIMES, ServiceTallies } from './observe/service-tallies.js';
export type { Incident, IncidentKind, ServiceTally, TallyClock, TalliedSupervisor } from './observe/service-tallies.js';

// Tracing
export { LifecycleTracing, TRACER_NAME } from './observe/lifecycle-tracing.js';
