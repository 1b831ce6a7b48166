// The connections the supervisor holds, per service: the real (unredacted) transport settings, and at
// most one live connection. The statechart's actors and the supervisor reach MCP servers only through here.

import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { TransportConfig } from '../config/transport.js';
import type { ConnectOutput, ServiceActors, ToolDescriptor } from '../machines/service-io.js';
import {
  McpConnection,
  type CallToolOptions,
  type ConnectionListener,
  type RequestOptions,
} from './connection.js';
import { NotConnectedError, ServiceNotRegisteredError, toActionableError } from './errors.js';
import { createMcpActors } from './mcp-actors.js';
import { settleWithin, withDeadline } from './operation-deadline.js';

export interface McpConnectionsOptions {
  /** Bound of a `tools/list` asked by the listTools actor, whose input carries none. Default 30 s. */
  listToolsTimeoutMs?: number;
  /** Budget for closing a replaced, half-opened or unregistered connection. Default 10 s. */
  closeTimeoutMs?: number;
  /** Lines of a stdio server's stderr kept for diagnosis. Default 20. */
  stderrLines?: number;
}

interface ServiceEntry {
  serviceKey: string;
  serviceName: string;
  transport: TransportConfig;
  connection: McpConnection | null;
  /** The connect in progress; a newer connect of the same service aborts it. */
  opening: Opening | null;
}

interface Opening {
  controller: AbortController;
  /** Settles once the connect has finished, including closing what it opened if it failed. */
  settled: Promise<void>;
}

export class McpConnections {
  private readonly services = new Map<string, ServiceEntry>();
  private readonly listToolsTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly stderrLines: number;
  private connectionCount = 0;
  /** The statechart's I/O actors, working on these connections. */
  readonly actors: ServiceActors = createMcpActors(this);

  constructor(options: McpConnectionsOptions = {}) {
    this.listToolsTimeoutMs = options.listToolsTimeoutMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.stderrLines = options.stderrLines ?? 20;
  }

  /** Sets the transport a service connects with (from its next connect on). */
  register(serviceKey: string, transport: TransportConfig, serviceName: string = serviceKey): void {
    const entry = this.services.get(serviceKey);
    if (entry) {
      entry.transport = transport;
      entry.serviceName = serviceName;
    } else {
      this.services.set(serviceKey, { serviceKey, serviceName, transport, connection: null, opening: null });
    }
  }

  /** Forgets a service, closing its connection (within `timeoutMs`) and aborting a connect in progress. */
  async unregister(serviceKey: string, timeoutMs: number = this.closeTimeoutMs): Promise<void> {
    const entry = this.services.get(serviceKey);
    if (!entry) return;
    this.services.delete(serviceKey);
    await this.closeEntry(entry, timeoutMs);
  }

  /** The live connection of a service, if any. */
  connection(serviceKey: string): McpConnection | null {
    return this.services.get(serviceKey)?.connection ?? null;
  }

  /** The pid and last stderr lines (redacted) of the service's current or last connection. */
  diagnostics(serviceKey: string): { pid: number | null; stderrTail: string[] } | null {
    const connection = this.connection(serviceKey);
    return connection ? { pid: connection.pid, stderrTail: connection.stderrTail() } : null;
  }

  /**
   * Closes the service's previous connection, opens a fresh one, initializes and lists every tool —
   * all within `timeoutMs` and until `signal` aborts; an aborted or failed connect closes what it opened.
   */
  async connect(serviceKey: string, options: RequestOptions): Promise<ConnectOutput> {
    const entry = this.entry(serviceKey);
    entry.opening?.controller.abort();
    const opening: Opening = { controller: new AbortController(), settled: Promise.resolve() };
    entry.opening = opening;
    const signal = options.signal ? AbortSignal.any([options.signal, opening.controller.signal]) : opening.controller.signal;
    this.connectionCount += 1;
    const connectionId = `${serviceKey}#${this.connectionCount}`;
    try {
      return await withDeadline('connect', options.timeoutMs, signal, (deadline) => {
        const work = this.open(entry, connectionId, options.timeoutMs, deadline);
        opening.settled = work.then(
          () => undefined,
          () => undefined,
        );
        return work;
      });
    } catch (error) {
      throw toActionableError(error, {
        operation: 'connect',
        serviceName: entry.serviceName,
        transport: entry.transport,
        timeoutMs: options.timeoutMs,
      });
    } finally {
      if (entry.opening === opening) entry.opening = null;
    }
  }

