// The gateway: the available part of a supervised fleet as one MCP server. It follows the supervisor's
// snapshots (a service's tools leave the catalogue when it leaves availability and return with it),
// keeps each service's resources and prompts as last listed, and tells connected clients of every change
// with one coalesced list_changed per kind. Each client session is a low-level SDK `Server`
// (gateway-server.ts) built on demand; every session shares the supervisor's one connection per service.

import {
  ProtocolError,
  ProtocolErrorCode,
  type Prompt,
  type Resource,
  type ResourceTemplateType as ResourceTemplate,
  type Server,
  type ServerNotifier,
  type Transport,
} from '@modelcontextprotocol/server';
import type { Tracer } from '@opentelemetry/api';
import type { Subscription } from 'rxjs';
import type { ForwardedMethod, ServerRequestMethod, ServiceNotification } from '../actors/connection.js';
import { DEFAULT_GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-section.js';
import { packageVersion } from '../package-version.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { InputRetry } from '../supervisor/call-options.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { buildCatalogue, exposureOf, inScope, ownerOfUri, type Catalogue, type Naming, type Scope, type ServiceExtras } from './catalogue.js';
import { FLEET_STATUS_URI } from './fleet-status.js';
import { createGatewayServer, type GatewaySession } from './gateway-server.js';
import { LAZY_TOOLS } from './lazy-tools.js';
import type { GatewayRequestObserver } from './observed-server.js';
import { GatewayTracing } from './gateway-tracing.js';
import { InputRelay } from './input-relay.js';
import { DEFAULT_PAGE_SIZE } from './list-page.js';

/** The `gateway:` settings a running gateway takes live (`reconfigure`); every key may be left out (its default applies). */
export type LiveGatewaySettings = Partial<Pick<GatewayConfig, 'namespace' | 'separator' | 'callWait' | 'mode' | 'expose'>>;

/** How a gateway shows the fleet; every key may be left out (the `gateway:` section's defaults apply). */
export interface GatewayOptions extends LiveGatewaySettings {
  /** The name and version the gateway gives clients (default `mcp-supervisor`, the package's version). */
  serverInfo?: { name: string; version: string };
  /** Changes within this window (ms) reach clients as one list_changed per kind (default 100). */
  listChangedDelayMs?: number;
  /** How long a tool call may go without news from its server: restarted at each progress notification, and not running while the server waits on its client's answer (ms, default 60 000). */
  callTimeoutMs?: number;
  /** Bound of each list request the gateway sends a service for its resources and prompts (ms, default 30 000). */
  listTimeoutMs?: number;
  /** Where the gateway's spans go (default: the global tracer provider's `mcp-supervisor` tracer, a no-op until a host registers an SDK). */
  tracer?: Tracer;
  /** Entries per page of the gateway's lists (default 100); a page holds one service's entries only. */
  pageSize?: number;
  /** Hears what the gateway cannot tell a client: names hidden by a conflict, lists that failed to load. */
  onWarning?: (message: string) => void;
  /** Hears every request a client session made: its method and how it ended (the `serve` metrics). */
  onRequest?: GatewayRequestObserver;
}

/** Which services a session sees: all (no agent), or the global ones and one agent's. */
export interface SessionOptions {
  agent?: string;
}

/** A 2026-07-28 listen stream's hold on resource subscriptions (see `Gateway.holdSubscriptions`). */
export interface ListenOptions extends SessionOptions {
  /**
   * Delivers a `notifications/resources/updated` for one held URI to the stream. Leave it out where the
   * stream hears updates otherwise (the HTTP handler's listen streams hear them through its notifier).
   */
  deliver?: (uri: string) => void;
}

/** The URIs one listen stream holds, each with the service that owns it (null: the gateway's own fleet status). */
interface ListenHold {
  uris: Map<string, string | null>;
  deliver: ((uri: string) => void) | undefined;
}

/** A listen stream subscribes the services to its first this many URIs; the rest are acknowledged by the SDK but get no updates. */
const MAX_LISTEN_SUBSCRIPTIONS = 100;
/** All listen streams together hold at most this many distinct URIs of services. */
const MAX_LISTEN_HELD_URIS = 10_000;

type ChangeKind = 'tools' | 'resources' | 'prompts';

type Session = GatewaySession;

/**
 * A call in flight, as the gateway relays to it: the log messages its server sends meanwhile, and the
 * server's requests to its client (sampling, elicitation, roots), which the call's client is asked in
 * the multi-round-trip flow (see input-relay.ts).
 */
export interface ActiveCall {
  session: GatewaySession;
  log(params: Record<string, unknown>): void;
  ask(request: { method: ServerRequestMethod; params?: Record<string, unknown> }, signal: AbortSignal): Promise<Record<string, unknown>>;
}

const MAX_LIST_PAGES = 100;

/** A gateway in front of a supervisor's fleet (see `createGateway`). */
export interface Gateway {
  /** A fresh MCP server for one client session; `track: false` for one stateless HTTP request (it gets no notifications). */
  createServer(session?: SessionOptions & { track?: boolean }): Server;
  /** Serves one client on `transport` (stdio, an in-memory pair, a session's HTTP transport…). */
  connect(transport: Transport, session?: SessionOptions): Promise<Server>;
  /** Tells a stateless HTTP handler's listen streams of every change too; returns how to stop. */
  addNotifier(notifier: ServerNotifier): () => void;
  /**
   * Holds the resource subscriptions of one 2026-07-28 `subscriptions/listen` stream: each URI the
   * session's scope may see is subscribed at the service that owns it (as a read is routed), counted
   * with every other holder, 2025-era sessions included, and renewed when the service reconnects. URIs
   * no available service owns subscribe nothing; so do those past a stream's first 100,
   * and new ones once all streams hold 10 000 distinct URIs. Returns the
   * release, to call when the stream ends: a service is unsubscribed when its URI's last holder is gone.
   */
  holdSubscriptions(uris: readonly string[], options?: ListenOptions): () => void;
  /** Sessions currently connected (stdio, 2025-era HTTP sessions, in-memory). */
  readonly sessionCount: number;
  /**
   * Applies new naming, `expose`, mode and `call_wait` settings; sessions stay connected, and are told
   * list_changed for each kind of list whose names the change alters. Keys left out take their defaults.
   */
  reconfigure(settings: LiveGatewaySettings): void;
  /** Stops following the fleet and closes every session; the supervisor keeps running. */
  close(): Promise<void>;
}

/** The gateway's state and what its sessions' handlers (gateway-server.ts) ask of it. */
export class FleetGateway implements Gateway {
  naming: Naming;
  mode: GatewayConfig['mode'];
  callWait: number;
  readonly callTimeoutMs: number;
  readonly pageSize: number;
  readonly serverInfo: { name: string; version: string };
  readonly onRequest: GatewayRequestObserver | undefined;
  /** Multi-round-trip requests in flight, whichever session their next round comes on. */
  readonly inputs = new InputRelay();
  /** A span per client request and per request sent a service for it. */
  readonly tracing: GatewayTracing;
  private readonly extras = new Map<string, ServiceExtras & { connectedTime: number | null; generation: number }>();
  private readonly seen = new Map<string, { available: boolean; tools: ServiceSnapshot['tools'] }>();
  private readonly sessions = new Set<Session>();
  private readonly notifiers = new Set<ServerNotifier>();
  /** The last catalogue built per scope, and what it was built from. */
  private readonly catalogues = new Map<Scope, { services: readonly ServiceSnapshot[]; extrasVersion: number; catalogue: Catalogue }>();
  /** Bumped whenever a service's resources or prompts change. */
  private extrasVersion = 0;
  /** The resource URIs clients subscribed to, per service: renewed when the service reconnects. */
  private readonly serviceSubscriptions = new Map<string, Set<string>>();
  /** The listen streams holding each URI (2025-era sessions hold theirs in `session.subscriptions`). */
  private readonly listenHolders = new Map<string, Set<ListenHold>>();
  /** Calls in flight per service, oldest first. */
  private readonly activeCalls = new Map<string, ActiveCall[]>();
  private readonly dirty = new Set<ChangeKind>();
  private flushTimer: NodeJS.Timeout | null = null;
  private fleetChanged = false;
  /** Conflicts already reported, so that each is said once. */
  private readonly reported = new Set<string>();
  private readonly subscription: Subscription;
  private readonly stopNotifications: () => void;
  private readonly stopRelaying: () => void;
  private closed = false;

  constructor(
    readonly supervisor: Supervisor,
    private readonly options: GatewayOptions = {},
  ) {
    ({ naming: this.naming, mode: this.mode, callWait: this.callWait } = liveSettings(supervisor, options));
    this.callTimeoutMs = options.callTimeoutMs ?? 60_000;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
    this.tracing = new GatewayTracing(options.tracer);
    this.serverInfo = options.serverInfo ?? { name: 'mcp-supervisor', version: packageVersion() };
    this.onRequest = options.onRequest;
    this.subscription = supervisor.services$.subscribe({ next: (services) => this.follow(services) });
    this.stopNotifications = supervisor.onServiceNotification((service, notification) => this.relay(service, notification));
    this.stopRelaying = supervisor.relayServerRequests((service, request, signal) => this.answerServerRequest(service, request, signal)).stop;
  }

  /** A fresh MCP server for one client session (or, with `track: false`, one stateless HTTP request). */
  createServer(session: SessionOptions & { track?: boolean } = {}): Server {
    const scope: Scope = session.agent;
    const state: Session = { server: null as unknown as Server, scope, subscriptions: new Set() };
    const server = createGatewayServer(this, state);
    state.server = server;
    if (session.track !== false) {
      this.sessions.add(state);
      const previous = server.onclose;
      server.onclose = () => {
        this.sessions.delete(state);
        this.releaseSubscriptions(state.subscriptions);
        previous?.();
      };
    }
    return server;
  }

  /** Serves one client on `transport` (stdio, an in-memory pair, a session's HTTP transport…). */
  async connect(transport: Transport, session: SessionOptions = {}): Promise<Server> {
    const server = this.createServer(session);
    await server.connect(transport);
    return server;
  }

  /** Tells the listen streams of a stateless HTTP handler of every change too. */
  addNotifier(notifier: ServerNotifier): () => void {
    this.notifiers.add(notifier);
    return () => this.notifiers.delete(notifier);
  }

  /** Holds a listen stream's resource subscriptions (see `Gateway.holdSubscriptions`). */
  holdSubscriptions(uris: readonly string[], options: ListenOptions = {}): () => void {
    if (this.closed) return () => undefined;
    const catalogue = this.catalogue(options.agent);
    const hold: ListenHold = { uris: new Map(), deliver: options.deliver };
    const wanted = [...new Set(uris)];
    if (wanted.length > MAX_LISTEN_SUBSCRIPTIONS) {
      this.warn(`a listen stream asked for ${wanted.length} resource subscriptions: only its first ${MAX_LISTEN_SUBSCRIPTIONS} URIs are subscribed at their services`);
    }
    for (const uri of wanted.slice(0, MAX_LISTEN_SUBSCRIPTIONS)) {
      if (uri === FLEET_STATUS_URI) {
        hold.uris.set(uri, null);
        this.listenHolders.set(uri, (this.listenHolders.get(uri) ?? new Set()).add(hold));
        continue;
      }
      const owner = ownerOfUri(catalogue, uri);
      if (!owner?.available) continue;
      const first = !this.isHeld(uri);
      if (first && this.listenHolders.size >= MAX_LISTEN_HELD_URIS) {
        this.warn(`listen streams already hold ${MAX_LISTEN_HELD_URIS} resource subscriptions: ${uri} is not subscribed at service '${owner.service}'`);
        break;
      }
      hold.uris.set(uri, owner.service);
      this.listenHolders.set(uri, (this.listenHolders.get(uri) ?? new Set()).add(hold));
      if (first) this.subscribeService(owner.service, uri);
    }
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      for (const uri of hold.uris.keys()) {
        const holders = this.listenHolders.get(uri);
        holders?.delete(hold);
        if (holders?.size === 0) this.listenHolders.delete(uri);
      }
      this.releaseSubscriptions(hold.uris.keys());
    };
  }

  /** Sessions currently connected (stdio, legacy HTTP sessions, in-memory). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Applies new live settings (see `Gateway.reconfigure`). */
  reconfigure(settings: LiveGatewaySettings): void {
    const scopes = [undefined, ...new Set([...this.sessions].map((session) => session.scope))];
    const listed = () => scopes.map((scope) => listedNames(this.catalogue(scope), this.mode));
    const before = listed();
    const previous = this.naming;
    ({ naming: this.naming, mode: this.mode, callWait: this.callWait } = liveSettings(this.supervisor, settings));
    this.catalogues.clear();
    // Resources or prompts a service now shows were never listed: list them (that tells clients in turn).
    for (const snapshot of this.supervisor.listServices()) {
      if (!snapshot.available) continue;
      const was = exposureOf(previous, snapshot.key);
      const now = exposureOf(this.naming, snapshot.key);
      const kinds = [...(now.resources && !was.resources ? ['resources' as const] : []), ...(now.prompts && !was.prompts ? ['prompts' as const] : [])];
      if (kinds.length > 0) void this.loadExtras(snapshot, kinds);
    }
    const after = listed();
    for (const kind of ['tools', 'resources', 'prompts'] as const) {
      if (before.some((names, index) => names[kind] !== after[index]?.[kind])) this.markDirty(kind);
    }
    this.scheduleFlush();
  }

  /** Stops following the fleet and closes every session; the supervisor keeps running. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscription.unsubscribe();
    this.stopNotifications();
    this.stopRelaying();
    this.inputs.close();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await Promise.all([...this.sessions].map((session) => session.server.close().catch(() => undefined)));
    this.sessions.clear();
  }

  /** The catalogue a session in `scope` sees now. */
  catalogue(scope: Scope): Catalogue {
    const services = this.servicesIn(scope);
    const cached = this.catalogues.get(scope);
    // Snapshots are immutable and replaced on every change: the same ones mean the same catalogue.
    if (cached && cached.extrasVersion === this.extrasVersion && sameItems(cached.services, services)) return cached.catalogue;
    const catalogue = buildCatalogue(services, this.extras, this.naming);
    this.catalogues.set(scope, { services, extrasVersion: this.extrasVersion, catalogue });
    return catalogue;
  }

  /** The services a session in `scope` sees, as they are now (not as the last batched emission had them). */
  servicesIn(scope: Scope): ServiceSnapshot[] {
    return this.supervisor.listServices().filter((service) => inScope(service, scope));
  }

  /**
   * A client's roots changed: each available service it can see is told, so that a 2025-era server
   * asks `roots/list` again (its next request reaches whichever client's call is running then).
   */
  async rootsChanged(scope: Scope): Promise<void> {
    const available = this.servicesIn(scope).filter((service) => service.available);
    await Promise.all(available.map((service) => this.supervisor.notifyRootsChanged(service.key).catch(() => undefined)));
  }

  /** Sends a forwarded request (resources, prompts, completions) to a service. */
  forward(
    service: string,
    method: ForwardedMethod,
    params: Record<string, unknown> | undefined,
    signal: AbortSignal,
    retry?: InputRetry,
    meta?: Record<string, string>,
  ): Promise<Record<string, unknown>> {
    return this.supervisor.requestService(service, method, params, {
      signal,
      timeoutMs: this.callTimeoutMs,
      ...(retry === undefined ? {} : { inputRequired: retry }),
      ...(meta === undefined ? {} : { meta }),
    });
  }

  /** While a call to `service` runs, its server's log messages and requests to its client go to `call`. */
  duringCall(service: string, call: ActiveCall): () => void {
    const calls = this.activeCalls.get(service) ?? [];
    this.activeCalls.set(service, [...calls, call]);
    return () => {
      const left = (this.activeCalls.get(service) ?? []).filter((candidate) => candidate !== call);
      if (left.length === 0) this.activeCalls.delete(service);
      else this.activeCalls.set(service, left);
    };
  }

  /**
   * Notes a client's subscription to `uri` of `service` (`on`) or its end, so that the gateway renews
   * the service's subscriptions on each new connection (a restarted server knows none).
   */
  noteSubscription(service: string, uri: string, on: boolean): void {
    const uris = this.serviceSubscriptions.get(service) ?? new Set<string>();
    if (on) uris.add(uri);
    else uris.delete(uri);
    if (uris.size === 0) this.serviceSubscriptions.delete(service);
    else this.serviceSubscriptions.set(service, uris);
  }

  /** Whether another session or a listen stream still holds a subscription to `uri` (then the server keeps it). */
  subscribedElsewhere(uri: string, except: Session): boolean {
    return this.listenHolders.has(uri) || [...this.sessions].some((session) => session !== except && session.subscriptions.has(uri));
  }

  warn(message: string): void {
    this.options.onWarning?.(message);
  }

  // ── resource subscriptions ────────────────────────────────────────────────────────────────

  /** Whether any session or listen stream holds a subscription to `uri`. */
  private isHeld(uri: string): boolean {
    return this.listenHolders.has(uri) || [...this.sessions].some((session) => session.subscriptions.has(uri));
  }

  /** Subscribes `service` to `uri` for a listen stream; noted first, so that a service away now is subscribed when it is back. */
  private subscribeService(service: string, uri: string) {
    this.noteSubscription(service, uri, true);
    this.forward(service, 'resources/subscribe', { uri }, AbortSignal.timeout(this.callTimeoutMs)).catch((error: unknown) => {
      if (this.closed) return;
      this.warn(`could not subscribe to ${uri} of service '${service}' for a listen stream: ${error instanceof Error ? error.message : String(error)}`);
    });
  }

  /** A holder let go of `uris`: each one nobody holds any more is unsubscribed at its service. */
  private releaseSubscriptions(uris: Iterable<string>) {
    if (this.closed) return;
    for (const uri of uris) {
      if (this.isHeld(uri)) continue;
      const service = [...this.serviceSubscriptions].find(([, held]) => held.has(uri))?.[0];
      if (service === undefined) continue;
      this.noteSubscription(service, uri, false);
      this.forward(service, 'resources/unsubscribe', { uri }, AbortSignal.timeout(this.callTimeoutMs)).catch(() => undefined);
    }
  }

  // ── following the fleet ───────────────────────────────────────────────────────────────────

  private follow(services: ReadonlyMap<string, ServiceSnapshot>) {
    this.fleetChanged = true;
    for (const [key, snapshot] of services) {
      const before = this.seen.get(key);
      if (!before || before.available !== snapshot.available || before.tools !== snapshot.tools) {
        this.markDirty('tools');
        if (before?.available !== snapshot.available) {
          this.markDirty('resources');
          this.markDirty('prompts');
        }
        this.seen.set(key, { available: snapshot.available, tools: snapshot.tools });
      }
      const extras = this.extras.get(key);
      // A new connection may come with other resources and prompts: list them again.
      if (snapshot.available && (!extras || extras.connectedTime !== snapshot.metadata.connectedTime)) {
        void this.loadExtras(snapshot, ['resources', 'prompts']);
        if (extras) this.renewSubscriptions(key);
      }
    }
    for (const key of [...this.seen.keys()]) {
      if (services.has(key)) continue;
      this.seen.delete(key);
      this.extras.delete(key);
      this.extrasVersion += 1;
      for (const kind of ['tools', 'resources', 'prompts'] as const) this.markDirty(kind);
    }
    this.scheduleFlush();
  }

  private relay(service: string, notification: ServiceNotification) {
    if (this.closed) return;
    const snapshot = this.supervisor.listServices().find((candidate) => candidate.key === service);
    switch (notification.method) {
      case 'notifications/resources/list_changed':
        if (snapshot?.available) void this.loadExtras(snapshot, ['resources']);
        return;
      case 'notifications/prompts/list_changed':
        if (snapshot?.available) void this.loadExtras(snapshot, ['prompts']);
        return;
      case 'notifications/resources/updated': {
        const uri = notification.params?.uri;
        if (typeof uri !== 'string') return;
        for (const session of this.sessions) {
          if (session.subscriptions.has(uri)) void session.server.sendResourceUpdated({ uri }).catch(() => undefined);
        }
        for (const hold of this.listenHolders.get(uri) ?? []) hold.deliver?.(uri);
        for (const notifier of this.notifiers) notifier.resourceUpdated(uri);
        return;
      }
      case 'notifications/message': {
        const params = notification.params ?? {};
        // A 2025-era server's log message says nothing of the request it belongs to: during one client's
        // calls it is theirs; while calls of several clients run it could be any one's, and goes to none.
        const during = this.activeCalls.get(service);
        if (during && during.length > 0) {
          if (new Set(during.map((call) => call.session)).size === 1) for (const call of during) call.log(params);
          return;
        }
        if (typeof params.level !== 'string') return;
        for (const session of this.sessions) {
          if (!snapshot || !inScope(snapshot, session.scope)) continue;
          void session.server.sendLoggingMessage(params as Parameters<Server['sendLoggingMessage']>[0]).catch(() => undefined);
        }
      }
    }
  }

  /**
   * A 2025-era server's request to its client (a 2026-07-28 server's come back with its call), relayed
   * to the client whose call to that server is running, if it declared the capability: only that client
   * is asked. Such a request says nothing of the call it belongs to, so while calls of several clients
   * to the server run the gateway asks none of them (it could be asking the wrong one) and the server
   * gets an error answer, as it does with no such call.
   */
  private answerServerRequest(
    service: string,
    request: { method: ServerRequestMethod; params?: Record<string, unknown> },
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const running = this.activeCalls.get(service) ?? [];
    if (new Set(running.map((call) => call.session)).size > 1) {
      return Promise.reject(
        new ProtocolError(
          ProtocolErrorCode.InternalError,
          `${request.method}: calls of several clients of the gateway to '${service}' are running, and the request does not say whose call it belongs to`,
        ),
      );
    }
    const call = running.filter((candidate) => clientOffers(candidate.session.server, request)).at(-1);
    if (!call) {
      return Promise.reject(
        new ProtocolError(ProtocolErrorCode.MethodNotFound, `${request.method}: no client of the gateway that offers it has a call to '${service}' running`),
      );
    }
    return call.ask(request, signal);
  }

  /** Subscribes a service's new connection to every resource clients are subscribed to. */
  private renewSubscriptions(service: string) {
    for (const uri of this.serviceSubscriptions.get(service) ?? []) {
      const signal = AbortSignal.timeout(this.options.listTimeoutMs ?? 30_000);
      this.forward(service, 'resources/subscribe', { uri }, signal).catch((error: unknown) => {
        if (this.closed) return;
        this.warn(`could not renew the subscription to ${uri} of service '${service}': ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  }

  /** Lists a service's resources, templates and prompts (the kinds asked), as its server and `expose` allow. */
  private async loadExtras(snapshot: ServiceSnapshot, kinds: readonly ('resources' | 'prompts')[]) {
    const key = snapshot.key;
    const current = this.extras.get(key);
    const entry = {
      resources: current?.resources ?? [],
      templates: current?.templates ?? [],
      prompts: current?.prompts ?? [],
      connectedTime: snapshot.metadata.connectedTime,
      generation: (current?.generation ?? 0) + 1,
    };
    this.extras.set(key, entry);
    const capabilities = this.supervisor.serverCapabilities(key);
    const exposure = exposureOf(this.naming, key);
    const signal = AbortSignal.timeout(this.options.listTimeoutMs ?? 30_000);
    try {
      const wantResources = kinds.includes('resources') && exposure.resources && capabilities?.resources !== undefined;
      const wantPrompts = kinds.includes('prompts') && exposure.prompts && capabilities?.prompts !== undefined;
      const [resources, templates, prompts] = await Promise.all([
        wantResources ? this.listAll(key, 'resources/list', 'resources', signal) : null,
        wantResources ? this.listAll(key, 'resources/templates/list', 'resourceTemplates', signal) : null,
        wantPrompts ? this.listAll(key, 'prompts/list', 'prompts', signal) : null,
      ]);
      // A newer load (another connection, another list_changed) supersedes this one.
      if (this.extras.get(key)?.generation !== entry.generation) return;
      // The SDK client validated each list against the protocol's schema.
      this.extrasVersion += 1;
      if (resources) entry.resources = resources as Resource[];
      if (templates) entry.templates = templates as ResourceTemplate[];
      if (prompts) entry.prompts = prompts as Prompt[];
      if (resources || templates) this.markDirty('resources');
      if (prompts) this.markDirty('prompts');
      this.scheduleFlush();
    } catch (error) {
      if (this.closed) return;
      this.warn(`could not list the resources and prompts of service '${key}': ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async listAll(service: string, method: ForwardedMethod, field: string, signal: AbortSignal): Promise<unknown[]> {
    const items: unknown[] = [];
    let cursor: unknown;
    for (let page = 0; page < MAX_LIST_PAGES; page += 1) {
      const result = await this.forward(service, method, typeof cursor === 'string' ? { cursor } : undefined, signal);
      const listed = result[field];
      if (Array.isArray(listed)) items.push(...(listed as unknown[]));
      cursor = result.nextCursor;
      if (typeof cursor !== 'string' || cursor === '') break;
    }
    return items;
  }

  private markDirty(kind: ChangeKind) {
    this.dirty.add(kind);
  }

  private scheduleFlush() {
    if (this.closed || this.flushTimer || (this.dirty.size === 0 && !this.fleetChanged)) return;
    this.flushTimer = setTimeout(() => this.flush(), this.options.listChangedDelayMs ?? 100);
    this.flushTimer.unref();
  }

  /** One list_changed per changed kind to every session and listen stream; `resources/updated` for the fleet status. */
  private flush() {
    this.flushTimer = null;
    const kinds = [...this.dirty];
    this.dirty.clear();
    const fleetChanged = this.fleetChanged;
    this.fleetChanged = false;
    for (const session of this.sessions) {
      const server = session.server;
      const send = (promise: Promise<void> | void) => void Promise.resolve(promise).catch(() => undefined);
      try {
        if (kinds.includes('tools')) send(server.sendToolListChanged());
        if (kinds.includes('resources')) send(server.sendResourceListChanged());
        if (kinds.includes('prompts')) send(server.sendPromptListChanged());
        if (fleetChanged && session.subscriptions.has(FLEET_STATUS_URI)) send(server.sendResourceUpdated({ uri: FLEET_STATUS_URI }));
      } catch {
        // A session whose transport is closing: it is about to leave the set.
      }
    }
    if (fleetChanged) for (const hold of this.listenHolders.get(FLEET_STATUS_URI) ?? []) hold.deliver?.(FLEET_STATUS_URI);
    for (const notifier of this.notifiers) {
      if (fleetChanged) notifier.resourceUpdated(FLEET_STATUS_URI);
      if (kinds.includes('tools')) notifier.toolsChanged();
      if (kinds.includes('resources')) notifier.resourcesChanged();
      if (kinds.includes('prompts')) notifier.promptsChanged();
    }
    for (const conflict of kinds.includes('tools') ? this.catalogue(undefined).conflicts : []) {
      if (this.reported.has(conflict)) continue;
      this.reported.add(conflict);
      this.warn(conflict);
    }
  }
}

/** The settings in effect for `settings`, defaults filled in; namespace by default `none` for a one-service fleet. */
function liveSettings(supervisor: Supervisor, settings: LiveGatewaySettings): { naming: Naming; mode: GatewayConfig['mode']; callWait: number } {
  const namespace = settings.namespace ?? (supervisor.listServices().length === 1 ? 'none' : 'prefix');
  return {
    naming: { namespace, separator: settings.separator ?? DEFAULT_GATEWAY_CONFIG.separator, expose: settings.expose ?? {} },
    mode: settings.mode ?? DEFAULT_GATEWAY_CONFIG.mode,
    callWait: settings.callWait ?? DEFAULT_GATEWAY_CONFIG.callWait,
  };
}

/** What a client's lists show of `catalogue`, one string per kind, to tell whether a reconfiguration changed them. */
function listedNames(catalogue: Catalogue, mode: GatewayConfig['mode']): Record<ChangeKind, string> {
  return {
    tools: mode === 'lazy' ? LAZY_TOOLS.map((tool) => tool.name).join('\n') : catalogue.tools.map((entry) => entry.name).join('\n'),
    resources: [...catalogue.resources.map((entry) => entry.resource.uri), ...catalogue.templates.map((entry) => entry.template.uriTemplate)].join('\n'),
    prompts: catalogue.prompts.map((entry) => entry.name).join('\n'),
  };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** Whether the session's client declared the capability the server's request needs. */
function clientOffers(server: Server, request: { method: ServerRequestMethod; params?: Record<string, unknown> }): boolean {
  const capabilities = server.getClientCapabilities();
  if (request.method === 'sampling/createMessage') return capabilities?.sampling !== undefined;
  if (request.method === 'roots/list') return capabilities?.roots !== undefined;
  const elicitation = capabilities?.elicitation;
  if (elicitation === undefined) return false;
  // A client that declared elicitation without modes supports the form mode only.
  return request.params?.mode !== 'url' || elicitation.url !== undefined;
}

/** A gateway in front of `supervisor`'s fleet; connect clients with `gateway.connect(transport)` or serve it over HTTP. */
export function createGateway(supervisor: Supervisor, options: GatewayOptions = {}): Gateway {
  return new FleetGateway(supervisor, options);
}
