// A fleet of MCP servers inside the bench's own process: one SDK `McpServer` per connection, linked to an
// SDK `Client` by `InMemoryTransport`, and a ConnectionLayer whose actors drive those clients the way
// `McpConnections` drives stdio and HTTP ones (connect + tools/list, ping, tools/list, watch, close).

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LATEST_PROTOCOL_VERSION, ToolListChangedNotificationSchema, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { fromCallback, fromPromise } from 'xstate';
import { z } from 'zod';
import type { TransportConfig } from '../../src/config/transport.js';
import type {
  ConnectionActorInput,
  ConnectionCommand,
  ConnectionEvent,
  ConnectInput,
  ConnectOutput,
  DisconnectInput,
  ListToolsInput,
  ServiceActors,
  ToolDescriptor,
} from '../../src/machines/service-io.js';
import type { ConnectionLayer, ToolCallOptions } from '../../src/supervisor/connection-layer.js';

/** A server that keeps handing out cursors is broken; stop paging after this many pages. */
const MAX_TOOL_PAGES = 100;
const LIST_TOOLS_TIMEOUT_MS = 30_000;

/** What every in-memory server offers: two small tools. */
function createServer(name: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes `text`.', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('add', { description: 'Adds `a` and `b`.', inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  return server;
}

export interface InMemoryPair {
  client: Client;
  server: McpServer;
}

/** A fresh server and a client that has finished the `initialize` handshake with it. */
export async function openInMemoryPair(name: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InMemoryPair> {
  const server = createServer(name);
  const client = new Client({ name: 'mcp-supervisor-bench', version: '1.0.0' }, { capabilities: {} });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  try {
    await server.connect(serverTransport);
    await client.connect(clientTransport, { timeout: options.timeoutMs, signal: options.signal });
    return { client, server };
  } catch (error) {
    await closePair({ client, server });
    throw error;
  }
}

export async function closePair(pair: InMemoryPair): Promise<void> {
  await pair.client.close();
  await pair.server.close();
}

/** The full, paginated `tools/list`. */
export async function listAllTools(client: Client, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ToolDescriptor[]> {
  const tools: ToolDescriptor[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_TOOL_PAGES; page += 1) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: options.timeoutMs, signal: options.signal });
    tools.push(...result.tools.map(toToolDescriptor));
    cursor = result.nextCursor;
    if (cursor === undefined) return tools;
  }
  throw new Error(`tools/list failed: more than ${MAX_TOOL_PAGES} pages`);
}

const toToolDescriptor = (tool: Tool): ToolDescriptor => ({
  name: tool.name,
  ...(tool.title === undefined ? {} : { title: tool.title }),
  ...(tool.description === undefined ? {} : { description: tool.description }),
  inputSchema: tool.inputSchema,
});

type Listener = (event: ConnectionEvent) => void;

interface LiveConnection extends InMemoryPair {
  id: string;
  listeners: Set<Listener>;
  closing: Promise<void> | null;
}

export class NotConnectedError extends Error {
  constructor(serviceKey: string) {
    super(`service '${serviceKey}' has no live in-memory connection`);
    this.name = 'NotConnectedError';
  }
}

