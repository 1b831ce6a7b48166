/**
 * `mcp-supervisor/testing`: the lifecycle in virtual time — a clock to give a Supervisor (`{ clock }`)
 * or a service machine, and the what-if of one service's outage that `mcp-supervisor simulate` prints.
 *
 * @packageDocumentation
 */

export { VirtualClock } from './supervisor/virtual-clock.js';
export { OUTAGE_KINDS, SimulationError, simulateOutage } from './supervisor/outage-simulation.js';
export type { OutageKind, OutageScenario, OutageSimulation, SimulationEnd, TimelineEntry, TimelineEvent } from './supervisor/outage-simulation.js';
