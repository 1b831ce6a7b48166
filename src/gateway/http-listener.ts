// The gateway alone on a port, for embedding it without the operators' endpoints: one `node:http` server
// that answers `/mcp` with the gateway's handler and 404 elsewhere. `mcp-supervisor serve --http` mounts
// the same handler at `/mcp` on the operators' listener instead, beside /metrics, /healthz and /readyz.

import { createServer, type Server } from 'node:http';
import { formatListenAddress, type ListenAddress } from '../config/listen-address.js';
import type { GatewayHttpHandler } from './http-handler.js';

export const GATEWAY_PATH = '/mcp';

export interface GatewayListener {
  /** The endpoint's URL, with the port actually bound (`127.0.0.1:0` picks one). */
  url: string;
  close(): Promise<void>;
}

/** Listens on `bind`; resolves once bound. */
export async function listenGateway(handler: GatewayHttpHandler, bind: ListenAddress): Promise<GatewayListener> {
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
  return {
    url: `http://${formatListenAddress({ host: bind.host, port })}${GATEWAY_PATH}`,
    close: async () => {
      await handler.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
