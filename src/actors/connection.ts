// One live MCP connection of a service: a fresh SDK Client and transport, the protocol era it
// negotiated, what the server said about itself, and how the connection ends — a loss, reported once to
// each watcher, or a close we asked for.

import {
  CLIENT_CAPABILITIES_META_KEY,
  Client,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  type CallToolResult,
  type McpSubscription,
  type Progress,
  type ServerCapabilities,
  type SubscriptionFilter,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import type { TransportConfig } from '../config/transport.js';
import { packageVersion } from '../package-version.js';
import type { InputRetry } from '../supervisor/call-options.js';
import type { ConnectionEvent, NegotiatedProtocol, ServerInfo, ToolDescriptor } from '../machines/service-io.js';
import {
  ConnectionLostError,
  HttpStatusError,
  McpActorError,
  McpRequestError,
  MessageTooLargeError,
  NotConnectedError,
  OperationTimeoutError,
  ServerExitedError,
  concerning,
  toActionableError,
} from './errors.js';
import {
  connectionLossReason,
  createSseTransport,
  createStreamableHttpTransport,
  endSession,
  isHttpTransport,
  shouldFallBackToSse,
  type HttpTransport,
} from './http-transport.js';
import { DEFAULT_NOTIFICATION_RATE, NotificationBudget, type NotificationRate } from './notification-budget.js';
import { settleWithin, untilAborted, withDeadline } from './operation-deadline.js';
import { redactSecrets, secretsOf } from './redact-secrets.js';
import { describeExit } from './process-exit.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';

const CLIENT_INFO = { name: 'mcp-supervisor', version: packageVersion() };
/** A server that keeps handing out cursors is broken; stop paging after this many pages. */
const MAX_TOOL_PAGES = 1_000;
/** After a failed start, how long to wait for the server's exit to be known (to report it). */
const EXIT_REPORT_WAIT_MS = 500;
/**
 * Share of a stdio connect's budget the era probe (`server/discover`) may take. On stdio a probe left
 * unanswered means a legacy server that ignores requests before `initialize`: the rest of the budget is
 * for that handshake and `tools/list`.
 */
const STDIO_PROBE_SHARE = 1 / 3;
/**
 * How long a connect waits for a modern server to acknowledge its notification stream. A server that
 * never does is connected without one (its tool changes are found by the periodic refresh) rather than
 * failing every connect at its timeout.
 */
const LISTEN_ACK_MS = 5_000;

/**
 * How a connect finds the server's era: `auto` probes with `server/discover` and falls back to the
 * legacy `initialize` handshake; `legacy` goes straight to `initialize`.
 */
type Negotiation = 'auto' | 'legacy';

/**
 * A transport handed to a connection ready-made instead of one built from the service's settings: the
 * in-memory servers of `mcp-supervisor/testing` are reached this way, through the same connection code.
 */
export interface SuppliedTransport extends Transport {
  /** Why the transport closed without being asked to (a loss's reason); 'the transport closed' when unset. */
  readonly closeReason?: string;
}

/** Makes the transport of a connection for `target` (see {@link SuppliedTransport}). */
export type TransportFactory = (target: ConnectionTarget) => SuppliedTransport;

/** The service a connection belongs to, with its real (unredacted) transport settings. */
export interface ConnectionTarget {
  serviceKey: string;
  serviceName: string;
  transport: TransportConfig;
}

export interface OpenOptions {
  signal: AbortSignal;
  /** The connect's budget; the era probe gets a share of it. */
  timeoutMs: number;
  /** An earlier connect found the server legacy-only: make the 2025 handshake without probing. */
  knownLegacy?: boolean;
  /** Budget for closing what was opened when the open fails or is aborted. */
  closeTimeoutMs: number;
  stderrLines: number;
  /** Longest message read from a stdio server (default 10 MiB). */
  maxMessageBytes?: number;
  /** Notifications accepted from the server (default 100/s, bursts of 200); the rest are dropped. */
  notificationRate?: NotificationRate;
  /** Receives the server's catalogue, resource and log notifications (see ServiceNotification). */
  onNotification?: (notification: ServiceNotification) => void;
  /**
   * Answers the server's requests to its client (sampling, elicitation, roots): given, the connection
   * declares those capabilities and hands every such request here; absent, it declares none.
   */
  onServerRequest?: ServerRequestHandler;
  /**
   * Hears of every connection object as soon as it exists, before its process or socket is opened,
   * so that whoever owns the service can hurry its close (a stop during a connect).
   */
  onCreated?: (connection: McpConnection) => void;
  /** Opens the connection over this transport (negotiating the era) instead of one from the settings. */
  transport?: TransportFactory;
  /** Hears each start of a stdio server's process, with its pid (an era fallback starts a second one). */
  onProcessStarted?: (pid: number) => void;
}

export interface RequestOptions {
  timeoutMs: number;
  /**
   * Aborts the operation. Give one per operation (as XState does per invocation): the SDK keeps its
   * listener on the signal for the signal's whole life.
   */
  signal?: AbortSignal;
}

interface SdkRequestOptions {
  signal: AbortSignal | undefined;
  timeout: number;
}

/** A tool call's options, as the SDK's request options name them (see `CallOptions` of the supervisor). */
export interface CallToolOptions extends RequestOptions {
  onProgress?: (progress: Progress) => void;
  /** Restart the `timeoutMs` wait at each progress notification. */
  resetTimeoutOnProgress?: boolean;
  /** The longest the call may take in all, progress or not. */
  maxTotalTimeout?: number;
  /** Hand back a 2026-07-28 server's `input_required` answer; a retry's answers and state (see CallOptions). */
  inputRequired?: InputRetry;
  /** Entries added to the request's `_meta` (trace context). */
  meta?: Readonly<Record<string, string>>;
}

interface SdkCallOptions extends SdkRequestOptions {
  onprogress?: (progress: Progress) => void;
  resetTimeoutOnProgress?: boolean;
  maxTotalTimeout?: number;
  allowInputRequired?: boolean;
}

export type ConnectionListener = (event: ConnectionEvent) => void;

/**
 * The requests a gateway forwards to a service as they are: its resources, prompts and completions.
 * Tools go through `callTool`, which the supervisor bounds and counts.
 */
export type ForwardedMethod =
  | 'resources/list'
  | 'resources/templates/list'
  | 'resources/read'
  | 'resources/subscribe'
  | 'resources/unsubscribe'
  | 'prompts/list'
  | 'prompts/get'
  | 'completion/complete';

/** Notifications of a server that concern whoever uses its catalogue (beyond tools, which the lifecycle follows). */
export type ForwardedNotification =
  | 'notifications/resources/list_changed'
  | 'notifications/resources/updated'
  | 'notifications/prompts/list_changed'
  | 'notifications/message';

const FORWARDED_NOTIFICATIONS: readonly ForwardedNotification[] = [
  'notifications/resources/list_changed',
  'notifications/resources/updated',
  'notifications/prompts/list_changed',
  'notifications/message',
];

/** One of those notifications, as the server sent it. */
export interface ServiceNotification {
  method: ForwardedNotification;
  params?: Record<string, unknown>;
}

/** The requests a server may send its client, which a gateway relays to its own clients. */
export type ServerRequestMethod = 'sampling/createMessage' | 'elicitation/create' | 'roots/list';

const SERVER_REQUEST_METHODS: readonly ServerRequestMethod[] = ['sampling/createMessage', 'elicitation/create', 'roots/list'];

/** Answers one request a server sent its client; rejects (the server gets an error answer) when nobody can. */
export type ServerRequestHandler = (
  request: { method: ServerRequestMethod; params?: Record<string, unknown> },
  signal: AbortSignal,
) => Promise<Record<string, unknown>>;

/** A forwarded request's options: its bound (ms), its signal, and where its progress goes. */
export interface ForwardOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Hand back an `input_required` answer (resources/read, prompts/get); a retry's answers and state. */
  inputRequired?: InputRetry;
  /** Entries added to the request's `_meta` (trace context). */
  meta?: Readonly<Record<string, string>>;
}

