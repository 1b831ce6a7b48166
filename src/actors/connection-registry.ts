// The connections the supervisor holds, per service: the real (unredacted) transport settings, and at
// most one live connection. The statechart's actors and the supervisor reach MCP servers only through here.

import type { CallToolResult } from '@modelcontextprotocol/client';
import type { TransportConfig } from '../config/transport.js';
import type { ConnectOutput, ServiceActors, ToolDescriptor } from '../machines/service-io.js';
import { ProtocolError, ProtocolErrorCode, type ServerCapabilities } from '@modelcontextprotocol/client';
import {
  McpConnection,
  type CallToolOptions,
  type ForwardedMethod,
  type ForwardOptions,
  type RequestOptions,
  type ServerRequestHandler,
  type ServiceNotification,
  type TransportFactory,
} from './connection.js';

export interface ConnectOptions extends RequestOptions {
  /** Budget for closing the previous connection and what a failed connect opened. */
  closeTimeoutMs?: number;
}
import { NotConnectedError, ServiceNotRegisteredError, toActionableError } from './errors.js';
import { createMcpActors } from './mcp-actors.js';
import type { NotificationRate } from './notification-budget.js';
import { settleWithin, withDeadline } from './operation-deadline.js';
import { operationSignal } from './operation-signal.js';

export interface McpConnectionsOptions {
  /** Bound of a `tools/list` asked by the listTools actor, whose input carries none. Default 30 s. */
  listToolsTimeoutMs?: number;
  /** Budget for closing a connection when no caller gives one (unregister, closeAll). Default 10 s. */
  closeTimeoutMs?: number;
  /** Lines of a stdio server's stderr kept for diagnosis. Default 20. */
  stderrLines?: number;
  /** Longest message read from a stdio server; a longer reply fails its request at once. Default 10 MiB. */
  maxMessageBytes?: number;
  /** Notifications accepted from one server (default 100/s, bursts of 200); the rest are dropped. */
  notificationRate?: NotificationRate;
  /**
   * Opens every connection over a transport this makes (negotiating the era as usual) instead of one
   * built from the service's settings: how the in-memory servers of `mcp-supervisor/testing` are reached.
   */
  transport?: TransportFactory;

  /**
   * Offer servers sampling, elicitation and roots, and hand their requests to the handler set with
   * `setServerRequestHandler` (a gateway relays them to its clients). Default false: a supervisor with
   * nobody to ask declares none of them.
   */
  relayServerRequests?: boolean;
}

interface ServiceEntry {
  serviceKey: string;
  serviceName: string;
  transport: TransportConfig;
  /** The live connection the statechart knows of. */
  connection: McpConnection | null;
  /**
   * Every connection object of the service whose close has not finished: the live one, one being
   * opened, ones being closed. Ending the service means ending all of them.
   */
  owned: Set<McpConnection>;
  /** The connect in progress; a newer connect of the same service aborts it. */
  opening: Opening | null;
  /**
   * When a negotiated connect found that the server speaks only the legacy (2025) era: until
   * LEGACY_VERDICT_MS later its connects skip the `server/discover` probe, which such a server can
   * only refuse or, on stdio, leave unanswered for a third of the connect's budget. New transport
   * settings forget it.
   */
  legacySince: number | null;
}

/**
 * How long a legacy verdict is trusted. It cannot correct itself (an upgraded server still answers
 * `initialize`), so it expires: the next connect after it probes again and finds an upgrade.
 */
