// A ConnectionLayer over in-process MCP servers: the product's own connection code (McpConnections,
// McpConnection, the connection actor) over the SDK's in-memory transport, with each service's faults
// scripted, and what the statechart asked of it recorded for a test to read.

import type { CallToolResult } from '@modelcontextprotocol/client';
import type { ProbedConnection } from '../actors/connection-actor.js';
import { McpConnections } from '../actors/connection-registry.js';
import { createMcpActors } from '../actors/mcp-actors.js';
import type { TransportConfig } from '../config/transport.js';
import type { ConnectInput, DisconnectInput, ListToolsInput, ServiceActors, ServiceRef } from '../machines/service-io.js';
import type { ConnectionDiagnostics, ConnectionLayer, ToolCallOptions } from '../supervisor/connection-layer.js';
import { ScriptedLink, type LinkClock } from './scripted-link.js';
import { defaultScript, type ServiceScript } from './service-script.js';

/** One invocation of a statechart actor: its input, the signal XState aborts when the state is left, and when. */
export interface ActorCall<I> {
  input: I;
  signal: AbortSignal;
  /** The layer's clock at the call. */
  at: number;
}

/** One health probe sent on a connection. */
export interface ProbeCall extends Pick<ServiceRef, 'serviceKey'> {
  connectionId: string;
  /** The bound the probe was sent with (the SDK gives it up then). */
  timeoutMs: number;
  /** The layer's clock when it was sent. */
  at: number;
  /** How it ended: still waiting, answered (the server is alive), or failed. */
  outcome: 'pending' | 'answered' | 'failed';
}

/** What the statechart and the supervisor asked of the layer, in order. */
export interface LayerCalls {
  connect: ActorCall<ConnectInput>[];
  ping: ProbeCall[];
  listTools: ActorCall<ListToolsInput>[];
  disconnect: ActorCall<DisconnectInput>[];
}

export interface InMemoryConnectionsOptions {
  /**
   * The clock scripted delays run on and probes are timed with: give the supervisor's VirtualClock in
   * tests. Default: the real clock.
   */
  clock?: LinkClock;
  /** The defaults of every service's script (see `InMemoryConnections.defaults`). */
  script?: Partial<ServiceScript>;
  /** Budget for closing a connection when no caller gives one (unregister, closeAll). Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * Keep a record of every invocation and probe in `calls` (default true). A benchmark turns it off:
   * `probesSent` still counts the probes.
   */
  recordCalls?: boolean;
}

const realClock: LinkClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
};

/**
 * The I/O side of a supervisor (`createSupervisor(config, { connections, clock })`) or of a bare
 * service statechart (`serviceMachine.provide({ actors: layer.actors })`, after `register`), served by
 * in-process MCP servers of either protocol era. It runs the code the product runs against real
 * servers — connect with era negotiation, paginated `tools/list`, probes, tool calls, loss detection,
 * closes — over the SDK's in-memory transport, and lets a test script each service's faults
 * ({@link ServiceScript}): a refused or hanging connect, probes refused, hanging or slow, a server
 * that dies, tool calls that hang, time out or die mid-call, changed or long tool lists.
 *
 * Hangs end at the statechart's own timeouts (delayed transitions on the supervisor's clock) or when
 * the connection closes; delays run on the `clock` given, so in virtual time nothing waits for real.
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const connections = new InMemoryConnections({ clock, script: { era: 'modern' } });
 * const supervisor = await createSupervisor(config, { connections, clock });
 * supervisor.start();
 * await clock.advance(0);
 * connections.script('weather').ping = 'hang';
 * await clock.advanceUntil(() => supervisor.getServiceInfo('weather').state === 'WARNING', 3_600_000);
 * ```
 */
export class InMemoryConnections implements ConnectionLayer {
  /** What every service does unless its own script says otherwise; change it at any time. */
  readonly defaults: ServiceScript;
  /** Every actor invocation and probe so far. */
  readonly calls: LayerCalls = { connect: [], ping: [], listTools: [], disconnect: [] };
  /** The transports registered, by service key (the real, unredacted settings the supervisor gave). */
  readonly registered = new Map<string, TransportConfig>();
  /** Service keys unregistered, in order. */
  readonly unregistered: string[] = [];
  /** How many times `closeAll` was called. */
  closeAllCalls = 0;
  /** The most probes that were in flight on one connection at once (the statechart must never overlap them). */
  maxConcurrentPings = 0;
  /** Health probes sent so far (a probe that passive health answered from a tool call is not sent). */
  probesSent = 0;
  readonly actors: ServiceActors;
  private readonly clock: LinkClock;
  private readonly registry: McpConnections;
  private readonly scripts = new Map<string, Partial<ServiceScript>>();
  private readonly links = new Map<string, Set<ScriptedLink>>();
  private watchers = 0;
  /** Connection actors watching each connection now. */
  private readonly watchersOf = new Map<ProbedConnection, number>();
  private readonly recordCalls: boolean;
  private readonly processListeners = new Set<(serviceKey: string, pid: number | null) => void>();