type ServiceTransport = ProcessGroupStdioTransport | HttpTransport | SuppliedTransport;

/** A stdio server exited on the era probe, as servers that allow nothing before `initialize` do. */
class ExitedOnEraProbe {
  constructor(readonly failure: unknown) {}
}

export class McpConnection {
  private opened = false;
  private lossReason: string | null = null;
  private closing: Promise<void> | null = null;
  /** When the close in progress will have ended the connection (performance.now() time). */
  private closeDeadline = Infinity;
  private readonly notifications: NotificationBudget;
  private readonly listeners = new Set<ConnectionListener>();
  /** Tool calls answered so far (a result, `isError` or not): passive health reads it. */
  private answeredCalls = 0;
  private readonly secrets: string[];
  private markEnded: () => void = () => undefined;
  /** Resolves once a close has run to its end (the process tree is gone, or the budget was spent). */
  readonly ended = new Promise<void>((resolve) => {
    this.markEnded = resolve;
  });
  /** The notification stream of a modern connection, and what it was asked to carry. */
  private stream: { subscription: McpSubscription; filter: SubscriptionFilter } | null = null;
  /** Resources a modern connection's stream carries updates of. */
  private readonly resourceUris = new Set<string>();
  private markTransportClosed: () => void = () => undefined;
  private readonly transportClosed = new Promise<void>((resolve) => {
    this.markTransportClosed = resolve;
  });

