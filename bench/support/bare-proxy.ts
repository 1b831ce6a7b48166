// The floor of any MCP gateway, for the gateway bench to compare against: a bare SDK v2 pass-through
// proxy — a low-level `Server` whose tools/list and tools/call are sent, as they come, to one SDK
// `Client` of the backend — with none of the gateway's supervision, naming, waiting or relaying.
//
//   node --import tsx bench/support/bare-proxy.ts [--http] <backend.mjs> [backend args…]
//   node --import tsx bench/support/bare-proxy.ts [--http] <backend URL>
//
// A backend given as a URL is reached over Streamable HTTP, a script as a stdio child. Without --http
// the proxy serves on stdio; with it, it serves Streamable HTTP on 127.0.0.1 the way the gateway does —
// 2025-era sessions on the SDK's web-standard transport, one per session, and 2026-07-28 requests on
// the SDK's stateless handler, behind `toNodeHandler` — and prints `{"url": "…"}` on stdout.

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { createMcpHandler, isLegacyRequest, Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const http = process.argv[2] === '--http';
const [target, ...args] = process.argv.slice(http ? 3 : 2);
if (target === undefined) throw new Error('usage: bare-proxy.ts [--http] <backend.mjs> [args…] | <backend URL>');
const backend = new Client({ name: 'bare-proxy', version: '1.0.0' });
await backend.connect(
  /^https?:/.test(target)
    ? new StreamableHTTPClientTransport(new URL(target))
    : new StdioClientTransport({ command: process.execPath, args: [target, ...args], stderr: 'ignore' }),
);

function proxyServer(): Server {
  const server = new Server({ name: 'bare-proxy', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async (request) => backend.listTools(request.params));
  server.setRequestHandler('tools/call', async (request, ctx) => backend.callTool(request.params, { signal: ctx.mcpReq.signal }));
  return server;
}

let close: () => Promise<void>;
if (http) {
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const modern = createMcpHandler(proxyServer, { legacy: 'reject' });
  const node = toNodeHandler({
    fetch: async (request: Request) => {
      if (!(await isLegacyRequest(request))) return modern.fetch(request);
      const known = sessions.get(request.headers.get('mcp-session-id') ?? '');
      if (known) return known.handleRequest(request);
      const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => void sessions.set(id, transport),
      });
      await proxyServer().connect(transport);
      return transport.handleRequest(request);
    },
  });
  const listener = createServer((req, res) => void node(req, res));
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}/mcp` }));
  close = async () => {
    await Promise.all([...sessions.values()].map((transport) => transport.close()));
    await modern.close();
    await new Promise((resolve) => listener.close(resolve));
  };
} else {
  const stdio = serveStdio(proxyServer);
  close = () => stdio.close();
}
const stop = () => void close().then(() => backend.close()).finally(() => process.exit(0));
process.stdin.once('end', stop);
process.once('SIGTERM', stop);
