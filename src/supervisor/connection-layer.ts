// What the supervisor needs from the I/O side: somewhere to keep each service's real (unredacted)
// transport, the actor implementations its statecharts invoke, tool calls, and a last-resort close.
// `src/actors` provides the MCP implementation; tests and benchmarks may provide others.

import type { CallToolResult, ServerCapabilities } from '@modelcontextprotocol/client';
import type { ForwardedMethod, ForwardOptions, ServerRequestHandler, ServiceNotification } from '../actors/connection.js';
import type { TransportConfig } from '../config/transport.js';
import type { ServiceActors } from '../machines/service-io.js';
import type { CallOptions } from './call-options.js';

/** A tool call's options as the connection layer gets them: the caller's, with the timeout always set. */
export interface ToolCallOptions extends CallOptions {
  /** How long to wait for the answer, in ms (the supervisor fills in the default). */
  timeoutMs: number;
}

/** What the I/O side can tell about a service's current (or last) connection, for diagnosis. */
export interface ConnectionDiagnostics {
  /** The stdio server's pid (also its process group), or null for a remote server. */
  pid: number | null;
  /** The last lines the server wrote to stderr, secrets redacted. */
  stderrTail: string[];
  /** Notifications the server sent beyond the rate one server may send at, and that were dropped. */
  droppedNotifications: number;
}

/**
 * The I/O side of a supervisor (its `connections` option): the real MCP connections by default; tests
 * and benchmarks may give their own.
 */
export interface ConnectionLayer {
  /** Keeps the real transport of a service before its actor starts (replacing any earlier one). */
  register(serviceKey: string, transport: TransportConfig): void;
  /**
   * Forgets a service, closing any connection (and process tree) it still has, within `timeoutMs`
   * when given. Resolves once none of them is left.
   */
  unregister(serviceKey: string, timeoutMs?: number): Promise<void>;
  /** The implementations of the statechart's `connect`, `connection`, `listTools` and `disconnect` actors. */
  readonly actors: ServiceActors;
  /**
   * Calls a tool on the service's live connection. Bounded by `timeoutMs` (then rejects with
   * OperationTimeoutError, or with the SDK's RequestTimeout SdkError; restarted at each progress
   * notification with `resetTimeoutOnProgress`), by `maxTotalTimeout` in all (the same errors, with that
   * many ms), and by `signal` (rejects with its reason); rejects (never hangs) if the connection drops.
   * Progress notifications go to `onProgress`. On the real clock the supervisor relies on these bounds and sets
   * no timer of its own.
   */
  callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult>;
  /**
   * Sends one of the requests a gateway forwards (resources, prompts, completions) on the service's
   * live connection and resolves with the server's result; bounded by `timeoutMs` and `signal`, and
   * rejecting if the connection drops. Optional: without it, a gateway serves tools only.
   */
  request?(serviceKey: string, method: ForwardedMethod, params: Record<string, unknown> | undefined, options: ForwardOptions): Promise<Record<string, unknown>>;
  /** What the service's live server declared it can do; null while it has no connection. */
  serverCapabilities?(serviceKey: string): ServerCapabilities | null;
  /** Hears every live server's resource, prompt and log notifications until the returned function runs. */
  onNotification?(listener: (serviceKey: string, notification: ServiceNotification) => void): () => void;
  /** Tells the service's live server that its client's roots changed, for a layer that can. */
  notifyRootsChanged?(serviceKey: string): Promise<void>;
  /**
   * Who answers the servers' requests to their client (sampling, elicitation, roots), for a layer that
   * offers servers those capabilities; null for nobody. Returns how to undo it.
   */
  setServerRequestHandler?(handler: ((serviceKey: string, ...request: Parameters<ServerRequestHandler>) => Promise<Record<string, unknown>>) | null): () => void;
  /**
   * Hears every start of a service's server process (stdio), with its pid when there is one, until
   * the returned function runs: each reconnect of a stdio service starts a new process. Optional: a
   * layer without it reports no process starts.
   */
  onProcessStarted?(listener: (serviceKey: string, pid: number | null) => void): () => void;
  /** The service's current or last connection, if the layer can tell. */
  diagnostics?(serviceKey: string): ConnectionDiagnostics | null;
  /** Closes every connection and ends every process still running (within `timeoutMs` when given). */
  closeAll(timeoutMs?: number): Promise<void>;
}