  private constructor(
    readonly id: string,
    readonly target: ConnectionTarget,
    private readonly client: Client,
    private readonly transport: ServiceTransport,
    notificationRate: NotificationRate,
    onNotification: ((notification: ServiceNotification) => void) | undefined,
  ) {
    this.secrets = secretsOf(target.transport);
    this.notifications = new NotificationBudget(notificationRate, performance.now());
    client.onclose = () => this.handleTransportClosed();
    client.onerror = (error) => this.handleTransportError(error);
    // Unsolicited on a legacy connection; on a modern one it arrives on the listen stream.
    client.setNotificationHandler('notifications/tools/list_changed', () => this.emit({ type: 'TOOLS_CHANGED' }));
    if (onNotification) {
      for (const method of FORWARDED_NOTIFICATIONS) {
        client.setNotificationHandler(method, (notification) => {
          if (!this.closing) onNotification({ method, ...(notification.params === undefined ? {} : { params: notification.params }) });
        });
      }
    }
  }

  /**
   * Opens the transport and negotiates the protocol era: a `server/discover` probe, then the modern
   * era or the legacy `initialize` handshake. When `signal` aborts, whatever was opened is closed. A
   * Streamable HTTP service with `sseFallback` retries over SSE after a 4xx.
   */
  static async open(id: string, target: ConnectionTarget, options: OpenOptions): Promise<McpConnection> {
    const config = target.transport;
    const negotiation: Negotiation = options.knownLegacy === true || (config.type !== 'sse' && config.protocol === 'legacy') ? 'legacy' : 'auto';
    if (options.transport) return McpConnection.openOver(id, target, options.transport(target), options, negotiation);
    switch (config.type) {
      case 'stdio': {
        const { stderrLines, closeTimeoutMs, maxMessageBytes, onProcessStarted: onSpawn } = options;
        const spawnWith = (how: Negotiation) =>
          McpConnection.openOver(id, target, new ProcessGroupStdioTransport(config, { stderrLines, closeTimeoutMs, maxMessageBytes, onSpawn }), options, how);
        if (negotiation === 'legacy') return spawnWith('legacy');
        try {
          return await spawnWith('auto');
        } catch (error) {
          if (!(error instanceof ExitedOnEraProbe)) throw error;
          // The SDK probes a custom stdio transport in place, so that process is spent; a fresh one
          // gets the legacy handshake it expects. (A server that dies whatever it is sent fails again.)
          if (options.signal.aborted) throw error.failure;
          return spawnWith('legacy');
        }
      }
      case 'sse':
        // HTTP+SSE exists only in the legacy era: a probe could only ever find a legacy server.
        return McpConnection.openOver(id, target, createSseTransport(config.url, config.headers), options, 'legacy');
      case 'streamable-http':
        try {
          return await McpConnection.openOver(id, target, createStreamableHttpTransport(config.url, config.headers), options, negotiation);
        } catch (error) {
          if (!config.sseFallback || options.signal.aborted || !shouldFallBackToSse(error)) throw error;
          return McpConnection.openOver(id, target, createSseTransport(config.url, config.headers), options, 'legacy');
        }
    }
  }

