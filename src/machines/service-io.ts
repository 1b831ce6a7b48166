// The contract between the service statechart and the I/O it invokes. The machine names these actors;
// `src/actors` implements them against the MCP SDK and the supervisor provides them
// (`serviceMachine.provide({ actors })`), so the same chart runs against real servers or test doubles.
// Everything here is plain data: no client, transport or process object ever enters the machine.

import type { CallbackActorLogic, PromiseActorLogic } from 'xstate';
import type { Priority } from './defaults.js';

/** Who an actor works for. Implementations look up the real (unredacted) transport by this key. */
export interface ServiceRef {
  serviceKey: string;
  serviceName: string;
  agentId: string | null;
}

/** A tool as listed by `tools/list` (the serialisable part the fleet needs). */
export interface ToolDescriptor {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

export interface ServerInfo {
  name: string;
  version: string;
}

/**
 * The two generations of the protocol: `legacy` (revisions up to 2025-11-25: an `initialize`
 * handshake, sessions, `ping`) and `modern` (2026-07-28 on: stateless, `server/discover`, no `ping`).
 */
export type ProtocolEra = 'legacy' | 'modern';

/** What a connect negotiated with the server. */
export interface NegotiatedProtocol {
  era: ProtocolEra;
  /** The protocol revision, e.g. `2025-11-25` or `2026-07-28`. */
  version: string;
}

/**
 * `connect`: close any previous connection of this service, open a fresh one, negotiate the protocol
 * era (a `server/discover` probe, or the `initialize` handshake of a legacy server), list tools.
 */
export interface ConnectInput extends ServiceRef {
  /** 1-based attempt number within the current reconnect cycle (0 for the first connect). */
  attempt: number;
  timeoutMs: number;
  /** The service's priority: a fleet-wide connect queue serves critical services first. */
  priority: Priority;
  /**
   * Budget for closing what the lifecycle gave up on: the previous connection (its pings failed or it
   * was lost) and whatever a failed or aborted connect opened. Short: a hung server gets no grace.
   */
  closeTimeoutMs: number;
}
export interface ConnectOutput {
  /** Opaque id of the live connection; later actors receive it to act on exactly that connection. */
  connectionId: string;
  serverInfo: ServerInfo | null;
  protocol: NegotiatedProtocol;
  tools: ToolDescriptor[];
}

/**
 * `ping`: one health probe of the connection's era (`ping` on a legacy connection, `server/discover`
 * on a modern one); resolves when answered, rejects on error. The machine times it.
 */
export interface PingInput extends ServiceRef {
  connectionId: string;
  timeoutMs: number;
}

/** `listTools`: a full, paginated `tools/list`. */
export interface ListToolsInput extends ServiceRef {
  connectionId: string;
}

/** `watchConnection`: a callback actor that reports transport loss and tool-list changes at once. */
export interface WatchConnectionInput extends ServiceRef {
  connectionId: string;
}

/**
 * `disconnect`: graceful close of the connection (and process tree), within `timeoutMs`. It also ends
 * whatever a connect aborted by the stop had opened: when it resolves, no process of the service runs.
 */
export interface DisconnectInput extends ServiceRef {
  connectionId: string | null;
  timeoutMs: number;
}

/** Events a `watchConnection` implementation sends back to the service machine. */
export type ConnectionEvent =
  | { type: 'CONNECTION_LOST'; reason: string }
  | { type: 'TOOLS_CHANGED' };

/** The five actor implementations a caller provides to the service machine. */
export interface ServiceActors {
  connect: PromiseActorLogic<ConnectOutput, ConnectInput>;
  ping: PromiseActorLogic<void, PingInput>;
  listTools: PromiseActorLogic<ToolDescriptor[], ListToolsInput>;
  disconnect: PromiseActorLogic<void, DisconnectInput>;
  watchConnection: CallbackActorLogic<ConnectionEvent, WatchConnectionInput>;
}
