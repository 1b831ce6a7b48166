/**
 * `mcp-supervisor/testing`: the lifecycle in virtual time — a clock to give a Supervisor (`{ clock }`)
 * or a service machine, in-memory MCP servers of both protocol eras behind the product's own
 * connection code with each service's faults scripted, and the what-if of one service's outage that
 * `mcp-supervisor simulate` prints.
 *
 * @packageDocumentation
 */

export { VirtualClock, settle } from './supervisor/virtual-clock.js';
export { InMemoryConnections } from './testing/in-memory-connections.js';
export type { ActorCall, InMemoryConnectionsOptions, LayerCalls, ProbeCall } from './testing/in-memory-connections.js';
export type { LinkClock } from './testing/scripted-link.js';
export type { ProbedConnection } from './actors/connection-actor.js';
export { defaultScript, tool } from './testing/service-script.js';
export type { Behaviour, CallBehaviour, ServiceScript } from './testing/service-script.js';
export { OUTAGE_KINDS, SimulationError, simulateOutage } from './supervisor/outage-simulation.js';
export type { OutageKind, OutageScenario, OutageSimulation, SimulationEnd, TimelineEntry, TimelineEvent } from './supervisor/outage-simulation.js';
