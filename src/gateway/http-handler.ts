// The gateway over Streamable HTTP, as a Node request handler to mount at `/mcp` on any `node:http`
// server (the operators' listener shares one). In front of the SDK it checks `Host` (DNS rebinding),
// `Origin` and the bearer token, bounds the body, and reads the client's agent scope (`?agent=NAME`).
// 2026-07-28 requests are served statelessly by the SDK's handler; 2025-era clients get a session each,
// so that list_changed and other notifications reach them on their standalone stream.

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  WebStandardStreamableHTTPServerTransport,
} from '@modelcontextprotocol/server';
import { SAFE_NAME } from '../config/schema.js';
import type { Gateway } from './gateway.js';
import { holdWhileStreaming, resourceSubscriptionsOf } from './listen-subscriptions.js';

export interface GatewayHttpOptions {
  /** Clients must send `Authorization: Bearer <token>`; null or absent: no token (loopback binds only). */
  authToken?: string | null;
  /** Browser origins allowed besides loopback pages (`http://localhost:*`, `http://127.0.0.1:*`, `http://[::1]:*`). */
  allowedOrigins?: readonly string[];
  /** Host names clients may address the gateway by, besides `localhost`, `127.0.0.1` and `[::1]`. */
  allowedHosts?: readonly string[];
  /** Longest request body, in bytes (default 4 MiB); a longer one is answered 413 unread. */
  maxBodyBytes?: number;
  /** 2025-era sessions open at most (default 1 000); past it a new client is answered 503. */
  maxSessions?: number;
  /** A 2025-era session that made no request for this long is closed (ms, default 30 min). */
  sessionIdleMs?: number;
  /** Hears failures the HTTP exchange cannot report to its client. */
  onError?: (error: Error) => void;
}

