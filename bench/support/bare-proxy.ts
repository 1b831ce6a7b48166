// The floor of any MCP gateway, for the gateway bench to compare against: a bare SDK v2 pass-through
// proxy on stdio — a low-level `Server` whose tools/list and tools/call are sent, as they come, to one
// SDK `Client` of the backend — with none of the gateway's supervision, naming, waiting or relaying.
//
//   node --import tsx bench/support/bare-proxy.ts <backend.mjs> [backend args…]

import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';

const [script, ...args] = process.argv.slice(2);
if (script === undefined) throw new Error('usage: bare-proxy.ts <backend.mjs> [args…]');
const backend = new Client({ name: 'bare-proxy', version: '1.0.0' });
await backend.connect(new StdioClientTransport({ command: process.execPath, args: [script, ...args], stderr: 'ignore' }));

const stdio = serveStdio(() => {
  const server = new Server({ name: 'bare-proxy', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', async (request) => backend.listTools(request.params));
  server.setRequestHandler('tools/call', async (request, ctx) => backend.callTool(request.params, { signal: ctx.mcpReq.signal }));
  return server;
});
const stop = () => void stdio.close().then(() => backend.close()).finally(() => process.exit(0));
process.stdin.once('end', stop);
process.once('SIGTERM', stop);
