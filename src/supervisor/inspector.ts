// The Stately inspector bridge: a loopback HTTP + WebSocket server that forwards the supervisor's
// XState inspection events to the Stately inspector UI in a browser. `@statelyai/inspect` turns the
// events into the UI's format; we own the server so it binds 127.0.0.1 only, takes port 0, and never
// keeps the process alive after `stop()` (the package's own server does neither).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';

export interface InspectorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The Stately inspector UI the bridge page embeds. */
  uiUrl?: string;
  /** How many recent events a browser that connects late is sent first. */
  replay?: number;
}

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

export async function startInspector(options: InspectorOptions = {}): Promise<InspectorBridge> {
  const uiUrl = options.uiUrl ?? 'https://stately.ai/inspect';
  const replayLimit = options.replay ?? 500;
  const recent: string[] = [];
  let webSocketUrl = '';

  const server: Server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(bridgePage(webSocketUrl, uiUrl));
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => {
    for (const message of recent) socket.send(message);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  webSocketUrl = `ws://${HOST}:${port}`;

  const broadcast = (event: StatelyInspectionEvent) => {
    const message = JSON.stringify(event);
    recent.push(message);
    if (recent.length > replayLimit) recent.shift();
    for (const client of sockets.clients) if (client.readyState === WebSocket.OPEN) client.send(message);
  };
  const inspector = createInspector({ send: broadcast });

  let stopped: Promise<void> | null = null;
  return {
    url: `http://${HOST}:${port}`,
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