/** A Node `(req, res)` handler for the gateway's endpoint, and how to end its sessions. */
export interface GatewayHttpHandler {
  (req: IncomingMessage, res: ServerResponse): void;
  /** 2025-era sessions open now. */
  readonly sessionCount: number;
  /** Closes every session and the stateless handler; later requests are answered 503. */
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const DEFAULT_MAX_BODY = 4 * 1024 * 1024;

interface LegacySession {
  transport: WebStandardStreamableHTTPServerTransport;
  scope: string | undefined;
  lastSeen: number;
}

export function createGatewayHttpHandler(gateway: Gateway, options: GatewayHttpOptions = {}): GatewayHttpHandler {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxSessions = options.maxSessions ?? 1_000;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const hosts = new Set([...LOOPBACK_HOSTS, ...(options.allowedHosts ?? []).map((host) => host.toLowerCase())]);
  const origins = new Set((options.allowedOrigins ?? []).map((origin) => origin.replace(/\/$/, '').toLowerCase()));
  const token = options.authToken ? digest(options.authToken) : null;
  const onError = (error: Error) => options.onError?.(error);
  const sessions = new Map<string, LegacySession>();
  let closed = false;

  const modern = createMcpHandler((context) => gateway.createServer({ agent: scopeOf(context.requestInfo?.url), track: false }), {
    legacy: 'reject',
    maxRequestBodySize: maxBody,
    onerror: onError,
  });
  const stopNotifying = gateway.addNotifier(modern.notify);

  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, session] of sessions) if (now - session.lastSeen > idleMs) void session.transport.close().finally(() => sessions.delete(id));
  }, Math.min(idleMs, 60_000));
  sweep.unref();

  async function legacy(request: Request, scope: string | undefined): Promise<Response> {
    const id = request.headers.get('mcp-session-id');
    if (id !== null) {
      const session = sessions.get(id);
      // A session is bound to the scope it opened with: another scope's client cannot borrow it.
      if (!session || session.scope !== scope) return jsonRpcError(404, -32001, 'Session not found: initialize a new session');
      session.lastSeen = Date.now();
      return session.transport.handleRequest(request);
    }
    const body: unknown = request.method === 'POST' ? await request.clone().json().catch(() => null) : null;
    if (!isInitializeRequest(body)) return jsonRpcError(400, -32000, 'Bad Request: send initialize first, then the Mcp-Session-Id it returns with every request');
    if (sessions.size >= maxSessions) return jsonRpcError(503, -32000, `the gateway already serves ${maxSessions} sessions; close one or try again later`);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, scope, lastSeen: Date.now() });
      },
      onsessionclosed: (sessionId) => {
        sessions.delete(sessionId);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await gateway.connect(transport, scope === undefined ? {} : { agent: scope });
    return transport.handleRequest(request);
  }

  async function route(request: Request): Promise<Response> {
    if (closed) return jsonRpcError(503, -32000, 'the gateway is shutting down');
    const scope = scopeOf(request.url);
    const agent = new URL(request.url).searchParams.get('agent');
    if (agent !== null && !SAFE_NAME.test(agent)) return jsonRpcError(400, -32000, `?agent=${encodeURIComponent(agent).slice(0, 40)} is not an agent name (letters, digits, _ . -)`);
    if (await isLegacyRequest(request, undefined, { maxRequestBodySize: maxBody })) return legacy(request, scope);
    // A listen stream's resource subscriptions are held at the services while its response streams.
    if (request.method === 'POST' && request.headers.get('mcp-method') === 'subscriptions/listen') {
      const body: unknown = await request.clone().json().catch(() => null);
      const uris = resourceSubscriptionsOf(typeof body === 'object' && body !== null ? (body as { params?: unknown }).params : undefined);
      return holdWhileStreaming(await modern.fetch(request), uris, request.signal, (held) => gateway.holdSubscriptions(held, scope === undefined ? {} : { agent: scope }));
    }
    return modern.fetch(request);
  }

  const node = toNodeHandler({ fetch: route }, { maxRequestBodySize: maxBody, onerror: onError });

  const handler = ((req: IncomingMessage, res: ServerResponse) => {
    const refusal = refuse(req);
    if (refusal) {
      res.writeHead(refusal.status, { 'content-type': 'application/json', ...(refusal.status === 401 ? { 'www-authenticate': 'Bearer' } : {}) });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: refusal.message }, id: null }));
      return;
    }
    // The token is the gateway's alone: the SDK and the fleet's servers never see it.
    delete req.headers.authorization;
    void node(req, res).catch((error: unknown) => onError(error instanceof Error ? error : new Error(String(error))));
  }) as GatewayHttpHandler;

  function refuse(req: IncomingMessage): { status: number; message: string } | null {
    const host = hostnameOf(req.headers.host);
    if (host === null || !hosts.has(host)) return { status: 403, message: `Forbidden: the Host header ${JSON.stringify(req.headers.host ?? '')} is not one this gateway answers to` };
    const origin = req.headers.origin;
    if (origin !== undefined && !originAllowed(origin, origins)) return { status: 403, message: `Forbidden: origin ${JSON.stringify(origin)} is not allowed (gateway.allowed_origins)` };
    if (token !== null) {
      const given = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      if (given === undefined || !timingSafeEqual(digest(given), token)) return { status: 401, message: 'Unauthorized: send the gateway token as `Authorization: Bearer <token>`' };
    }
    return null;
  }

  Object.defineProperty(handler, 'sessionCount', { get: () => sessions.size });
  handler.close = async () => {
    closed = true;
    clearInterval(sweep);
    stopNotifying();
    await Promise.all([...sessions.values()].map((session) => session.transport.close().catch(() => undefined)));
    sessions.clear();
    await modern.close();
  };
  return handler;
}

/** The agent scope a request asks for with `?agent=NAME`; undefined for none. */
function scopeOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return new URL(url, 'http://localhost').searchParams.get('agent') ?? undefined;
}

/** Digests compare in constant time whatever the lengths of the tokens. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** The lower-case host name of a Host header (IPv6 in brackets), without its port; null if unparsable. */
function hostnameOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  try {
    return new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

function originAllowed(origin: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin.replace(/\/$/, '').toLowerCase())) return true;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_HOSTS.includes(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
