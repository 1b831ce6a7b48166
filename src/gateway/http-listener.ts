// Where `mcp-supervisor serve --http` listens: one `node:http` server that answers `/mcp` with the
// gateway's handler and 404 elsewhere. The one place that creates the server (the operators' listener
// with /metrics and /healthz can take its place and mount the same handler at /mcp).

import { createServer, type Server } from 'node:http';
import { isIP } from 'node:net';
import type { GatewayHttpHandler } from './http-handler.js';

export const GATEWAY_PATH = '/mcp';

/** A bind address and port, as `--http HOST:PORT` gives them (`[::1]:8080` for IPv6). */
export interface BindAddress {
  host: string;
  port: number;
}

export interface GatewayListener {
  /** The endpoint's URL, with the port actually bound (`127.0.0.1:0` picks one). */
  url: string;
  close(): Promise<void>;
}

/** A loopback address: nothing off this machine can reach it. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** Parses `HOST:PORT`, `PORT` or `[v6]:PORT` (host default 127.0.0.1); null when it is none of them. */
export function parseBindAddress(text: string): BindAddress | null {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]+):)?(\d{1,5})$/.exec(text);
  if (!match) return null;
  const port = Number(match[2]);
  if (port > 65_535) return null;
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/** Listens on `bind`; resolves once bound. */
export async function listenGateway(handler: GatewayHttpHandler, bind: BindAddress): Promise<GatewayListener> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === GATEWAY_PATH) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the gateway answers at ${GATEWAY_PATH}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : bind.port;
  const host = isIP(bind.host) === 6 ? `[${bind.host}]` : bind.host;
  return {
    url: `http://${host}:${port}${GATEWAY_PATH}`,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
