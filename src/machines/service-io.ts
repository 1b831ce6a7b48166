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

/**
 * A tool as listed by `tools/list`: plain data, every field the server gave kept as it was (the
 * gateway passes output schemas, annotations, icons and `_meta` through untouched).
 */
export interface ToolDescriptor {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  icons?: readonly Record<string, unknown>[];
  execution?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
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

/** `listTools`: a full, paginated `tools/list`. */
export interface ListToolsInput extends ServiceRef {
  connectionId: string;
}

/**
 * `connection`: a callback actor that lives as long as the service is available (HEALTHY or WARNING) on
 * one connection. It runs the health probes the machine asks for, and reports what it hears of the
 * connection: a loss, a changed tool list, and, with passive health on, how tool calls fare.
 */
export interface ConnectionActorInput extends ServiceRef {
  connectionId: string;
  /**
   * Tool calls count as health signals: a call that fails at the transport level is a failed probe,
   * and a successful call since the last probe answers the next one without sending it.
   */
  passiveHealth: boolean;
}

/** What the machine sends its connection actor. */
export type ConnectionCommand =
  /**
   * One health probe of the connection's era (`ping` on a legacy connection, `server/discover` on a
   * modern one), given up after `timeoutMs`. The machine times it as well, with its `pingTimeout`.
   */
  { type: 'PROBE'; timeoutMs: number };

/**
 * `disconnect`: graceful close of the connection (and process tree), within `timeoutMs`. It also ends
 * whatever a connect aborted by the stop had opened: when it resolves, no process of the service runs.
 */
export interface DisconnectInput extends ServiceRef {
  connectionId: string | null;
  timeoutMs: number;
}

/** What a connection actor reports to the service machine. */
export type ConnectionEvent =
  /**
   * The last PROBE was answered, in `responseTime` ms; null when a tool call that succeeded since the
   * probe before answered it (passive health), so that no request was sent and nothing was timed.
   */
  | { type: 'PROBE_OK'; responseTime: number | null }
  /** The last PROBE failed (a JSON-RPC -32601 answer still means the server is alive). */
  | { type: 'PROBE_FAILED'; error: unknown }
  /** Passive health: a tool call failed at the transport level (a timeout, a broken connection). */
  | { type: 'CALL_FAILED'; error: unknown }
  | { type: 'CONNECTION_LOST'; reason: string }
  | { type: 'TOOLS_CHANGED' };

/** The four actor implementations a caller provides to the service machine. */
export interface ServiceActors {
  connect: PromiseActorLogic<ConnectOutput, ConnectInput>;
  connection: CallbackActorLogic<ConnectionCommand, ConnectionActorInput>;
  listTools: PromiseActorLogic<ToolDescriptor[], ListToolsInput>;
  disconnect: PromiseActorLogic<void, DisconnectInput>;
}