  private async open(entry: ServiceEntry, connectionId: string, timeoutMs: number, deadline: AbortSignal): Promise<ConnectOutput> {
    await this.closeCurrent(entry, this.closeTimeoutMs);
    deadline.throwIfAborted();
    const target = { serviceKey: entry.serviceKey, serviceName: entry.serviceName, transport: entry.transport };
    const connection = await McpConnection.open(connectionId, target, {
      signal: deadline,
      closeTimeoutMs: this.closeTimeoutMs,
      stderrLines: this.stderrLines,
    });
    try {
      const tools = await connection.listTools({ timeoutMs, signal: deadline });
      deadline.throwIfAborted();
      entry.connection = connection;
      return { connectionId, serverInfo: connection.serverInfo, tools };
    } catch (error) {
      await connection.close(this.closeTimeoutMs);
      throw error;
    }
  }

  async ping(serviceKey: string, connectionId: string, options: RequestOptions): Promise<void> {
    await this.live(serviceKey, connectionId).ping(options);
  }

  async listTools(serviceKey: string, connectionId: string, signal?: AbortSignal): Promise<ToolDescriptor[]> {
    return this.live(serviceKey, connectionId).listTools({ timeoutMs: this.listToolsTimeoutMs, signal });
  }

  /**
   * Reports the loss and tool-list changes of exactly that connection until the returned function is
   * called. A connection that is no longer the service's live one is reported lost at once.
   */
  watch(serviceKey: string, connectionId: string, listener: ConnectionListener): () => void {
    const connection = this.connection(serviceKey);
    if (connection?.id === connectionId) return connection.watch(listener);
    let active = true;
    queueMicrotask(() => {
      if (active) listener({ type: 'CONNECTION_LOST', reason: `connection ${connectionId} is no longer open` });
    });
    return () => {
      active = false;
    };
  }

  /** Gracefully closes that connection within `timeoutMs`; already gone or null is fine. */
  async disconnect(serviceKey: string, connectionId: string | null, timeoutMs: number): Promise<void> {
    const entry = this.services.get(serviceKey);
    if (connectionId === null || entry?.connection?.id !== connectionId) return;
    await this.closeCurrent(entry, timeoutMs);
  }

  /** Calls a tool on the service's live connection; rejects with ConnectionLostError if it drops meanwhile. */
  async callTool(serviceKey: string, name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<CallToolResult> {
    const connection = this.entry(serviceKey).connection;
    if (!connection) throw new NotConnectedError(serviceKey);
    const callerSignal = options.signal;
    if (!callerSignal) return connection.callTool(name, args, options);
    // A caller's signal may live long (an app-wide shutdown signal); the SDK gets a per-call one.
    const perCall = new AbortController();
    const forward = () => perCall.abort(callerSignal.reason);
    if (callerSignal.aborted) forward();
    else callerSignal.addEventListener('abort', forward, { once: true });
    try {
      return await connection.callTool(name, args, { ...options, signal: perCall.signal });
    } finally {
      callerSignal.removeEventListener('abort', forward);
    }
  }

  /** Closes every connection (within `timeoutMs`) and aborts connects in progress; registrations stay. */
  async closeAll(timeoutMs: number = this.closeTimeoutMs): Promise<void> {
    await Promise.all([...this.services.values()].map((entry) => this.closeEntry(entry, timeoutMs)));
  }

  private entry(serviceKey: string): ServiceEntry {
    const entry = this.services.get(serviceKey);
    if (!entry) throw new ServiceNotRegisteredError(serviceKey);
    return entry;
  }

  private live(serviceKey: string, connectionId: string): McpConnection {
    const connection = this.entry(serviceKey).connection;
    if (connection?.id !== connectionId) throw new NotConnectedError(serviceKey);
    return connection;
  }

  private async closeEntry(entry: ServiceEntry, timeoutMs: number): Promise<void> {
    const opening = entry.opening;
    opening?.controller.abort();
    await Promise.all([this.closeCurrent(entry, timeoutMs), opening && settleWithin(opening.settled, timeoutMs)]);
  }

  private async closeCurrent(entry: ServiceEntry, timeoutMs: number): Promise<void> {
    const connection = entry.connection;
    entry.connection = null;
    if (connection) await settleWithin(connection.close(timeoutMs), timeoutMs);
  }
}
