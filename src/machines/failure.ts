// How the statechart reads the errors its actors reject with.

/** JSON-RPC "method not found": a server that does not implement `ping` is still alive. */
export const METHOD_NOT_FOUND = -32601;

export function isMethodNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === METHOD_NOT_FOUND;
}

/** The message recorded in `errorMessage`: the actor's own (already user-facing and redacted). */
export function failureMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return 'unknown error';
}
