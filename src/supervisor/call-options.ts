// How one tool call is bounded and followed: the options of `Supervisor.callTool`, as the MCP SDK
// names them for every request (a signal, a timeout, progress and what progress does to the timeout).

import type { ClientCapabilities, Progress } from '@modelcontextprotocol/client';

/** The options of `Supervisor.callTool`; every one may be left out. */
export interface CallOptions {
  /** Aborts the call: it rejects with the signal's reason, and the server is sent `notifications/cancelled`. */
  signal?: AbortSignal;
  /**
   * How long to wait for the answer, in ms (default 60 000); then the call rejects with
   * `ToolCallTimeoutError`. With `resetTimeoutOnProgress`, the wait starts over at each progress notification.
   */
  timeoutMs?: number;
  /** Receives the server's progress notifications for this call (asking for them is what makes the server send any). */
  onProgress?: (progress: Progress) => void;
  /**
   * Starts the `timeoutMs` wait over at each progress notification, so a long call that keeps reporting
   * progress is not cut off (default false). Bound the whole call with `maxTotalTimeout`.
   */
  resetTimeoutOnProgress?: boolean;
  /**
   * The longest the call may take in all, in ms, progress or not; then it rejects with
   * `ToolCallTimeoutError` (its `limit` is `'maxTotalTimeout'`). Default: no bound beyond `timeoutMs`.
   */
  maxTotalTimeout?: number;
  /**
   * Hands back a 2026-07-28 server's `input_required` answer (`resultType: 'input_required'`, with its
   * `inputRequests` and `requestState`) instead of answering its requests through `relayServerRequests`;
   * a retry of such a call sets the client's `inputResponses` and the `requestState` it was given. No
   * effect on a 2025-era server, which sends its requests instead.
   */
  inputRequired?: InputRetry;
  /** Entries added to the request's `_meta`: a gateway passes on trace context (`traceparent`, `tracestate`) this way. */
  meta?: Readonly<Record<string, string>>;
}

/** What a retry of a multi-round-trip call carries: the answers to the server's requests and its state. */
export interface InputRetry {
  /** The client's answers, keyed as the server's `inputRequests` were. */
  inputResponses?: Record<string, unknown>;
  /** The `requestState` the server's `input_required` answer carried, exactly as it was. */
  requestState?: string;
  /**
   * What a 2026-07-28 server is told it may ask (sampling, elicitation, roots) instead of the
   * connection's own capabilities: a gateway passes on those of the client that made the call.
   */
  clientCapabilities?: ClientCapabilities;
}
