// mcp-supervisor's public surface: everything an embedding application imports comes from here.

// The supervisor and its API
export { Supervisor } from './supervisor/supervisor.js';
export { createSupervisor } from './supervisor/create-supervisor.js';
export type { CreateSupervisorOptions, SupervisorSource } from './supervisor/create-supervisor.js';
export type { CallOptions } from './supervisor/call-options.js';
export type {
  ConfigReloadEvent,
  FleetSpec,
  HealthCheckResult,
  RawServiceDefinition,
  ServiceInfo,
  ServiceSpec,
  SupervisorClock,
  SupervisorOptions,
  ToolListing,
  WaitOptions,
} from './supervisor/supervisor.js';
export type { ServiceMetadata, ServiceSnapshot } from './supervisor/service-snapshot.js';
export type { Transition } from './supervisor/transition.js';
export { collectFleetMetrics } from './supervisor/fleet-metrics.js';
export type { FleetMetrics } from './supervisor/fleet-metrics.js';
export type { ConnectionDiagnostics, ConnectionLayer, ToolCallOptions } from './supervisor/connection-layer.js';
export { ConnectQueue } from './supervisor/connect-queue.js';
export { InspectorPortInUseError, startInspector } from './supervisor/inspector.js';
export { simulateOutage, OUTAGE_KINDS, SimulationError } from './supervisor/outage-simulation.js';
export type { OutageKind, OutageScenario, OutageSimulation, TimelineEntry } from './supervisor/outage-simulation.js';
export type { InspectorBridge, InspectorOptions } from './supervisor/inspector.js';
export { isMcpSupervisorError, McpSupervisorError, MCP_SUPERVISOR_ERROR_CODES } from './mcp-supervisor-error.js';
export type { McpSupervisorErrorCode } from './mcp-supervisor-error.js';
export {
  ConfigFileRequiredError,
  DuplicateServiceError,
  HealthCheckTimeoutError,
  RedactedTransportError,
  ServiceNotFoundError,
  ServiceUnavailableError,
  SupervisorError,
  SupervisorStoppedError,
  ToolCallTimeoutError,
  ToolNotFoundError,
  WaitTimeoutError,
} from './supervisor/errors.js';
// What a tool call can reject with when the connection, not the supervisor, failed.
export {
  ConnectionLostError,
  ConnectionRefusedError,
  HttpStatusError,
  McpActorError,
  McpRequestError,
  MessageTooLargeError,
  NotConnectedError,
  OperationTimeoutError,
  TooManyOpenFilesError,
  UnauthorizedError,
} from './actors/errors.js';

// The statechart and its pure policy
export { serviceMachine, SERVICE_STATES, AVAILABLE_STATES, ActorNotProvidedError } from './machines/service.machine.js';
export { TRANSITION_CAUSES, type TransitionCause } from './machines/transition-cause.js';
export type { ServiceEvent, ServiceMachine, ServiceState } from './machines/service.machine.js';
export type { ServiceContext, ServiceMachineInput } from './machines/service.context.js';
export type * from './machines/service-io.js';
export { supervisorMachine } from './supervisor/supervisor.machine.js';
export {
  applyJitter,
  PRIORITY_WEIGHTS,
  reconnectDelay,
  reconnectSchedule,
  unreachableDelay,
  unreachableSchedule,
} from './machines/backoff.js';
export { healthTier, HEALTH_TIERS, pingTimeoutFor } from './machines/health-tier.js';
export type { HealthTier } from './machines/health-tier.js';
export {
  DEFAULT_LIFECYCLE_CONFIG,
  DEFAULT_SUPERVISOR_SETTINGS,
  PRIORITIES,
  resolveLifecycleConfig,
} from './machines/defaults.js';
export type { LifecycleConfig, Priority, SupervisorSettings } from './machines/defaults.js';
export { serviceKey } from './machines/service-key.js';
export { toDiagramJson, toMermaid } from './machines/diagram.js';
export type { DiagramEdge, DiagramJson } from './machines/diagram.js';

// Configuration
export * from './config/index.js';
