// The HTTP transports of a service (the SDK's Streamable HTTP and SSE clients, with the configured
// headers on every request) and the rules that read their failures: which error means the connection
// is gone, and when Streamable HTTP falls back to SSE.

import { SSEClientTransport, SseError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { redactUrl } from '../config/transport.js';
import { describeError, errorCode, httpStatus } from './errors.js';
import { settleWithin } from './operation-deadline.js';

export type HttpTransport = StreamableHTTPClientTransport | SSEClientTransport;

/** Whether `transport` is one of the SDK's HTTP client transports. */
export function isHttpTransport(transport: unknown): transport is HttpTransport {
  return transport instanceof StreamableHTTPClientTransport || transport instanceof SSEClientTransport;
}

/**
 * When the server ends the standalone event stream gracefully, the SDK resumes it; one quick try is
 * enough to tell a live session (resumes) from a lost one (404, refused), which is then reported.
 */
const RESUME_ONCE = {
  initialReconnectionDelay: 50,
  maxReconnectionDelay: 1_000,
  reconnectionDelayGrowFactor: 2,
  maxRetries: 1,
};

export function createStreamableHttpTransport(url: string, headers: Record<string, string>): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers },
    reconnectionOptions: RESUME_ONCE,
  });
}

export function createSseTransport(url: string, headers: Record<string, string>): SSEClientTransport {
  // The SDK adds requestInit's headers to the event stream request as well as to every POST.
  return new SSEClientTransport(new URL(url), { requestInit: { headers } });
}

/**
 * The MCP backwards-compatibility rule: a 4xx to the Streamable HTTP initialize means an SSE-only
 * server. Not 401/403: those are the user's headers, and SSE would only fail the same way.
 */
export function shouldFallBackToSse(error: unknown): boolean {
  const status = httpStatus(error);
  return status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403;
}

/**
 * Why an error reported by an open HTTP transport means the connection is gone, or null when it is
 * not fatal (a stray message the SDK could not parse, a failed optional stream).
 *
 * A stateless server (protocol revision 2026-07-28) has no session to lose: there the connection is lost
 * when a request fails at the transport level — refused, reset, or a reply stream cut off, such as the
 * `subscriptions/listen` stream a killed server drops — and not when the server answers with an error.
 */
export function connectionLossReason(error: Error, transport: HttpTransport, url: string): string | null {
  const where = redactUrl(url);
  const code = errorCode(error);
  if (code === 'ECONNREFUSED') return `connection refused at ${where}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `connection to ${where} was reset`;
  if (transport instanceof SSEClientTransport) {
    // After the endpoint event, any error of the event stream means it dropped; the session lives on it.
    return error instanceof SseError ? `the SSE stream from ${where} dropped (${describeError(error)})` : null;
  }
  // Only a connection with a session can lose it; a stateless (modern) one answered 404 has a failed request, not a lost connection.
  if (httpStatus(error) === 404 && transport.sessionId !== undefined) return `the server at ${where} no longer knows this session (HTTP 404)`;
  if (error.message.startsWith('SSE stream disconnected')) return `the event stream from ${where} dropped`;
  if (error.message.startsWith('Maximum reconnection attempts')) return `the event stream from ${where} could not be resumed`;
  return null;
}

/** Best-effort DELETE of the session, so the server can free it; bounded by `budgetMs`. */
export async function endSession(transport: HttpTransport, budgetMs: number): Promise<void> {
  if (!(transport instanceof StreamableHTTPClientTransport) || transport.sessionId === undefined) return;
  await settleWithin(transport.terminateSession(), budgetMs);
}
