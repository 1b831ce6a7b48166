// The one HTTP listener for operators: `/metrics` (Prometheus), `/healthz` (the process is alive and
// its event loop responsive), `/readyz` (the readiness policy holds), and any handler mounted at a
// path of its own (the gateway's `/mcp`) or at `/` (the web dashboard, which gets every other path).
// Loopback by default; a token guards every path but `/healthz` and a mount that carries no fleet data.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatListenAddress, isLoopbackHost, type ListenAddress } from '../config/listen-address.js';
import { McpSupervisorError } from '../mcp-supervisor-error.js';
import type { Readiness } from './readiness.js';
import { refusal, type GateSettings } from './request-gate.js';

/** A handler mounted at a path: it gets the requests for that path and below, once the gate let them through. */
export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** Where the operators' listener listens, and what its built-in paths serve. */
export interface OperatorListenerOptions {
  listen: ListenAddress;
  /** Required on a listener other machines can reach. */
  token?: string | null;
  /** The `/metrics` text and its content type (a prom-client Registry). */
  metrics: { readonly contentType: string; metrics(): Promise<string> };
  /** Whether the supervisor is ready now. */
  readiness: () => Readiness;
  /** Whether the event loop is responsive, and the delay measured. */
  liveness: { responsive(): boolean; recentDelayMs(): number };
}

/** The listener could not start: the address is in use, not this machine's, or not allowed. */
export class OperatorListenerError extends McpSupervisorError {
  override readonly code = 'OPERATOR_LISTENER_FAILED';
}

const BUILT_IN = ['/metrics', '/healthz', '/readyz'] as const;

/**
 * The operators' HTTP listener: `/metrics`, `/healthz`, `/readyz`, and the handlers mounted with
 * `mount(path, handler)`. Start one with `OperatorListener.start(options)`; `close()` ends it.
 */
export class OperatorListener {
  private readonly mounts = new Map<string, { handler: RequestHandler; guardsItself: boolean; tokenFree: boolean }>();
  private readonly gate: GateSettings;

  private constructor(
    private readonly server: Server,
    private readonly options: OperatorListenerOptions,
  ) {
    this.gate = { token: options.token ?? null, loopback: isLoopbackHost(options.listen.host) };
  }

  /** Listens on `options.listen` (port 0: a free one); rejects with OperatorListenerError when it cannot. */
  static async start(options: OperatorListenerOptions): Promise<OperatorListener> {
    const where = formatListenAddress(options.listen);
    if ((options.token ?? null) === null && !isLoopbackHost(options.listen.host)) {
      throw new OperatorListenerError(`cannot listen on ${where} without a token: other machines could reach it. Set a token, or listen on 127.0.0.1`);
    }
    const server = createServer();
    const listener = new OperatorListener(server, options);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void listener.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'EADDRINUSE' ? 'the port is in use: pick another, or port 0 for a free one' : error.code === 'EADDRNOTAVAIL' ? 'the address is not one of this machine\'s' : error.message;
        reject(new OperatorListenerError(`cannot listen on ${where}: ${why}`));
      });
      server.listen(options.listen.port, options.listen.host, () => resolve());
    });
    return listener;
  }

  /** Where it listens, e.g. `http://127.0.0.1:9464`. */
  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${formatListenAddress({ host: address.address, port: address.port })}`;
  }

  /**
   * Serves `path` (and the paths below it) with `handler`, behind the same gate as `/metrics`; or, with
   * `guardsItself`, ungated, for a handler that checks Host, Origin and its own token itself (the
   * gateway's `/mcp`, whose allowed origins and token are its own settings). With `tokenFree`, Host and
   * Origin are still checked but no token is asked for: for what carries no fleet data (the dashboard's
   * page and assets, which a browser fetches on navigation, when it cannot send a bearer token).
   * A handler at `/` gets every path that is neither built in nor mounted.
   */
  mount(path: string, handler: RequestHandler, options: { guardsItself?: boolean; tokenFree?: boolean } = {}): void {
    if (!/^\/([A-Za-z0-9._~-]+)?$/.test(path)) throw new OperatorListenerError(`cannot mount at "${path}": a mount path is / or one segment, like /mcp`);
    if ((BUILT_IN as readonly string[]).includes(path) || this.mounts.has(path)) {
      throw new OperatorListenerError(`cannot mount at ${path}: that path is already served`);
    }
    this.mounts.set(path, { handler, guardsItself: options.guardsItself === true, tokenFree: options.tokenFree === true });
  }

  /** Stops accepting connections and closes the open ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://listener').pathname;
    const builtIn = (BUILT_IN as readonly string[]).includes(path);
    const mount = this.mounts.get(`/${path.split('/')[1] ?? ''}`) ?? (builtIn ? undefined : this.mounts.get('/'));
    const refused = mount?.guardsItself ? null : refusal(request, this.gate, path !== '/healthz' && mount?.tokenFree !== true);
    if (refused) return reply(response, refused.status, { error: refused.message });
    try {
      if (mount) return await mount.handler(request, response);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.setHeader('Allow', 'GET, HEAD');
        return reply(response, 405, { error: `${request.method ?? ''} is not allowed here: use GET` });
      }
      if (path === '/metrics') return await this.serveMetrics(response);
      if (path === '/healthz') return this.serveHealth(response);
      if (path === '/readyz') return this.serveReadiness(response);
      reply(response, 404, { error: `no such path: ${path}`, paths: [...BUILT_IN, ...this.mounts.keys()] });
    } catch (error) {
      if (!response.headersSent) reply(response, 500, { error: error instanceof Error ? error.message : String(error) });
      else response.destroy();
    }
  }

  private async serveMetrics(response: ServerResponse) {
    const text = await this.options.metrics.metrics();
    response.writeHead(200, { 'Content-Type': this.options.metrics.contentType, 'Cache-Control': 'no-store' });
    response.end(text);
  }

  private serveHealth(response: ServerResponse) {
    const { liveness } = this.options;
    const delay = Math.round(liveness.recentDelayMs());
    if (liveness.responsive()) reply(response, 200, { status: 'ok', eventLoopDelayMs: delay });
    else reply(response, 503, { status: 'event loop unresponsive', eventLoopDelayMs: delay });
  }

  private serveReadiness(response: ServerResponse) {
    const readiness = this.options.readiness();
    reply(response, readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not ready', waitingFor: readiness.waitingFor });
  }
}

function reply(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}