  constructor(options: InMemoryConnectionsOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.recordCalls = options.recordCalls ?? true;
    this.defaults = { ...defaultScript(), ...options.script };
    this.registry = new McpConnections({
      closeTimeoutMs: options.closeTimeoutMs,
      transport: (target) => this.link(target.serviceKey),
    });
    const now = () => this.clock.now();
    const record = this.recordCalls;
    this.actors = createMcpActors(this.registry, {
      now,
      observe: {
        ...(record
          ? {
              connect: (input: ConnectInput, signal: AbortSignal) => this.calls.connect.push({ input, signal, at: now() }),
              listTools: (input: ListToolsInput, signal: AbortSignal) => this.calls.listTools.push({ input, signal, at: now() }),
              disconnect: (input: DisconnectInput, signal: AbortSignal) => this.calls.disconnect.push({ input, signal, at: now() }),
            }
          : {}),
        connection: (serviceKey, connectionId, live) => this.watched(serviceKey, connectionId, live),
      },
    });
  }

  /**
   * The script of one service: its own settings, over `defaults` for whatever it leaves out.
   * Change a field to change what the service does from its next request (or connect) on.
   */
  script(serviceKey: string): Partial<ServiceScript> {
    let script = this.scripts.get(serviceKey);
    if (!script) {
      script = {};
      this.scripts.set(serviceKey, script);
    }
    return script;
  }

  /** Connection actors running (one per service while it is HEALTHY or WARNING). */
  get activeWatchers(): number {
    return this.watchers;
  }

  /**
   * The live connection of each registered service that has one (or of `serviceKey`): the product's
   * own connection objects, to probe or watch directly (a benchmark's loop without the statechart).
   */
  liveConnections(serviceKey?: string): ProbedConnection[] {
    const keys = serviceKey === undefined ? [...this.registered.keys()] : [serviceKey];
    return keys.flatMap((key) => {
      const connection = this.registry.connection(key);
      return connection && connection.lost === null ? [connection] : [];
    });
  }

  /** How many connection actors watch each live connection: the number of connections, by watcher count. */
  watchersPerConnection(): Map<number, number> {
    const tally = new Map<number, number>();
    for (const connection of this.liveConnections()) {
      const watchers = this.watchersOf.get(connection) ?? 0;
      tally.set(watchers, (tally.get(watchers) ?? 0) + 1);
    }
    return tally;
  }

  /** Open connections (the statechart's, and any being opened or closed). */
  openConnections(serviceKey?: string): number {
    let count = 0;
    for (const [key, links] of this.links) if (serviceKey === undefined || key === serviceKey) for (const link of links) if (link.open) count += 1;
    return count;
  }

  /** The server of each open connection (of one service, or of all) dies: the connection is lost with `reason`. */
  loseConnection(reason = 'process exited with code 1', serviceKey?: string): void {
    for (const link of this.openLinks(serviceKey)) link.drop(reason);
  }

  /** The server of each open connection (of one service, or of all) sends `notifications/tools/list_changed`. */
  toolsChanged(serviceKey?: string): void {
    for (const link of this.openLinks(serviceKey)) link.toolsChanged();
  }

  register(serviceKey: string, transport: TransportConfig): void {
    this.registered.set(serviceKey, transport);
    this.registry.register(serviceKey, transport);
  }

  async unregister(serviceKey: string, timeoutMs?: number): Promise<void> {
    this.registered.delete(serviceKey);
    this.unregistered.push(serviceKey);
    const ending = this.endHanging(serviceKey);
    await Promise.all([this.registry.unregister(serviceKey, timeoutMs), ending]);
  }

  /**
   * Hears each connection a stdio service opens, as the start of its server's process (with no pid:
   * the in-process server stands in for the process a real layer would spawn).
   */
  onProcessStarted(listener: (serviceKey: string, pid: number | null) => void): () => void {
    this.processListeners.add(listener);
    return () => this.processListeners.delete(listener);
  }

  callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    return this.registry.callTool(serviceKey, tool, args, options);
  }

  diagnostics(serviceKey: string): ConnectionDiagnostics | null {
    return this.registry.diagnostics(serviceKey);
  }

  /** Closes every connection; a close scripted to hang is ended at once (what a kill does). */
  async closeAll(timeoutMs?: number): Promise<void> {
    this.closeAllCalls += 1;
    const ending = this.endHanging();
    await Promise.all([this.registry.closeAll(timeoutMs), ending]);
  }

  /** The script a service's connection follows: its own fields over the defaults, read afresh each time. */
  private effective(serviceKey: string): ServiceScript {
    return { ...this.defaults, ...this.scripts.get(serviceKey) };
  }

  private link(serviceKey: string): ScriptedLink {
    let links = this.links.get(serviceKey);
    if (!links) {
      links = new Set();
      this.links.set(serviceKey, links);
    }
    const owner = links;
    const link: ScriptedLink = new ScriptedLink(serviceKey, () => this.effective(serviceKey), this.clock, () => {
      owner.delete(link);
      if (owner.size === 0 && this.links.get(serviceKey) === owner) this.links.delete(serviceKey);
    });
    links.add(link);
    if (this.registered.get(serviceKey)?.type === 'stdio') for (const listener of [...this.processListeners]) listener(serviceKey, null);
    return link;
  }

  private openLinks(serviceKey?: string): ScriptedLink[] {
    const found: ScriptedLink[] = [];
    for (const [key, links] of this.links) {
      if (serviceKey !== undefined && key !== serviceKey) continue;
      for (const link of links) if (link.open) found.push(link);
    }
    return found;
  }

  /** Ends the service's connections at once, so that a close scripted to hang does not hold up a last-resort close. */
  private async endHanging(serviceKey?: string): Promise<void> {
    await Promise.all(this.openLinks(serviceKey).map((link) => link.end()));
  }

  /**
   * What a starting connection actor gets: the live McpConnection, watched so that probes and watchers
   * are counted — or a throw, when the script says the actor crashes.
   */
  private watched(serviceKey: string, connectionId: string, live: ProbedConnection | null): ProbedConnection | null {
    const own = this.scripts.get(serviceKey);
    const holder = own?.crashWatcher !== undefined ? own : this.defaults;
    if (holder.crashWatcher) {
      if (holder.crashWatcher === 'once') holder.crashWatcher = false;
      throw new Error(`the connection actor of ${serviceKey} failed as it started (a scripted crash)`);
    }
    if (!live) return null;
    const link = [...(this.links.get(serviceKey) ?? [])].reverse().find((candidate) => candidate.open);
    if (link && link.connectionId === null) link.connectionId = connectionId;
    if (!this.recordCalls) return this.counted(live);
    let inFlight = 0;
    return {
      get succeededCalls() {
        return live.succeededCalls;
      },
      ping: (options) => {
        this.probesSent += 1;
        const call: ProbeCall = { serviceKey, connectionId, timeoutMs: options.timeoutMs, at: this.clock.now(), outcome: 'pending' };
        this.calls.ping.push(call);
        inFlight += 1;
        this.maxConcurrentPings = Math.max(this.maxConcurrentPings, inFlight);
        return live.ping(options).then(
          () => {
            inFlight -= 1;
            call.outcome = 'answered';
          },
          (error: unknown) => {
            inFlight -= 1;
            call.outcome = 'failed';
            throw error;
          },
        );
      },
      watch: (listener) => this.watch(live, listener),
    };
  }

  /** The connection with its probes counted (no record kept). */
  private counted(live: ProbedConnection): ProbedConnection {
    return {
      get succeededCalls() {
        return live.succeededCalls;
      },
      ping: (options) => {
        this.probesSent += 1;
        return live.ping(options);
      },
      watch: (listener) => this.watch(live, listener),
    };
  }

  /** Watches `live` for a connection actor, counted in `activeWatchers` until it stops. */
  private watch(live: ProbedConnection, listener: Parameters<ProbedConnection['watch']>[0]): () => void {
    this.watchers += 1;
    this.watchersOf.set(live, (this.watchersOf.get(live) ?? 0) + 1);
    const unwatch = live.watch(listener);
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      this.watchers -= 1;
      const left = (this.watchersOf.get(live) ?? 1) - 1;
      if (left > 0) this.watchersOf.set(live, left);
      else this.watchersOf.delete(live);
      unwatch();
    };
  }
}
