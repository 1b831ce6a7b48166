// What an aborted operation rejects with: the caller's own abort reason, as fetch() does. AbortSignal
// types its reason as `any`; it is an Error unless the caller passed something else to abort().

/** Why `signal` aborted, as an Error: the reason itself when it is one (the default is an AbortError). */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(typeof reason === 'string' ? reason : 'the operation was aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}
