// A fleet of MCP servers inside the bench's own process, on SDK v2: one `McpServer` per connection,
// linked to a `Client` by the SDK's `InMemoryTransport`, in either protocol era, and a ConnectionLayer
// that runs the shipped `connection` actor (src/actors/connection-actor.ts) over those clients.

import { Client, InMemoryTransport, ProtocolError, ProtocolErrorCode, type CallToolResult, type Tool } from '@modelcontextprotocol/client';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { fromPromise } from 'xstate';
import { z } from 'zod';
import type { TransportConfig } from '../../src/config/transport.js';
import { connectionActor, type ProbedConnection } from '../../src/actors/connection-actor.js';
import type {
  ConnectInput,
  ConnectOutput,
  ConnectionEvent,
  DisconnectInput,
  ListToolsInput,
  ProtocolEra,
  ServiceActors,
  ToolDescriptor,
} from '../../src/machines/service-io.js';
import type { ConnectionLayer, ToolCallOptions } from '../../src/supervisor/connection-layer.js';

/** As McpConnection pages `tools/list`. */
const MAX_TOOL_PAGES = 1_000;
const LIST_TOOLS_TIMEOUT_MS = 30_000;
const OPEN_TIMEOUT_MS = 30_000;

/** What every in-memory server offers: two small tools. */
function createServer(name: string): McpServer {
  const server = new McpServer({ name, version: '1.0.0' });
  server.registerTool('echo', { description: 'Echoes `text`.', inputSchema: z.object({ text: z.string() }) }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('add', { description: 'Adds `a` and `b`.', inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
    content: [{ type: 'text', text: String(a + b) }],
  }));
  return server;
}

export interface InMemoryPair {
  client: Client;
  era: ProtocolEra;
  close(): Promise<void>;
}

/**
 * A fresh server and a client connected to it the way McpConnection connects (`auto` negotiation: a
 * `server/discover` probe, then `initialize` if the server is legacy). `modern`: the server is served by
 * SDK v2's `serveStdio` entry over the in-memory transport, which serves both eras and so answers the
 * probe (2026-07-28); on that connection the client also opens the `subscriptions/listen` stream for
 * tool changes, as McpConnection does. `legacy`: the same `McpServer`, hand-wired with `connect()`, which
 * serves the 2025 era only, so the probe falls back to `initialize` (2025-11-25).
 */