  private static async openOver(
    id: string,
    target: ConnectionTarget,
    transport: ServiceTransport,
    options: OpenOptions,
    negotiation: Negotiation,
  ): Promise<McpConnection> {
    const stdio = transport instanceof ProcessGroupStdioTransport;
    const client = new Client(CLIENT_INFO, {
      capabilities: options.onServerRequest ? { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } } : {},
      listMaxPages: MAX_TOOL_PAGES,
      versionNegotiation:
        negotiation === 'auto'
          ? { mode: 'auto', probe: { timeoutMs: stdio ? Math.floor(options.timeoutMs * STDIO_PROBE_SHARE) : options.timeoutMs } }
          : { mode: 'legacy' },
    });
    const connection = new McpConnection(id, target, client, transport, options.notificationRate ?? DEFAULT_NOTIFICATION_RATE, options.onNotification);
    const answer = options.onServerRequest;
    if (answer) {
      for (const method of SERVER_REQUEST_METHODS) {
        // The SDK validates the answer against the method's result schema before sending it.
        client.setRequestHandler(method, (request, ctx) => answer({ method, ...(request.params ? { params: request.params } : {}) }, ctx.mcpReq.signal) as never);
      }
    }
    options.onCreated?.(connection);
    try {
      options.signal.throwIfAborted();
      // untilAborted: a transport's start() (spawn, the SSE endpoint event) does not take a signal.
      await untilAborted(connection.client.connect(transport, { signal: options.signal, timeout: options.timeoutMs }), options.signal);
      connection.limitNotifications();
      await connection.listenForToolChanges(options);
      connection.opened = true;
      return connection;
    } catch (error) {
      const diedOnProbe = stdio && negotiation === 'auto' && isEraNegotiationFailure(error) && transport.exit !== null;
      const failure = options.signal.aborted ? error : await connection.explainStartFailure(error);
      await connection.close(options.closeTimeoutMs);
      throw diedOnProbe ? new ExitedOnEraProbe(failure) : failure;
    }
  }

  /** The era and revision the connection negotiated. */
  get protocol(): NegotiatedProtocol {
    const era = this.client.getProtocolEra();
    const version = this.client.getNegotiatedProtocolVersion();
    if (era === undefined || version === undefined) throw new NotConnectedError(this.target.serviceKey);
    return { era, version };
  }

  get serverInfo(): ServerInfo | null {
    const info = this.client.getServerVersion();
    return info ? { name: info.name, version: info.version } : null;
  }

  /** What the server said it can do (tools, resources, prompts, completions, logging…) when it connected. */
  get capabilities(): ServerCapabilities | null {
    return this.client.getServerCapabilities() ?? null;
  }

  /**
   * One of the requests a gateway forwards (resources, prompts, completions), sent as given and
   * answered as the server answered; bounded like every request, and failing, not hanging, if the
   * connection drops.
   */
  forward(method: ForwardedMethod, params: Record<string, unknown> | undefined, options: ForwardOptions): Promise<Record<string, unknown>> {
    const modern = this.client.getProtocolEra() === 'modern';
    if (modern && (method === 'resources/subscribe' || method === 'resources/unsubscribe') && typeof params?.uri === 'string') {
      return this.subscribeOnStream(params.uri, method === 'resources/subscribe', options);
    }
    const retry = options.inputRequired;
    const withRetry = retry === undefined ? params : this.withInput(params ?? {}, retry);
    const sent = options.meta === undefined ? withRetry : withMeta(withRetry ?? {}, options.meta);
    return this.request(method, options, (sdkOptions) =>
      this.client.request(
        { method, ...(sent === undefined ? {} : { params: sent }) },
        {
          ...sdkOptions,
          ...(options.onProgress === undefined ? {} : { onprogress: options.onProgress }),
          ...(retry === undefined ? {} : { allowInputRequired: true }),
        },
      ),
    );
  }

  /**
   * A multi-round-trip request's params: the retry's answers and state beside the request's own, and
   * on a modern connection the capabilities the server may ask of, in place of the connection's.
   */
  private withInput<P extends Record<string, unknown>>(params: P, retry: InputRetry): P & Record<string, unknown> {
    const { clientCapabilities, ...answers } = retry;
    if (clientCapabilities === undefined || this.client.getProtocolEra() !== 'modern') return { ...params, ...answers };
    // The SDK lets a request's own `_meta` keys win over the envelope it stamps.
    return withMeta({ ...params, ...answers }, { [CLIENT_CAPABILITIES_META_KEY]: clientCapabilities });
  }

  /** Why the connection was lost, or null while it is not. */
  get lost(): string | null {
    return this.lossReason;
  }

  /** The last lines the server wrote to stderr (stdio only), secrets redacted. */
  stderrTail(): string[] {
    return this.transport instanceof ProcessGroupStdioTransport ? this.transport.stderrTail().map((line) => this.redact(line)) : [];
  }

  /** The stdio server's pid (= its process group), or null. */
  get pid(): number | null {
    return this.transport instanceof ProcessGroupStdioTransport ? this.transport.pid : null;
  }

  /** Notifications from the server dropped for going over the rate it may send at. */
  get droppedNotifications(): number {
    return this.notifications.dropped;
  }

  /**
   * Reports CONNECTION_LOST (at most once, at once if the loss already happened) and TOOLS_CHANGED to
   * `listener` until the returned function is called. A close we asked for is not a loss.
   */
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

  /**
   * Tells a 2025-era server that its client's roots changed, so that it asks `roots/list` again. A
   * 2026-07-28 server is not told: that revision has no such notification (roots come with each request).
   */
  async notifyRootsChanged(): Promise<void> {
    if (this.client.getProtocolEra() !== 'legacy') return;
    await this.client.sendRootsListChanged();
  }

  /**
   * The health probe of the connection's era: `ping` on a legacy connection; on a modern one, which
   * has no `ping`, `server/discover` (mandatory for modern servers, no parameters, nothing but the
   * advertisement). Neither re-initializes the server. A server that answers -32601 (method not found)
   * is alive all the same.
   */
  ping(options: RequestOptions): Promise<void> {
    const modern = this.client.getProtocolEra() === 'modern';
    return this.request('ping', options, (sdkOptions) =>
      (modern ? this.client.discover(sdkOptions) : this.client.ping(sdkOptions)).then(
        () => undefined,
        (error: unknown) => {
          if (error instanceof ProtocolError && error.code === Number(ProtocolErrorCode.MethodNotFound)) return;
          throw error;
        },
      ),
    );
  }

  /** The full `tools/list`, every page, all within `timeoutMs`; none for a server without tools. */
  listTools(options: RequestOptions): Promise<ToolDescriptor[]> {
    return this.request('tools/list', options, ({ timeout, signal }) =>
      withDeadline('tools/list', timeout, signal, async (deadline) => {
        // Asked anyway, the SDK would answer the same after writing a notice to stdout (console.debug).
        if (!this.client.getServerCapabilities()?.tools) return [];
        try {
          // 'refresh': always from the server, and the SDK keeps the list it checks tool results against.
          const { tools } = await this.client.listTools(undefined, { signal: deadline, timeout, cacheMode: 'refresh' });
          return tools.map(toToolDescriptor);
        } catch (error) {
          if (error instanceof SdkError && error.code === SdkErrorCode.ListPaginationExceeded) {
            throw new McpActorError(`tools/list failed: more than ${MAX_TOOL_PAGES} pages`);
          }
          throw error;
        }
      }),
    );
  }

  /** Tool calls the server has answered with a result on this connection. */
  get succeededCalls(): number {
    return this.answeredCalls;
  }

  /**
   * `tools/call`; rejects with ConnectionLostError, not a hang, if the connection drops meanwhile. A
   * call that fails at the transport level is reported to watchers as CALL_FAILED.
   */
  callTool(name: string, args: Record<string, unknown>, options: CallToolOptions): Promise<CallToolResult> {
    const operation = `tools/call ${name}`;
    const { maxTotalTimeout, inputRequired } = options;
    // A retry of a multi-round-trip call carries the client's answers and the server's state beside its arguments.
    const plain = inputRequired === undefined ? { name, arguments: args } : this.withInput({ name, arguments: args }, inputRequired);
    const params = options.meta === undefined ? plain : withMeta(plain, options.meta);
    return this.request(operation, options, (sdkOptions) =>
      // The SDK checks maxTotalTimeout only when a progress notification arrives, and only with
      // resetTimeoutOnProgress: a deadline of our own makes it a bound whatever the server sends.
      maxTotalTimeout === undefined
        ? this.client.callTool(params, sdkCallOptions(sdkOptions, options))
        : withDeadline(operation, maxTotalTimeout, sdkOptions.signal, (signal) => this.client.callTool(params, sdkCallOptions({ ...sdkOptions, signal }, options))),
    ).then(
      (result) => {
        this.answeredCalls += 1;
        return result;
      },
      (error: unknown) => {
        // A call its caller cut at the whole-call bound says nothing of the server (it may have been
        // sending progress all along); silence past the per-request timeout does.
        const cutByCaller = error instanceof OperationTimeoutError && error.timeoutMs === maxTotalTimeout;
        if (!options.signal?.aborted && !cutByCaller && isTransportFailure(error)) this.emit({ type: 'CALL_FAILED', error });
        throw error;
      },
    );
  }

  /**
   * Graceful close within `budgetMs`: end the HTTP session, or stdin-close → SIGTERM → SIGKILL the
   * process group; then close the client. Later calls share the close in progress, unless they allow
   * less time: then the close is hurried to their deadline (the steps are idempotent).
   */
  close(budgetMs: number): Promise<void> {
    const deadline = performance.now() + budgetMs;
    if (this.closing && deadline >= this.closeDeadline) return this.closing;
    this.closeDeadline = deadline;
    this.closing = this.shutdown(budgetMs);
    return this.closing;
  }

  private async shutdown(budgetMs: number): Promise<void> {
    this.listeners.clear();
    const started = performance.now();
    const remaining = () => budgetMs - (performance.now() - started);
    if (this.transport instanceof ProcessGroupStdioTransport) await this.transport.shutdown(budgetMs);
    else if (this.lossReason === null && isHttpTransport(this.transport)) await endSession(this.transport, budgetMs / 2);
    await settleWithin(this.client.close(), remaining());
    // The client closes its transport only once connected: one still negotiating the era (a connect
    // given up during its probe) would stay open until the probe timed out.
    if (!(this.transport instanceof ProcessGroupStdioTransport)) await settleWithin(this.transport.close(), remaining());
    this.markEnded();
  }

  /**
   * One SDK request with the failure translated. The SDK bounds it itself: its `timeout` rejects with
   * RequestTimeout and an aborted `signal` rejects at once (both also send notifications/cancelled), so
   * the hot path (ping, tools/call) adds no timer or controller of its own.
   */
  private request<T>(operation: string, options: RequestOptions, send: (sdkOptions: SdkRequestOptions) => Promise<T>): Promise<T> {
    const { serviceKey } = this.target;
    if (this.lossReason !== null) return Promise.reject(concerning(new ConnectionLostError(this.lossReason), serviceKey));
    if (this.closing) return Promise.reject(new NotConnectedError(serviceKey));
    return send({ signal: options.signal, timeout: options.timeoutMs }).catch((error: unknown) => {
      // An aborted caller gets its own reason, as fetch() does.
      if (options.signal?.aborted) throw options.signal.reason;
      if (error instanceof McpActorError) throw concerning(error, serviceKey);
      if (this.lossReason !== null) throw concerning(new ConnectionLostError(this.lossReason), serviceKey);
      throw this.explain(error, operation, options.timeoutMs);
    });
  }

  private explain(error: unknown, operation: string, timeoutMs: number): McpActorError {
    return toActionableError(error, {
      operation,
      serviceKey: this.target.serviceKey,
      serviceName: this.target.serviceName,
      transport: this.target.transport,
      timeoutMs,
    });
  }

  /** A stdio server that exited while starting is reported with its exit and last stderr lines. */
  private async explainStartFailure(error: unknown): Promise<unknown> {
    if (!(this.transport instanceof ProcessGroupStdioTransport) || this.transport.pid === null) return error;
    await settleWithin(this.transportClosed, EXIT_REPORT_WAIT_MS);
    const exit = this.transport.exit;
    return exit ? new ServerExitedError(exit, this.stderrTail()) : error;
  }

  /**
   * A modern server tells of tool changes only on a `subscriptions/listen` stream the client opened.
   * A server that refuses the stream still works (the periodic refresh finds its changes); the stream
   * ending without our asking means the server dropped it: on a stateless server that is the loss.
   */
  private async listenForToolChanges(options: OpenOptions): Promise<void> {
    if (this.client.getProtocolEra() !== 'modern' || !this.client.getServerCapabilities()?.tools?.listChanged) return;
    let subscription: McpSubscription;
    const capabilities = this.client.getServerCapabilities();
    // What a gateway relays rides the same stream: one per connection, whatever it carries.
    const filter: SubscriptionFilter = {
      toolsListChanged: true,
      ...(options.onNotification && capabilities?.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(options.onNotification && capabilities?.prompts?.listChanged ? { promptsListChanged: true } : {}),
    };
    try {
      // Not given the connect's signal: that would end the stream with the connect. Its closing does.
      subscription = await untilAborted(this.client.listen(filter, { timeout: Math.min(options.timeoutMs, LISTEN_ACK_MS) }), options.signal);
    } catch (error) {
      // Refused (an error answer) or never acknowledged: the server works without the stream.
      if (error instanceof ProtocolError) return;
      if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout && !options.signal.aborted) return;
      throw error;
    }
    this.watchStream(subscription, filter);
  }

  /** The stream's end, unless we ended it (a new filter replaces it), is the connection's loss. */
  private watchStream(subscription: McpSubscription, filter: SubscriptionFilter): void {
    this.stream = { subscription, filter };
    void subscription.closed.then((how) => {
      if (how !== 'local' && this.opened && !this.closing) this.loseConnection('the server closed its notification stream');
    });
  }

  /**
   * A modern server has no `resources/subscribe`: its resource updates ride the notification stream,
   * whose filter names the URIs. The stream is opened again with the URIs wanted now, then the old one
   * closed (an update between the two arrives on one of them).
   */
  private async subscribeOnStream(uri: string, subscribe: boolean, options: ForwardOptions): Promise<Record<string, unknown>> {
    if (subscribe) this.resourceUris.add(uri);
    else this.resourceUris.delete(uri);
    const previous = this.stream;
    const base: SubscriptionFilter = { ...previous?.filter };
    delete base.resourceSubscriptions;
    const filter: SubscriptionFilter = this.resourceUris.size === 0 ? base : { ...base, resourceSubscriptions: [...this.resourceUris] };
    const subscription = await this.request('subscriptions/listen', options, ({ timeout }) => this.client.listen(filter, { timeout }));
    this.watchStream(subscription, filter);
    if (previous) await previous.subscription.close().catch(() => undefined);
    return {};
  }

  /**
   * Drops the server's notifications beyond its rate before the SDK parses and dispatches them. Done
   * once connected: the SDK's Client installs its own handler on the transport in connect().
   */
  private limitNotifications(): void {
    const transport: Transport = this.transport;
    const deliver = transport.onmessage;
    if (!deliver) return;
    transport.onmessage = (message, extra) => {
      if (!('method' in message) || 'id' in message || this.notifications.take(performance.now())) deliver(message, extra);
    };
  }

  private handleTransportClosed(): void {
    this.markTransportClosed();
    if (!this.opened || this.closing) return;
    this.markLost(this.describeClosure());
  }

  private handleTransportError(error: Error): void {
    if (!this.opened || this.closing || this.lossReason !== null) return;
    const config = this.target.transport;
    // A stdio loss is the process exit (onclose); its errors (a non-JSON line, EPIPE) are not fatal. A
    // supplied transport tells its loss by closing.
    if (config.type === 'stdio' || !isHttpTransport(this.transport)) return;
    const reason = connectionLossReason(error, this.transport, config.url);
    if (reason !== null) this.loseConnection(reason);
  }

  /** A loss the transport itself does not end: reported, and the client closed. */
  private loseConnection(reason: string): void {
    if (this.lossReason !== null) return;
    this.markLost(reason);
    // Closing rejects the requests still waiting for an answer that will not come.
    void this.client.close();
  }

  private describeClosure(): string {
    if (!(this.transport instanceof ProcessGroupStdioTransport)) {
      return (isHttpTransport(this.transport) ? undefined : this.transport.closeReason) ?? 'the transport closed';
    }
    const exit = this.transport.exit;
    const lastLine = this.stderrTail().at(-1);
    const what = exit ? `the server process ${describeExit(exit)}` : 'the server closed its output';
    return lastLine === undefined ? what : `${what} (last stderr: ${lastLine})`;
  }

  private markLost(reason: string): void {
    if (this.lossReason !== null) return;
    this.lossReason = this.redact(reason);
    const event: ConnectionEvent = { type: 'CONNECTION_LOST', reason: this.lossReason };
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener(event);
  }

  private emit(event: ConnectionEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

const ignoreProgress = (): void => undefined;

/** `params` with `entries` added to its `_meta`. */
function withMeta<P extends Record<string, unknown>>(params: P, entries: Readonly<Record<string, unknown>>): P & Record<string, unknown> {
  return { ...params, _meta: { ...(params._meta as Record<string, unknown> | undefined), ...entries } };
}

/**
 * The SDK's options for a tool call: the plain request's when the call asks for nothing more (the hot
 * path builds no other object). The SDK asks the server for progress only with a handler, and without
 * progress there is nothing to restart the timeout on.
 */
function sdkCallOptions(sdkOptions: SdkRequestOptions, options: CallToolOptions): SdkCallOptions {
  const { onProgress, resetTimeoutOnProgress, maxTotalTimeout, inputRequired } = options;
  if (onProgress === undefined && resetTimeoutOnProgress === undefined && maxTotalTimeout === undefined && inputRequired === undefined) return sdkOptions;
  return {
    ...sdkOptions,
    onprogress: onProgress ?? (resetTimeoutOnProgress ? ignoreProgress : undefined),
    resetTimeoutOnProgress,
    maxTotalTimeout,
    ...(inputRequired === undefined ? {} : { allowInputRequired: true }),
  };
}

/**
 * A failure that says the connection is unwell rather than that the server declined the call: a
 * timeout, a broken or refused connection, an HTTP 5xx, a failure nothing classified. An error answer
 * (JSON-RPC error, an oversized reply) comes from a live server.
 */
function isTransportFailure(error: unknown): boolean {
  if (error instanceof McpRequestError || error instanceof MessageTooLargeError || error instanceof NotConnectedError) return false;
  if (error instanceof HttpStatusError) return error.status >= 500;
  return error instanceof McpActorError;
}

function isEraNegotiationFailure(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.EraNegotiationFailed;
}

/** The tool as the server listed it: every field, unknown ones too, so that a gateway can pass it on. */
function toToolDescriptor(tool: Tool): ToolDescriptor {
  return { ...tool };
}
