// How the statechart reads the errors its actors reject with.

/** JSON-RPC "method not found": a server that does not implement `ping` is still alive. */
export const METHOD_NOT_FOUND = -32601;

/**
 * Whether the server answered "method not found". The SDK's errors carry the JSON-RPC code as `code`;
 * the actors' McpRequestError as `jsonRpcCode` (its `code` is mcp-supervisor's own, MCP_REQUEST_FAILED).
 */
export function isMethodNotFound(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, jsonRpcCode } = error as { code?: unknown; jsonRpcCode?: unknown };
  return jsonRpcCode === METHOD_NOT_FOUND || code === METHOD_NOT_FOUND;
}

/** The message recorded in `errorMessage`: the actor's own (already user-facing and redacted). */
export function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return 'unknown error';
}

/** The stable code an error carries (`code`, a string: McpSupervisorError's); null when it has none. */
export function failureCode(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code } = error as { code?: unknown };
  return typeof code === 'string' ? code : null;
}
