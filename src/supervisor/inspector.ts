// The Stately inspector bridge: a loopback HTTP + WebSocket server that forwards the supervisor's
// XState inspection events to the Stately inspector UI in a browser. `@statelyai/inspect` turns the
// events into the UI's format; we own the server so it binds 127.0.0.1 only, takes port 0, refuses
// WebSocket connections from any web page but the inspector's site and loopback ones, and never keeps
// the process alive after `stop()` (the package's own server does none of that). The UI itself is a web
// app (stately.ai): the browser needs the internet to load it, the bridge does not.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';
import { McpSupervisorError } from '../mcp-supervisor-error.js';

/** Where and how `startInspector` serves the Stately inspector bridge. */
export interface InspectorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The Stately inspector UI the bridge page embeds; its origin may open the WebSocket. */
  uiUrl?: string;
  /** How many recent events a browser that connects late is sent first. */
  replay?: number;
}

/** A running inspector bridge, on 127.0.0.1. */
export interface InspectorBridge {
  /** Open this in a browser. */
  readonly url: string;
  /** The WebSocket the bridge page (or any other client) receives events on. */
  readonly webSocketUrl: string;
  /** Pass as the supervisor's `inspect` option. */
  readonly inspect: Observer<InspectionEvent>;
  /** Closes every connection and the server. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The port asked for is taken by another program (or another bridge). */
export class InspectorPortInUseError extends McpSupervisorError {
  /** Always `INSPECTOR_PORT_IN_USE`. */
  readonly code = 'INSPECTOR_PORT_IN_USE';
  /** Always `InspectorPortInUseError`, also in minified code. */
  override readonly name = 'InspectorPortInUseError';
  constructor(
    /** The port asked for. */
    readonly port: number,
  ) {
    super(`the Stately inspector bridge cannot listen on ${HOST}:${port}: the port is in use; pick another port, or 0 for a free one`);
  }
}

/**
 * Serves the Stately inspector bridge on 127.0.0.1 and resolves with its URL and the `inspect` observer
 * to give the supervisor; rejects with InspectorPortInUseError when `port` is taken.
 */
export async function startInspector(options: InspectorOptions = {}): Promise<InspectorBridge> {
  const uiUrl = options.uiUrl ?? 'https://stately.ai/inspect';
  const replayLimit = options.replay ?? 500;
  const recent: string[] = [];
  let webSocketUrl = '';

  const server: Server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(bridgePage(webSocketUrl, uiUrl));
  });
  const sockets = new WebSocketServer({ noServer: true });
  sockets.on('connection', (socket) => {
    for (const message of recent) socket.send(message);
  });
  // A browser sends the page's Origin with every WebSocket upgrade: any other site the user visits could
  // otherwise read the fleet's statecharts from this loopback port.
  // Allowed: the bridge's own page (whose script opens the socket) and the inspector UI's site; not
  // pages of other programs on this machine, which another local port would serve.
  const allowedOrigins = new Set([new URL(uiUrl).origin]);
  server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    if (!allowedOrigin(request.headers.origin, allowedOrigins)) return refuse(socket);
    sockets.handleUpgrade(request, socket, head, (client) => sockets.emit('connection', client, request));
  });

  const port = options.port ?? 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new InspectorPortInUseError(port) : error));
    server.listen(port, HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  webSocketUrl = `ws://${HOST}:${address.port}`;
  for (const host of LOOPBACK_HOSTS) allowedOrigins.add(`http://${host}:${address.port}`);

  const broadcast = (event: StatelyInspectionEvent) => {
    const message = JSON.stringify(event);
    recent.push(message);
    if (recent.length > replayLimit) recent.shift();
    for (const client of sockets.clients) if (client.readyState === WebSocket.OPEN) client.send(message);
  };
  const inspector = createInspector({ send: broadcast });

  let stopped: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${address.port}`,
    webSocketUrl,
    inspect: inspector.inspect,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        inspector.stop();
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}

/** No Origin (not a browser), or one of the allowed origins. */
function allowedOrigin(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  return origin === undefined || allowed.has(origin);
}

function refuse(socket: Socket): void {
  socket.on('error', () => undefined);
  socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nThis page\'s origin may not connect to the inspector bridge.\n');
}

/** The page a browser opens: the Stately UI in an iframe, fed from our WebSocket. */
function bridgePage(webSocketUrl: string, uiUrl: string): string {
  return `<!doctype html>
<html>
<head><meta charset="utf-8"><title>mcp-supervisor · Stately inspector</title>
<style>html,body,iframe{margin:0;padding:0;width:100%;height:100%;border:0}</style></head>
<body>
<iframe id="inspector" src="${uiUrl}"></iframe>
<script>
  const frame = document.getElementById('inspector');
  const pending = [];
  let ready = false;
  window.addEventListener('message', (message) => {
    if (message.data && message.data.type === '@statelyai.connected') {
      ready = true;
      for (const event of pending.splice(0)) frame.contentWindow.postMessage(event, '*');
    }
  });
  new WebSocket(${JSON.stringify(webSocketUrl)}).onmessage = (message) => {
    const event = JSON.parse(message.data);
    if (ready) frame.contentWindow.postMessage(event, '*');
    else pending.push(event);
  };
</script>
</body>
</html>`;
}
