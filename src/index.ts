/**
 * mcp-supervisor keeps a fleet of MCP servers connected and healthy. This main entry is what an
 * application that embeds the supervisor imports; the statechart and its I/O contract are
 * `mcp-supervisor/machines`, virtual time and outage simulation `mcp-supervisor/testing`, metrics, the
 * operators' listener, alerts, tallies and tracing `mcp-supervisor/observe`.
 *
 * @packageDocumentation
 */
// The CLI and the tests import internals by path, never through here.

// The supervisor
export { createSupervisor } from './supervisor/create-supervisor.js';
export type { CreateSupervisorOptions, SupervisorSource } from './supervisor/create-supervisor.js';
export { Supervisor } from './supervisor/supervisor.js';
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
export type { CallOptions, InputRetry } from './supervisor/call-options.js';
export type { ConnectionDiagnostics, ConnectionLayer, ToolCallOptions } from './supervisor/connection-layer.js';
// The actors a ConnectionLayer provides, and what they take and report.
export type * from './machines/service-io.js';

// The gateway: the available fleet as one MCP server
export { createGateway } from './gateway/gateway.js';
export type { Gateway, GatewayOptions, ListenOptions, LiveGatewaySettings, SessionOptions } from './gateway/gateway.js';
export type { GatewayRequestObserver, GatewayRequestOutcome } from './gateway/observed-server.js';
export { createGatewayHttpHandler } from './gateway/http-handler.js';
export type { GatewayHttpHandler, GatewayHttpOptions } from './gateway/http-handler.js';
export type { GatewayConfig, ServiceExposure } from './config/gateway-section.js';
export type { ForwardedMethod, ForwardedNotification, ForwardOptions, ServerRequestHandler, ServerRequestMethod, ServiceNotification } from './actors/connection.js';

// What it publishes
export type { ServiceMetadata, ServiceSnapshot } from './supervisor/service-snapshot.js';
export type { Transition } from './supervisor/transition.js';
export type { ConnectAttempt, Probe, ProcessStart } from './supervisor/check-events.js';
export { PROBE_OUTCOMES, type CheckFailure, type ConnectReport, type ProbeOutcome, type ProbeReport } from './machines/check-report.js';
export type { FleetMetrics } from './supervisor/fleet-metrics.js';
export { SERVICE_STATES, type ServiceState } from './machines/service.machine.js';
export { TRANSITION_CAUSES, type TransitionCause } from './machines/transition-cause.js';
export { HEALTH_TIERS, type HealthTier } from './machines/health-tier.js';

// Errors: one family, each with a stable code
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
export { ConfigError } from './config/errors.js';
export type { ConfigIssue } from './config/errors.js';
export { InspectorPortInUseError } from './supervisor/inspector.js';
export { ActorNotProvidedError } from './machines/service.machine.js';
export { SimulationError } from './supervisor/outage-simulation.js';

// Configuration
export { loadConfigFile, parseConfig } from './config/load.js';
export type { LoadOptions, ParseOptions } from './config/load.js';
export type {
  AlertRuleConfig,
  AlertsConfig,
  AlertSinkConfig,
  AlertTrigger,
  FleetConfig,
  HttpSettings,
  ReadinessPolicy,
  ServiceConfig,
} from './config/model.js';
export type { ListenAddress } from './config/listen-address.js';
export type { FleetDiff, ServiceChange } from './config/diff.js';
export type {
  RealTransportConfig,
  RedactedTransportConfig,
  SseTransportConfig,
  StdioTransportConfig,
  StreamableHttpTransportConfig,
  TransportConfig,
  TransportType,
} from './config/transport.js';
export { PRIORITIES, type LifecycleConfig, type Priority, type SupervisorSettings } from './machines/defaults.js';

// The pure policies the lifecycle follows, to compute a schedule ahead of time
export { applyJitter, reconnectDelay, unreachableDelay, type LongCycle, type ShortCycle } from './machines/backoff.js';
export { healthTier, pingTimeoutFor, type TierThresholds, type TimeoutSettings } from './machines/health-tier.js';

// The statechart as a diagram (of `serviceMachine`, from `mcp-supervisor/machines`)
export { toDiagramJson, toMermaid } from './machines/diagram.js';
export type { DiagramEdge, DiagramJson } from './machines/diagram.js';

// The Stately inspector bridge
export { startInspector } from './supervisor/inspector.js';
export type { InspectorBridge, InspectorOptions } from './supervisor/inspector.js';
