// What the supervisor publishes of each health check, connect attempt and server process start, as
// it happens (`probes$`, `connects$`, `processStarts$`): the statechart's and the connection layer's
// own facts, with the service they concern. Never coalesced, in order per service.

import type { ConnectReport, ProbeReport } from '../machines/check-report.js';

/** Who an event concerns. */
interface OfService {
  /** Fleet key of the service (`name` or `agent/name`). */
  readonly service: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  readonly agent: string | null;
}

/** One finished health check of one service (`probes$`). */
export type Probe = OfService & Readonly<Omit<ProbeReport, 'type'>>;

/** One finished connect attempt of one service (`connects$`): the first connect, or a reconnect attempt. */
export type ConnectAttempt = OfService & Readonly<Omit<ConnectReport, 'type'>>;

/** A service's server process started (`processStarts$`): each connect of a stdio service starts one. */
export interface ProcessStart extends OfService {
  /** The process id (also its process group); null when the connection layer has none to give. */
  readonly pid: number | null;
  /** When it started: epoch ms of the supervisor's clock. */
  readonly at: number;
}