/** The supervisor's I/O side over in-memory servers: at most one live connection per registered service. */
export class InMemoryConnections implements ConnectionLayer {
  private readonly services = new Map<string, LiveConnection | null>();
  private connectionCount = 0;
  /** Pings answered through the connection actors (the bench watches it to know when a round is done). */
  pingsAnswered = 0;
  readonly actors: ServiceActors = {
    connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) => this.connect(input.serviceKey, input.timeoutMs, signal)),
    connection: fromCallback<ConnectionCommand, ConnectionActorInput>(({ input, sendBack, receive }) => {
      const unwatch = this.watch(input.serviceKey, input.connectionId, sendBack);
      let stopped = false;
      receive((command) => {
        const sent = performance.now();
        const connection = this.services.get(input.serviceKey);
        if (connection?.id !== input.connectionId) return;
        connection.client.ping({ timeout: command.timeoutMs }).then(
          () => {
            this.pingsAnswered += 1;
            if (!stopped) sendBack({ type: 'PROBE_OK', responseTime: performance.now() - sent });
          },
          (error: unknown) => {
            if (!stopped) sendBack({ type: 'PROBE_FAILED', error });
          },
        );
      });
      return () => {
        stopped = true;
        unwatch();
      };
    }),
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) =>
      listAllTools(this.live(input.serviceKey, input.connectionId).client, { timeoutMs: LIST_TOOLS_TIMEOUT_MS, signal }),
    ),
    // Not aborted with the actor: a close once begun runs to its end.
    disconnect: fromPromise<void, DisconnectInput>(({ input }) => this.disconnect(input.serviceKey, input.connectionId)),
  };

  /** The transport is ignored: every service is served in memory. */
  register(serviceKey: string, _transport: TransportConfig): void {
    if (!this.services.has(serviceKey)) this.services.set(serviceKey, null);
  }

  async unregister(serviceKey: string): Promise<void> {
    const connection = this.services.get(serviceKey);
    this.services.delete(serviceKey);
    if (connection) await this.close(connection);
  }

  /** The clients of every live connection (for the bare-SDK comparison over the very same clients). */
  clients(): Client[] {
    return [...this.services.values()].flatMap((connection) => (connection ? [connection.client] : []));
  }

  get liveConnections(): number {
    return this.clients().length;
  }

  async callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    const connection = this.services.get(serviceKey);
    if (!connection) throw new NotConnectedError(serviceKey);
    const result = await connection.client.callTool({ name: tool, arguments: args }, undefined, {
      timeout: options.timeoutMs,
      signal: options.signal,
    });
    if ('toolResult' in result) throw new Error(`tools/call ${tool} failed: the server answered in the pre-2024-11 format`);
    return result;
  }

  async closeAll(): Promise<void> {
    const open = [...this.services].flatMap(([key, connection]) => (connection ? [[key, connection] as const] : []));
    for (const [key] of open) this.services.set(key, null);
    await Promise.all(open.map(([, connection]) => this.close(connection)));
  }

  /** Closes the service's previous connection, opens a fresh one and lists its tools. */
  private async connect(serviceKey: string, timeoutMs: number, signal: AbortSignal): Promise<ConnectOutput> {
    const previous = this.services.get(serviceKey);
    if (previous === undefined) throw new Error(`service '${serviceKey}' is not registered`);
    if (previous) {
      this.services.set(serviceKey, null);
      await this.close(previous);
    }
    this.connectionCount += 1;
    const id = `${serviceKey}#${this.connectionCount}`;
    const pair = await openInMemoryPair(serviceKey, { timeoutMs, signal });
    try {
      const tools = await listAllTools(pair.client, { timeoutMs, signal });
      signal.throwIfAborted();
      if (!this.services.has(serviceKey)) throw new Error(`service '${serviceKey}' was unregistered during its connect`);
      const connection: LiveConnection = { ...pair, id, listeners: new Set(), closing: null };
      pair.client.onclose = () => this.emit(connection, { type: 'CONNECTION_LOST', reason: 'in-memory transport closed' });
      pair.client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.emit(connection, { type: 'TOOLS_CHANGED' }));
      this.services.set(serviceKey, connection);
      // A v1 client and server of the same package negotiate its latest revision.
      return { connectionId: id, serverInfo: pair.client.getServerVersion() ?? null, protocol: { era: 'legacy', version: LATEST_PROTOCOL_VERSION }, tools };
    } catch (error) {
      await closePair(pair);
      throw error;
    }
  }

  private watch(serviceKey: string, connectionId: string, listener: Listener): () => void {
    const connection = this.services.get(serviceKey);
    if (connection?.id === connectionId && !connection.closing) {
      connection.listeners.add(listener);
      return () => connection.listeners.delete(listener);
    }
    let active = true;
    queueMicrotask(() => {
      if (active) listener({ type: 'CONNECTION_LOST', reason: `connection ${connectionId} is no longer open` });
    });
    return () => {
      active = false;
    };
  }

  private async disconnect(serviceKey: string, connectionId: string | null): Promise<void> {
    const connection = this.services.get(serviceKey);
    if (connectionId === null || connection?.id !== connectionId) return;
    this.services.set(serviceKey, null);
    await this.close(connection);
  }

  private live(serviceKey: string, connectionId: string): LiveConnection {
    const connection = this.services.get(serviceKey);
    if (connection?.id !== connectionId || connection.closing) throw new NotConnectedError(serviceKey);
    return connection;
  }

  private emit(connection: LiveConnection, event: ConnectionEvent) {
    for (const listener of [...connection.listeners]) listener(event);
  }

  /** Closing on purpose is not a loss: the watchers are dropped first. Idempotent. */
  private close(connection: LiveConnection): Promise<void> {
    connection.listeners.clear();
    connection.closing ??= closePair(connection);
    return connection.closing;
  }
}
