// How a tool call ended, as a closed set fit for a metric label: never the error's text.

import type { CallToolResult } from '@modelcontextprotocol/client';
import { SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { isMcpSupervisorError } from '../mcp-supervisor-error.js';

/** How a tool call ended, as the tool-call metrics label it: `success`, `tool_error` (an answer with `isError`), `timeout`, `cancelled`, `error`. */
export const TOOL_CALL_OUTCOMES = ['success', 'tool_error', 'timeout', 'cancelled', 'error'] as const;
/** One of {@link TOOL_CALL_OUTCOMES}. */
export type ToolCallOutcome = (typeof TOOL_CALL_OUTCOMES)[number];

/** `success`, or `tool_error` when the tool answered with `isError` (the call itself worked). */
export function resultOutcome(result: CallToolResult): ToolCallOutcome {
  return result.isError === true ? 'tool_error' : 'success';
}

/** A rejected call: it ran out of time, its caller gave up (`signal` aborted), or it failed. */
export function errorOutcome(error: unknown, signal: AbortSignal | undefined): ToolCallOutcome {
  if (signal?.aborted) return 'cancelled';
  if (isMcpSupervisorError(error) && (error.code === 'OPERATION_TIMEOUT' || error.code === 'TOOL_CALL_TIMEOUT')) return 'timeout';
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return 'timeout';
  return 'error';
}
