// The contract between the service statechart and the I/O it invokes. The machine names these actors;
// `src/actors` implements them against the MCP SDK and the supervisor provides them
// (`serviceMachine.provide({ actors })`), so the same chart runs against real servers or test doubles.
// Everything here is plain data: no client, transport or process object ever enters the machine.

import type { CallbackActorLogic, PromiseActorLogic } from 'xstate';
import type { Priority } from './defaults.js';

/** Who an actor works for. Implementations look up the real (unredacted) transport by this key. */
export interface ServiceRef {
  /** The service's fleet key: `name` in the global scope, `agent/name` in an agent's. */
  serviceKey: string;
  /** The service's name as configured. */
  serviceName: string;
  /** The agent whose scope the service belongs to; null for the global scope. */
  agentId: string | null;
}

/**
 * A tool as listed by `tools/list`: plain data, every field the server gave kept as it was (the
 * gateway passes output schemas, annotations, icons and `_meta` through untouched).
 */
export interface ToolDescriptor {
  /** The name to call the tool by. */
  name: string;
  /** A human-readable title, when the server gives one. */
  title?: string;
  /** What the tool does, as the server describes it. */
  description?: string;
  /** The JSON Schema of the tool's arguments. */
  inputSchema: Record<string, unknown>;
  /** The JSON Schema of the tool's structured result, when the server declares one. */
  outputSchema?: Record<string, unknown>;
  /** Hints about the tool's behaviour (read-only, destructive, idempotent, open-world), as the server gives them. */
  annotations?: Record<string, unknown>;
  /** Icons the server offers for the tool. */
  icons?: readonly Record<string, unknown>[];
  /** How the tool runs (for example whether it supports tasks), as the server declares it. */
  execution?: Record<string, unknown>;
  /** The server's own metadata for the tool, passed on untouched. */
  _meta?: Record<string, unknown>;
}

/** The server's own name and version, as it reported them when the connection was opened. */
export interface ServerInfo {
  /** The server's name. */
  name: string;
  /** The server's version. */
  version: string;
}

/**
 * The two generations of the protocol: `legacy` (revisions up to 2025-11-25: an `initialize`
 * handshake, sessions, `ping`) and `modern` (2026-07-28 on: stateless, `server/discover`, no `ping`).
 */
export type ProtocolEra = 'legacy' | 'modern';

/** What a connect negotiated with the server. */
export interface NegotiatedProtocol {
  /** The protocol generation the connection speaks. */
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
  /** Bound of the whole connect, in ms (the service's `connectTimeout`). */
  timeoutMs: number;
  /** The service's priority: a fleet-wide connect queue serves critical services first. */
  priority: Priority;
  /**
   * Budget for closing what the lifecycle gave up on: the previous connection (its pings failed or it
   * was lost) and whatever a failed or aborted connect opened. Short: a hung server gets no grace.
   */
  closeTimeoutMs: number;
}

/** What a successful `connect` resolves with. */
export interface ConnectOutput {
  /** Opaque id of the live connection; later actors receive it to act on exactly that connection. */
  connectionId: string;
  /** The server's name and version; null when it gave none. */
  serverInfo: ServerInfo | null;
  /** The era and revision negotiated. */
  protocol: NegotiatedProtocol;
  /** Every tool the server lists. */
  tools: ToolDescriptor[];
}

/** `listTools`: a full, paginated `tools/list`. */
export interface ListToolsInput extends ServiceRef {
  /** The connection to list on (from `ConnectOutput`). */
  connectionId: string;
}

/**
 * `connection`: a callback actor that lives as long as the service is available (HEALTHY or WARNING) on
 * one connection. It runs the health probes the machine asks for, and reports what it hears of the
 * connection: a loss, a changed tool list, and, with passive health on, how tool calls fare.
 */
export interface ConnectionActorInput extends ServiceRef {
  /** The connection to watch and probe (from `ConnectOutput`). */
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
  /** The connection to close; null when the service has none (a stop during a connect). */
  connectionId: string | null;
  /** Time the close may take, in ms (the service's `disconnectTimeout`). */
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
  /** The connection dropped (the process exited, the socket or session was lost); `reason` says how. */
  | { type: 'CONNECTION_LOST'; reason: string }
  /** The server announced that its tool list changed (`notifications/tools/list_changed`). */
  | { type: 'TOOLS_CHANGED' };

/** The four actor implementations a caller provides to the service machine. */
export interface ServiceActors {
  /** Opens a fresh connection and lists its tools (see {@link ConnectInput}). */
  connect: PromiseActorLogic<ConnectOutput, ConnectInput>;
  /** Watches and probes the live connection while the service is available (see {@link ConnectionActorInput}). */
  connection: CallbackActorLogic<ConnectionCommand, ConnectionActorInput>;
  /** Lists the tools again (see {@link ListToolsInput}). */
  listTools: PromiseActorLogic<ToolDescriptor[], ListToolsInput>;
  /** Closes the connection and ends the server's processes (see {@link DisconnectInput}). */
  disconnect: PromiseActorLogic<void, DisconnectInput>;
}