export async function openInMemoryPair(name: string, era: ProtocolEra, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<InMemoryPair> {
  const timeoutMs = options.timeoutMs ?? OPEN_TIMEOUT_MS;
  const client = new Client(
    { name: 'mcp-supervisor-bench', version: '1.0.0' },
    { capabilities: {}, listMaxPages: MAX_TOOL_PAGES, versionNegotiation: { mode: 'auto', probe: { timeoutMs } } },
  );
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  let closeServer: () => Promise<void>;
  if (era === 'modern') {
    const handle = serveStdio(() => createServer(name), { transport: serverTransport });
    closeServer = () => handle.close();
  } else {
    const server = createServer(name);
    await server.connect(serverTransport);
    closeServer = () => server.close();
  }
  const pair: InMemoryPair = {
    client,
    era,
    close: async () => {
      await client.close();
      await closeServer();
    },
  };
  try {
    await client.connect(clientTransport, { timeout: timeoutMs, signal: options.signal });
    const negotiated = client.getProtocolEra();
    if (negotiated !== era) throw new Error(`the in-memory ${era} server negotiated the ${negotiated ?? 'unknown'} era`);
    if (era === 'modern' && client.getServerCapabilities()?.tools?.listChanged) await client.listen({ toolsListChanged: true }, { timeout: timeoutMs });
    return pair;
  } catch (error) {
    await pair.close();
    throw error;
  }
}

/**
 * The health probe of the client's era, as McpConnection sends it: `server/discover` on a modern
 * connection (it has no `ping`), `ping` on a legacy one; -32601 still means the server is alive.
 */
export function probe(client: Client, timeoutMs?: number): Promise<void> {
  const options = { signal: undefined, timeout: timeoutMs };
  return (client.getProtocolEra() === 'modern' ? client.discover(options) : client.ping(options)).then(
    () => undefined,
    (error: unknown) => {
      if (error instanceof ProtocolError && error.code === Number(ProtocolErrorCode.MethodNotFound)) return;
      throw error;
    },
  );
}

/** The full `tools/list` (the SDK follows the pages), always from the server. */
export async function listAllTools(client: Client, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ToolDescriptor[]> {
  if (!client.getServerCapabilities()?.tools) return [];
  const { tools } = await client.listTools(undefined, { timeout: options.timeoutMs, signal: options.signal, cacheMode: 'refresh' });
  return tools.map(toToolDescriptor);
}

const toToolDescriptor = (tool: Tool): ToolDescriptor => ({
  name: tool.name,
  ...(tool.title === undefined ? {} : { title: tool.title }),
  ...(tool.description === undefined ? {} : { description: tool.description }),
  inputSchema: tool.inputSchema,
});

export class NotConnectedError extends Error {
  constructor(serviceKey: string) {
    super(`service '${serviceKey}' has no live in-memory connection`);
    this.name = 'NotConnectedError';
  }
}

type ConnectionListener = (event: ConnectionEvent) => void;

/** One live in-memory connection: what the shipped connection actor needs, behaving as McpConnection does. */
class InMemoryConnection implements ProbedConnection {
  private readonly listeners = new Set<ConnectionListener>();
  private lossReason: string | null = null;
  private closing: Promise<void> | null = null;
  private answeredCalls = 0;

  constructor(
    readonly id: string,
    readonly serviceKey: string,
    readonly pair: InMemoryPair,
    private readonly counters: { probes: number },
  ) {
    pair.client.onclose = () => {
      if (!this.closing) this.lose('the in-memory transport closed');
    };
    pair.client.setNotificationHandler('notifications/tools/list_changed', () => this.emit({ type: 'TOOLS_CHANGED' }));
  }

  get live(): boolean {
    return this.lossReason === null && this.closing === null;
  }

  /** Connection actors watching this connection right now. */
  get watchers(): number {
    return this.listeners.size;
  }

  get succeededCalls(): number {
    return this.answeredCalls;
  }

  watch(listener: ConnectionListener): () => void {
    let active = true;
    const deliver: ConnectionListener = (event) => {
      if (active) listener(event);
    };
    if (this.lossReason !== null) {
      const event: ConnectionEvent = { type: 'CONNECTION_LOST', reason: this.lossReason };
      queueMicrotask(() => deliver(event));
    } else if (!this.closing) {
      this.listeners.add(deliver);
    }
    return () => {
      active = false;
      this.listeners.delete(deliver);
    };
  }

  ping(options: { timeoutMs: number }): Promise<void> {
    if (!this.live) return Promise.reject(new NotConnectedError(this.serviceKey));
    this.counters.probes += 1;
    return probe(this.pair.client, options.timeoutMs);
  }

  async callTool(tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    if (!this.live) throw new NotConnectedError(this.serviceKey);
    const result = await this.pair.client.callTool({ name: tool, arguments: args }, { timeout: options.timeoutMs, signal: options.signal });
    this.answeredCalls += 1;
    return result;
  }

  /** Closing on purpose is not a loss: the watchers are dropped first. Idempotent. */
  close(): Promise<void> {
    this.listeners.clear();
    this.closing ??= this.pair.close();
    return this.closing;
  }

  private lose(reason: string) {
    if (this.lossReason !== null) return;
    this.lossReason = reason;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener({ type: 'CONNECTION_LOST', reason });
  }

  private emit(event: ConnectionEvent) {
    for (const listener of [...this.listeners]) listener(event);
  }
}

/**
 * The supervisor's I/O side over in-memory servers of one era: at most one live connection per
 * registered service. A service's first connect may take a pair the bench opened beforehand
 * (`adopt`), so that the bench can measure those very clients with and without the supervisor.
 */
export class InMemoryConnections implements ConnectionLayer {
  private readonly services = new Map<string, InMemoryConnection | null>();
  private readonly adopted = new Map<string, InMemoryPair>();
  private connectionCount = 0;
  /** Probes sent over the connections (a probe that passive health answered is not sent). */
  readonly counters = { probes: 0 };
  readonly actors: ServiceActors = {
    connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) => this.connect(input.serviceKey, input.timeoutMs, signal)),
    connection: connectionActor((serviceKey, connectionId) => this.liveConnection(serviceKey, connectionId)),
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) =>
      listAllTools(this.live(input.serviceKey, input.connectionId).pair.client, { timeoutMs: LIST_TOOLS_TIMEOUT_MS, signal }),
    ),
    // Not aborted with the actor: a close once begun runs to its end.
    disconnect: fromPromise<void, DisconnectInput>(({ input }) => this.disconnect(input.serviceKey, input.connectionId)),
  };

  constructor(readonly era: ProtocolEra) {}

  /** The transport is ignored: every service is served in memory. */
  register(serviceKey: string, _transport: TransportConfig): void {
    if (!this.services.has(serviceKey)) this.services.set(serviceKey, null);
  }

  /** The next connect of `serviceKey` takes `pair` instead of opening one. */
  adopt(serviceKey: string, pair: InMemoryPair): void {
    if (pair.era !== this.era) throw new Error(`a ${pair.era} pair adopted by a ${this.era} layer`);
    this.adopted.set(serviceKey, pair);
  }

  async unregister(serviceKey: string): Promise<void> {
    const connection = this.services.get(serviceKey);
    this.services.delete(serviceKey);
    if (connection) await connection.close();
  }

  /** The clients of every live connection (for the comparisons over the very same clients). */
  clients(): Client[] {
    return this.connections().map((connection) => connection.pair.client);
  }

  get liveConnections(): number {
    return this.connections().length;
  }

  /** How many connection actors watch each live connection: count of connections by watcher count. */
  watchersPerConnection(): Map<number, number> {
    const tally = new Map<number, number>();
    for (const connection of this.connections()) tally.set(connection.watchers, (tally.get(connection.watchers) ?? 0) + 1);
    return tally;
  }

  async callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    const connection = this.services.get(serviceKey);
    if (!connection) throw new NotConnectedError(serviceKey);
    return connection.callTool(tool, args, options);
  }

  async closeAll(): Promise<void> {
    const open = [...this.services].flatMap(([key, connection]) => (connection ? [[key, connection] as const] : []));
    for (const [key] of open) this.services.set(key, null);
    const unused = [...this.adopted.values()];
    this.adopted.clear();
    await Promise.all([...open.map(([, connection]) => connection.close()), ...unused.map((pair) => pair.close())]);
  }

  private connections(): InMemoryConnection[] {
    return [...this.services.values()].flatMap((connection) => (connection?.live ? [connection] : []));
  }

  private liveConnection(serviceKey: string, connectionId: string): InMemoryConnection | null {
    const connection = this.services.get(serviceKey);
    return connection?.id === connectionId && connection.live ? connection : null;
  }

  /** Closes the service's previous connection, opens a fresh one (or takes the adopted one), lists its tools. */
  private async connect(serviceKey: string, timeoutMs: number, signal: AbortSignal): Promise<ConnectOutput> {
    const previous = this.services.get(serviceKey);
    if (previous === undefined) throw new Error(`service '${serviceKey}' is not registered`);
    if (previous) {
      this.services.set(serviceKey, null);
      await previous.close();
    }
    this.connectionCount += 1;
    const id = `${serviceKey}#${this.connectionCount}`;
    const pair = this.adopted.get(serviceKey) ?? (await openInMemoryPair(serviceKey, this.era, { timeoutMs, signal }));
    this.adopted.delete(serviceKey);
    try {
      const tools = await listAllTools(pair.client, { timeoutMs, signal });
      signal.throwIfAborted();
      if (!this.services.has(serviceKey)) throw new Error(`service '${serviceKey}' was unregistered during its connect`);
      this.services.set(serviceKey, new InMemoryConnection(id, serviceKey, pair, this.counters));
      const { client } = pair;
      const info = client.getServerVersion();
      return {
        connectionId: id,
        serverInfo: info ? { name: info.name, version: info.version } : null,
        protocol: { era: pair.era, version: client.getNegotiatedProtocolVersion() ?? 'unknown' },
        tools,
      };
    } catch (error) {
      await pair.close();
      throw error;
    }
  }

  private async disconnect(serviceKey: string, connectionId: string | null): Promise<void> {
    const connection = this.services.get(serviceKey);
    if (connectionId === null || connection?.id !== connectionId) return;
    this.services.set(serviceKey, null);
    await connection.close();
  }

  private live(serviceKey: string, connectionId: string): InMemoryConnection {
    const connection = this.liveConnection(serviceKey, connectionId);
    if (!connection) throw new NotConnectedError(serviceKey);
    return connection;
  }
}
