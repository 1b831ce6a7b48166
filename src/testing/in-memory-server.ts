// One in-process MCP server (SDK v2) on the far end of an in-memory transport, of either protocol era:
// a legacy one wired with `connect()` (2025 revisions only: `initialize`, `ping`), or a modern one
// served by SDK v2's `serveStdio` entry (2026-07-28: `server/discover`, tool changes on the client's
// `subscriptions/listen` stream). It lists and calls the tools its script names.

import type { ListToolsResult, Transport } from '@modelcontextprotocol/client';
import { Server } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { ServiceScript } from './service-script.js';

/** A running in-memory server. */
export interface InMemoryServer {
  /** Tells the client its tool list changed (`notifications/tools/list_changed`). */
  toolsChanged(): void;
  close(): Promise<void>;
}

/**
 * Serves `serviceKey`'s script on `transport`. Tool calls answer with a text naming the service, the
 * tool and its arguments (`weather:echo:{"text":"hi"}`); how late or whether at all is the link's part.
 */
export async function startInMemoryServer(serviceKey: string, transport: Transport, script: () => ServiceScript): Promise<InMemoryServer> {
  const create = () => {
    const { serverInfo } = script();
    const server = new Server({ name: serverInfo.name, version: serverInfo.version }, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler('tools/list', (request) => {
      const { tools, pageSize } = script();
      const start = Number(request.params?.cursor ?? 0);
      const end = start + Math.max(1, pageSize);
      // A scripted tool is a ToolDescriptor, whose optional fields (icons, annotations) are the looser
      // shapes the supervisor keeps; the SDK checks what it sends against its own Tool schema.
      const page = tools.slice(start, end).map((tool) => ({ ...tool, inputSchema: { type: 'object' as const, ...tool.inputSchema } })) as ListToolsResult['tools'];
      return end < tools.length ? { tools: page, nextCursor: String(end) } : { tools: page };
    });
    server.setRequestHandler('tools/call', (request) => ({
      content: [{ type: 'text' as const, text: `${serviceKey}:${request.params.name}:${JSON.stringify(request.params.arguments ?? {})}` }],
    }));
    return server;
  };
  let server: Server | null = null;
  if (script().era === 'legacy') {
    server = create();
    await server.connect(transport);
    const legacy = server;
    return { toolsChanged: () => void legacy.sendToolListChanged(), close: () => legacy.close() };
  }
  // One instance serves the whole connection, so its tool changes reach the client's listen stream.
  const handle = serveStdio(
    () => {
      server = create();
      return server;
    },
    { transport },
  );
  return { toolsChanged: () => void server?.sendToolListChanged(), close: () => handle.close() };
}
