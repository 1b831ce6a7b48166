/**
 * `mcp-supervisor/machines`: the lifecycle statechart of one service, with the contract of the I/O
 * actors it invokes (provide your own with `serviceMachine.provide({ actors })`), its defaults and the
 * pure policies its guards and delays use.
 *
 * @packageDocumentation
 */

export { serviceMachine, SERVICE_STATES, AVAILABLE, AVAILABLE_STATES, ActorNotProvidedError } from './machines/service.machine.js';
export type { ServiceEvent, ServiceMachine, ServiceState } from './machines/service.machine.js';
export type { ConnectionRecord, HealthRecord, RetryRecord, ServiceContext, ServiceMachineInput, ToolsRecord } from './machines/service.context.js';
export type * from './machines/service-io.js';
export { PROBE_OUTCOMES, type CheckFailure, type ConnectReport, type ProbeOutcome, type ProbeReport, type ServiceEmitted } from './machines/check-report.js';
export type { TransportConfig } from './config/transport.js';
export type { RedactedTransportConfig } from './machines/redacted-transport.js';
export { TRANSITION_CAUSES, type StopCause, type TransitionCause } from './machines/transition-cause.js';
export { serviceKey } from './machines/service-key.js';
export {
  DEFAULT_LIFECYCLE_CONFIG,
  DEFAULT_SUPERVISOR_SETTINGS,
  PRIORITIES,
  resolveLifecycleConfig,
} from './machines/defaults.js';
export type { LifecycleConfig, Priority, SupervisorSettings } from './machines/defaults.js';
export {
  applyJitter,
  PRIORITY_WEIGHTS,
  reconnectDelay,
  reconnectSchedule,
  unreachableDelay,
  unreachableSchedule,
} from './machines/backoff.js';
export type { LongCycle, ShortCycle } from './machines/backoff.js';
export { healthTier, HEALTH_TIERS, pingTimeoutFor } from './machines/health-tier.js';
export type { HealthTier, TierThresholds, TimeoutSettings } from './machines/health-tier.js';
export { toDiagramJson, toMermaid } from './machines/diagram.js';
export type { DiagramEdge, DiagramJson } from './machines/diagram.js';
