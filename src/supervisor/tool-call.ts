// One tool call with its bounds: the default timeout filled in, `timeoutMs` (restarted on progress when
// asked) and `maxTotalTimeout` enforced, and a timeout reported as ToolCallTimeoutError whichever layer
// noticed it. On the real clock the connection layer's own per-request timeout does the bounding (the SDK
// runs one timer per request anyway), so the hot path builds no timer, controller or error of its own; on
// a virtual clock the bounds are timers on that clock, passing when it is moved.

import { SdkError, SdkErrorCode, type CallToolResult, type Progress } from '@modelcontextprotocol/client';
import { maxTotalTimeoutOf, OperationTimeoutError } from '../actors/errors.js';
import { operationSignal } from '../actors/operation-signal.js';
import type { CallOptions } from './call-options.js';
import type { ConnectionLayer, ToolCallOptions } from './connection-layer.js';
import { ToolCallTimeoutError } from './errors.js';
import { realClock, type SupervisorClock } from './supervisor-clock.js';

/** How long a call may take when the caller sets no `timeoutMs`. */
export const DEFAULT_CALL_MS = 60_000;
/** A call given no options: the connection layer gets the same frozen options every time. */
export const NO_CALL_OPTIONS: CallOptions = Object.freeze({});
const DEFAULT_CALL_OPTIONS: ToolCallOptions = Object.freeze({ timeoutMs: DEFAULT_CALL_MS });

/** Where a call goes and whose time bounds it. */
export interface ToolCallRoute {
  connections: ConnectionLayer;
  clock: SupervisorClock;
}

/** Calls `tool` of service `key` within the call's bounds; a timeout rejects with ToolCallTimeoutError. */
export async function callToolWithinBounds(
  { connections, clock }: ToolCallRoute,
  key: string,
  tool: string,
  args: Record<string, unknown>,
  options: CallOptions,
): Promise<CallToolResult> {
  const request = withTimeout(options);
  const { signal } = options;
  signal?.throwIfAborted();
  try {
    return await (clock === realClock ? connections.callTool(key, tool, args, request) : callOnClock(connections, clock, key, tool, args, request));
  } catch (error) {
    const ranOut = signal?.aborted ? null : timeoutOf(error, request.timeoutMs);
    if (ranOut === null) throw error;
    throw new ToolCallTimeoutError(key, tool, ranOut, ranOut === request.maxTotalTimeout && ranOut !== request.timeoutMs ? 'maxTotalTimeout' : 'timeoutMs');
  }
}

/**
 * A call bounded by the supervisor's own clock, for a virtual one (tests, simulations): there
 * `timeoutMs` (restarted on progress when asked) and `maxTotalTimeout` pass when that clock is moved,
 * whatever the connection layer's real timers do.
 */
async function callOnClock(
  connections: ConnectionLayer,
  clock: SupervisorClock,
  key: string,
  tool: string,
  args: Record<string, unknown>,
  options: ToolCallOptions,
): Promise<CallToolResult> {
  const { timeoutMs, maxTotalTimeout, onProgress, signal } = options;
  // The caller's signal is followed, not joined with AbortSignal.any: see operationSignal.
  const operation = operationSignal(signal);
  const expire = () => operation.abort(new ToolCallTimeoutError(key, tool, timeoutMs));
  let timer = clock.setTimeout(expire, timeoutMs);
  const total =
    maxTotalTimeout === undefined
      ? null
      : clock.setTimeout(() => operation.abort(new ToolCallTimeoutError(key, tool, maxTotalTimeout, 'maxTotalTimeout')), maxTotalTimeout);
  const restartOnProgress = (progress: Progress) => {
    clock.clearTimeout(timer);
    timer = clock.setTimeout(expire, timeoutMs);
    onProgress?.(progress);
  };
  try {
    const progress = options.resetTimeoutOnProgress ? restartOnProgress : onProgress;
    return await connections.callTool(key, tool, args, { ...options, signal: operation.signal, onProgress: progress });
  } finally {
    operation.dispose();
    clock.clearTimeout(timer);
    if (total !== null) clock.clearTimeout(total);
  }
}

/** The caller's options with the default timeout filled in; copied only when the caller set no timeout. */
function withTimeout(options: CallOptions): ToolCallOptions {
  if (options === NO_CALL_OPTIONS) return DEFAULT_CALL_OPTIONS;
  return hasTimeout(options) ? options : { ...options, timeoutMs: DEFAULT_CALL_MS };
}

function hasTimeout(options: CallOptions): options is ToolCallOptions {
  return options.timeoutMs !== undefined;
}

/**
 * The bound (in ms) a tool call ran past, if a connection layer rejected it for a timeout; else null.
 * McpConnections says so with OperationTimeoutError (with the bound: `timeoutMs` or `maxTotalTimeout`),
 * a layer that hands the SDK's rejection through with its RequestTimeout.
 */
function timeoutOf(error: unknown, timeoutMs: number): number | null {
  if (error instanceof OperationTimeoutError) return error.timeoutMs;
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return maxTotalTimeoutOf(error) ?? timeoutMs;
  return null;
}