export const LEGACY_VERDICT_MS = 60 * 60_000;

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
  private readonly maxMessageBytes: number | undefined;
  private readonly notificationRate: NotificationRate | undefined;
  private readonly transport: TransportFactory | undefined;
  private connectionCount = 0;
  private readonly notificationListeners = new Set<(serviceKey: string, notification: ServiceNotification) => void>();
  private readonly processListeners = new Set<(serviceKey: string, pid: number | null) => void>();
  private readonly relayServerRequests: boolean;
  private serverRequestHandler: ((serviceKey: string, ...request: Parameters<ServerRequestHandler>) => Promise<Record<string, unknown>>) | null = null;
  /** The statechart's I/O actors, working on these connections. */
  readonly actors: ServiceActors = createMcpActors(this);

  constructor(options: McpConnectionsOptions = {}) {
    this.listToolsTimeoutMs = options.listToolsTimeoutMs ?? 30_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.stderrLines = options.stderrLines ?? 20;
    this.maxMessageBytes = options.maxMessageBytes;
    this.notificationRate = options.notificationRate;
    this.transport = options.transport;
    this.relayServerRequests = options.relayServerRequests ?? false;
  }

  /**
   * Who answers the servers' requests to their client (with `relayServerRequests`); null: nobody, and
   * such a request gets an error answer. Returns how to undo it.
   */
  setServerRequestHandler(handler: ((serviceKey: string, ...request: Parameters<ServerRequestHandler>) => Promise<Record<string, unknown>>) | null): () => void {
    this.serverRequestHandler = handler;
    return () => {
      if (this.serverRequestHandler === handler) this.serverRequestHandler = null;
    };
  }

  /** Sets the transport a service connects with (from its next connect on). */
  register(serviceKey: string, transport: TransportConfig, serviceName: string = serviceKey): void {
    const entry = this.services.get(serviceKey);
    if (entry) {
      if (entry.transport !== transport) entry.legacySince = null;
      entry.transport = transport;
      entry.serviceName = serviceName;
    } else {
      this.services.set(serviceKey, { serviceKey, serviceName, transport, connection: null, owned: new Set(), opening: null, legacySince: null });
    }
  }

  /**
   * Forgets a service: aborts a connect in progress and ends every connection and process of the
   * service within `timeoutMs`. Resolves once none is left (or the budget is spent).
   */
  async unregister(serviceKey: string, timeoutMs: number = this.closeTimeoutMs): Promise<void> {
    const entry = this.services.get(serviceKey);
    if (!entry) return;
    this.services.delete(serviceKey);
    await this.endService(entry, timeoutMs);
  }

  /** The live connection of a service, if any. */
  connection(serviceKey: string): McpConnection | null {
    return this.services.get(serviceKey)?.connection ?? null;
  }

  /** The pid, last stderr lines (redacted) and dropped notifications of the service's current connection. */
  diagnostics(serviceKey: string): { pid: number | null; stderrTail: string[]; droppedNotifications: number } | null {
    const connection = this.connection(serviceKey);
    return connection
      ? { pid: connection.pid, stderrTail: connection.stderrTail(), droppedNotifications: connection.droppedNotifications }
      : null;
  }

  /**
   * Closes the service's previous connection, opens a fresh one, negotiates the protocol era and lists
   * every tool —
   * all within `timeoutMs` and until `signal` aborts. The previous connection, and what a failed or
   * aborted connect opened, are closed within `options.closeTimeoutMs`: the lifecycle has given up on
   * them, so a hung server gets a short grace, not a graceful one.
   */
  async connect(serviceKey: string, options: ConnectOptions): Promise<ConnectOutput> {
    const entry = this.entry(serviceKey);
    entry.opening?.controller.abort();
    const opening: Opening = { controller: new AbortController(), settled: Promise.resolve() };
    entry.opening = opening;
    // Both signals end with this connect (XState gives each invocation its own), so joining them leaves
    // nothing behind in a long-lived signal.
    const signal = options.signal ? AbortSignal.any([options.signal, opening.controller.signal]) : opening.controller.signal;
    this.connectionCount += 1;
    const connectionId = `${serviceKey}#${this.connectionCount}`;
    const closeTimeoutMs = options.closeTimeoutMs ?? this.closeTimeoutMs;
    try {
      return await withDeadline('connect', options.timeoutMs, signal, (deadline) => {
        const work = this.open(entry, connectionId, options.timeoutMs, closeTimeoutMs, deadline);
        // The opening lasts until the work has closed what it opened, not until the deadline gives up
        // on it: stopping the service waits for it (and hurries it).
        opening.settled = work.then(
          () => undefined,
          () => undefined,
        );
        void opening.settled.then(() => {
          if (entry.opening === opening) entry.opening = null;
        });
        return work;
      });
    } catch (error) {
      throw toActionableError(error, {
        operation: 'connect',
        serviceKey: entry.serviceKey,
        serviceName: entry.serviceName,
        transport: entry.transport,
        timeoutMs: options.timeoutMs,
      });
    }
  }

  private async open(
    entry: ServiceEntry,
    connectionId: string,
    timeoutMs: number,
    closeTimeoutMs: number,
    deadline: AbortSignal,
  ): Promise<ConnectOutput> {
    await this.closeCurrent(entry, closeTimeoutMs);
    deadline.throwIfAborted();
    const target = { serviceKey: entry.serviceKey, serviceName: entry.serviceName, transport: entry.transport };
    const knownLegacy = entry.legacySince !== null && Date.now() - entry.legacySince < LEGACY_VERDICT_MS;
    const connection = await McpConnection.open(connectionId, target, {
      signal: deadline,
      knownLegacy,
      timeoutMs,
      closeTimeoutMs,
      stderrLines: this.stderrLines,
      maxMessageBytes: this.maxMessageBytes,
      notificationRate: this.notificationRate,
      transport: this.transport,
      onNotification: (notification) => {
        // Only the live connection speaks for the service: one being replaced is no longer heard.
        if (entry.connection?.id !== connectionId) return;
        for (const listener of [...this.notificationListeners]) listener(entry.serviceKey, notification);
      },
      ...(this.relayServerRequests
        ? {
            onServerRequest: (request, signal) => {
              const handler = this.serverRequestHandler;
              if (!handler) return Promise.reject(new ProtocolError(ProtocolErrorCode.MethodNotFound, `no client is connected to answer ${request.method}`));
              return handler(entry.serviceKey, request, signal);
            },
          }
        : {}),
      onProcessStarted: (pid) => {
        for (const listener of [...this.processListeners]) listener(entry.serviceKey, pid);
      },
      onCreated: (created) => {
        entry.owned.add(created);
        void created.ended.then(() => entry.owned.delete(created));
      },
    });
    try {
      const tools = await connection.listTools({ timeoutMs, signal: deadline });
      deadline.throwIfAborted();
      entry.connection = connection;
      if (!knownLegacy) entry.legacySince = connection.protocol.era === 'legacy' ? Date.now() : null;
      return { connectionId, serverInfo: connection.serverInfo, protocol: connection.protocol, tools };
    } catch (error) {
      await this.closeConnection(connection, closeTimeoutMs);
      throw error;
    }
  }

  /** The era's health probe on that connection: `ping` (legacy) or `server/discover` (modern). */
  async ping(serviceKey: string, connectionId: string, options: RequestOptions): Promise<void> {
    await this.live(serviceKey, connectionId).ping(options);
  }

  async listTools(serviceKey: string, connectionId: string, signal?: AbortSignal): Promise<ToolDescriptor[]> {
    return this.live(serviceKey, connectionId).listTools({ timeoutMs: this.listToolsTimeoutMs, signal });
  }

  /** The service's live connection if its id is `connectionId`; null once it is closed or replaced. */
  liveConnection(serviceKey: string, connectionId: string): McpConnection | null {
    const connection = this.connection(serviceKey);
    return connection?.id === connectionId ? connection : null;
  }

  /**
   * Ends the service's connections within `timeoutMs`: the live one gracefully, and whatever a connect
   * aborted by the stop was still opening or closing. The statechart knows only the connection it was
   * given, but a stop must leave no process of the service, whatever the connect was doing.
   */
  async disconnect(serviceKey: string, timeoutMs: number): Promise<void> {
    const entry = this.services.get(serviceKey);
    if (entry) await this.endService(entry, timeoutMs);
  }

  /** Calls a tool on the service's live connection; rejects with ConnectionLostError if it drops meanwhile. */
  async callTool(serviceKey: string, name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<CallToolResult> {
    const connection = this.entry(serviceKey).connection;
    if (!connection) throw new NotConnectedError(serviceKey);
    if (!options.signal) return connection.callTool(name, args, options);
    // A caller's signal may live long (an app-wide shutdown signal); the SDK, which keeps its listener
    // on the signal it is given, gets a per-call one.
    const perCall = operationSignal(options.signal);
    try {
      return await connection.callTool(name, args, { ...options, signal: perCall.signal });
    } finally {
      perCall.dispose();
    }
  }

  /** A resources, prompts or completion request sent on the service's live connection, answered as the server answered. */
  async request(serviceKey: string, method: ForwardedMethod, params: Record<string, unknown> | undefined, options: ForwardOptions): Promise<Record<string, unknown>> {
    const connection = this.entry(serviceKey).connection;
    if (!connection) throw new NotConnectedError(serviceKey);
    return connection.forward(method, params, options);
  }

  /** What the service's live server said it can do; null while it has no connection. */
  serverCapabilities(serviceKey: string): ServerCapabilities | null {
    return this.connection(serviceKey)?.capabilities ?? null;
  }

  /** Tells the service's live server that its client's roots changed (a 2025-era server only); nothing without one. */
  async notifyRootsChanged(serviceKey: string): Promise<void> {
    await this.connection(serviceKey)?.notifyRootsChanged();
  }

  /** Hears every live server's resource, prompt and log notifications until the returned function runs. */
  onNotification(listener: (serviceKey: string, notification: ServiceNotification) => void): () => void {
    this.notificationListeners.add(listener);
    return () => this.notificationListeners.delete(listener);
  }

  /** Hears every start of a stdio server's process (with its pid) until the returned function runs. */
  onProcessStarted(listener: (serviceKey: string, pid: number | null) => void): () => void {
    this.processListeners.add(listener);
    return () => this.processListeners.delete(listener);
  }

  /** Ends every service's connections and processes (within `timeoutMs`); registrations stay. */
  async closeAll(timeoutMs: number = this.closeTimeoutMs): Promise<void> {
    await Promise.all([...this.services.values()].map((entry) => this.endService(entry, timeoutMs)));
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

  /**
   * Aborts the connect in progress and closes every connection the service owns, hurrying closes
   * already under way to this budget; resolves when all have ended or the budget is spent.
   */
  private async endService(entry: ServiceEntry, timeoutMs: number): Promise<void> {
    const opening = entry.opening;
    opening?.controller.abort();
    entry.connection = null;
    const closes = [...entry.owned].map((connection) => this.closeConnection(connection, timeoutMs));
    await Promise.all([...closes, opening && settleWithin(opening.settled, timeoutMs)]);
  }

  private async closeCurrent(entry: ServiceEntry, timeoutMs: number): Promise<void> {
    const connection = entry.connection;
    entry.connection = null;
    if (connection) await this.closeConnection(connection, timeoutMs);
  }

  private async closeConnection(connection: McpConnection, timeoutMs: number): Promise<void> {
    await settleWithin(connection.close(timeoutMs), timeoutMs);
  }
}
