// The public API: a supervisor that owns a fleet of service actors and publishes their
// snapshots, transitions and metrics as RxJS streams.

import type { CallToolResult, InputRequiredResult, ServerCapabilities } from '@modelcontextprotocol/client';
import { Subject, type Observable } from 'rxjs';
import { createActor, fromPromise, toPromise, type Actor, type InspectionEvent, type Observer, type Subscription } from 'xstate';
import { McpConnections } from '../actors/connection-registry.js';
import type { ForwardedMethod, ServerRequestHandler, ServiceNotification } from '../actors/connection.js';
import { diffFleetConfig, type FleetDiff } from '../config/diff.js';
import { loadConfigFile, type LoadOptions } from '../config/load.js';
import type { FleetConfig, ServiceConfig } from '../config/model.js';
import { parseServiceConfig } from '../config/service-config.js';
import { isRedactedTransport, redactTransport, TransportConfigSchema, type RealTransportConfig } from '../config/transport.js';
import { watchConfigFile } from '../config/watch.js';
import {
  DEFAULT_SUPERVISOR_SETTINGS,
  resolveLifecycleConfig,
  type LifecycleConfig,
  type SupervisorSettings,
} from '../machines/defaults.js';
import type { ServiceMachineInput } from '../machines/service.context.js';
import {
  AVAILABLE,
  AVAILABLE_STATES,
  lifecycleState,
  serviceMachine,
  type ServiceEvent,
  type ServiceState,
} from '../machines/service.machine.js';
import type { ConnectInput, ConnectOutput, ServiceActors, ToolDescriptor } from '../machines/service-io.js';
import { serviceKey } from '../machines/service-key.js';
import { ConnectQueue } from './connect-queue.js';
import type { CallOptions, InputRetry } from './call-options.js';
import type { ConnectionDiagnostics, ConnectionLayer } from './connection-layer.js';
import {
  ConfigFileRequiredError,
  DuplicateServiceError,
  HealthCheckTimeoutError,
  RedactedTransportError,
  ServiceNotFoundError,
  ServiceUnavailableError,
  SupervisorStoppedError,
  ToolNotFoundError,
  WaitTimeoutError,
} from './errors.js';
import type { FleetMetrics } from './fleet-metrics.js';
import { FleetStreams } from './fleet-streams.js';
import type { ConnectAttempt, Probe, ProcessStart } from './check-events.js';
import type { Cause, StopCause } from '../machines/transition-cause.js';
import type { ServiceSnapshot } from './service-snapshot.js';
import { indexSchedulerBySource } from './scheduler-index.js';
import { waitForSnapshot } from './service-wait.js';
import { realClock, type SupervisorClock } from './supervisor-clock.js';
import { callToolWithinBounds, DEFAULT_CALL_MS, NO_CALL_OPTIONS, type ToolCallRoute } from './tool-call.js';
import {
  STOP_GRACE_MS,
  supervisorMachine,
  type ServiceActorRef,
  type SupervisorEmitted,
  type SupervisorMachine,
} from './supervisor.machine.js';
import type { Transition } from './transition.js';

/** One service to supervise: what the YAML loader produces, or what `addService` takes. */
export interface ServiceSpec {
  /** The service's name within its scope. */
  name: string;
  /** The agent whose scope the service lives in; absent or null for the global scope. */
  agentId?: string | null;
  /** The real connection settings; a snapshot's redacted copy is refused (RedactedTransportError). */
  transport: RealTransportConfig;
  /** Per-service settings; unset keys take the built-in defaults (src/machines/defaults.ts). */
  lifecycle?: Partial<LifecycleConfig>;
  /** A disabled service is known to the config but not started. */
  enabled?: boolean;
}

/** A fleet described in code (`new Supervisor(fleet)`, `createSupervisor(fleet)`). */
export interface FleetSpec {
  /** The services; keys (`name`, `agent/name`) are unique. */
  services: readonly ServiceSpec[];
  /** Fleet-wide settings (the YAML's `supervisor:`); unset keys take the defaults. */
  supervisor?: Partial<SupervisorSettings>;
  /** How often DISCONNECTED services are swept (`cleanup_interval_hours` of `defaults`). */
  cleanupIntervalHours?: number;
}

/** Where a supervisor's time comes from (the real clock, or a `VirtualClock` in tests). */
export type { SupervisorClock } from './supervisor-clock.js';

/** How a supervisor runs: its I/O, clock, inspection, batching and randomness. */
export interface SupervisorOptions {
  /** The I/O side; by default real MCP connections over stdio / Streamable HTTP / SSE. */
  connections?: ConnectionLayer;
  /** Receives every XState inspection event (e.g. the Stately inspector's `inspect`). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Where time comes from: the real clock by default; a `VirtualClock` (from `mcp-supervisor/testing`) in tests. */
  clock?: SupervisorClock;
  /**
   * Gathers snapshot updates into one `services$` emission per window, in ms of the supervisor's clock.
   * Default: 50 on the real clock (a health round of many services emits a few times, not once per
   * ping); on another clock 0, one emission per tick.
   */
  batchWindowMs?: number;
  /** Source of the per-service jitter seeds (default Math.random). */
  random?: () => number;
  /**
   * Index the actor system's delayed events by the actor that scheduled them (scheduler-index.ts), so
   * that an actor's stop cancels only its own (default true). Off only to measure XState's own walk.
   */
  indexScheduler?: boolean;
}

/** What `waitForService` waits for, and for how long. */
export interface WaitOptions {
  /** States to wait for; default HEALTHY or WARNING (tools callable). */
  states?: readonly ServiceState[];
  /** How long to wait, in ms (default 30 000); then it rejects with WaitTimeoutError. */
  timeoutMs?: number;
  /** Stops waiting: rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** The outcome of `checkHealth`. */
export interface HealthCheckResult {
  /** The service's fleet key. */
  service: string;
  /** The check passed and the service is still available. */
  ok: boolean;
  /** The service's state after the check. */
  state: ServiceState;
  /** How long the check took, in ms; null when it failed. */
  responseTime: number | null;
  /** The check's tier by response time (`unhealthy` when it failed). */
  healthTier: ServiceSnapshot['metadata']['healthTier'];
  /** Why it failed; null when it passed. */
  error: string | null;
}

/** One tool of `listTools`: the tool, and the service that offers it. */
export interface ToolListing extends ToolDescriptor {
  /** Fleet key of the service that offers the tool. */
  service: string;
  /** The agent whose scope that service lives in; null for the global scope. */
  agentId: string | null;
}

/** `getServiceInfo`: the snapshot, plus what the connection layer can tell for diagnosis. */
export interface ServiceInfo extends ServiceSnapshot {
  /** The server's pid, last stderr lines and dropped notifications; null when the layer cannot tell. */
  readonly diagnostics: ConnectionDiagnostics | null;
}

/** A service as written under `services:` in YAML, plus its `name` (there, `transport` is `streamable-http` or `sse`). */
export type RawServiceDefinition = { name: string; transport?: string } & Record<string, unknown>;

const isServiceSpec = (service: ServiceSpec | RawServiceDefinition): service is ServiceSpec =>
  typeof service.transport === 'object' && service.transport !== null;

/** What became of a config reload (hot reload of the YAML file, or `applyConfig`). */
export type ConfigReloadEvent =
  | { type: 'applied'; file: string | null; added: string[]; removed: string[]; changed: string[]; at: number }
  | { type: 'rejected'; file: string; error: Error; at: number };

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_BATCH_WINDOW_MS = 50;

/**
 * Owns a fleet of MCP services, one lifecycle statechart each, and publishes their snapshots,
 * transitions and metrics as streams. Build one with `createSupervisor`, subscribe, then `start()`;
 * `stop()` ends every service and process.
 */
export class Supervisor {
  private readonly streams: FleetStreams;
  private readonly queue: ConnectQueue;
  private readonly clock: SupervisorClock;
  private readonly specs = new Map<string, ServiceSpec>();
  private readonly random: () => number;
  private root: Actor<SupervisorMachine> | null = null;
  private stopping: Promise<void> | null = null;
  private readonly connections: ConnectionLayer;
  /** Where tool calls go and whose time bounds them. */
  private readonly callRoute: ToolCallRoute;
  /** The publishing of each service actor's snapshots and reports to the streams, by fleet key. */
  private readonly followed = new Map<string, Subscription[]>();
  private stopHearingProcesses: (() => void) | null = null;
  /** The close of each removed service's connections, until it is done. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly configEventsSubject = new Subject<ConfigReloadEvent>();
  private settings: SupervisorSettings;
  private file: string | null = null;
  /** The file's services and settings as last applied: hot reload diffs each edit against them. */
  private fileConfig: Pick<FleetConfig, 'services' | 'supervisor'> | null = null;
  /** The file's `defaults` and profiles, which services added from code resolve against too. */
  private layers: Pick<FleetConfig, 'defaults' | 'profiles'> | null = null;
  private stopWatching: (() => void) | null = null;

  /** Every service's snapshot by key; the latest value is replayed, the changes of one batch window arrive as one emission. */
  readonly services$: Observable<ReadonlyMap<string, ServiceSnapshot>>;
  /** Every state change of every service, never coalesced, in order per service. */
  readonly transitions$: Observable<Transition>;
  /** The fleet's metrics whenever they change; the latest value is replayed. */
  readonly metrics$: Observable<FleetMetrics>;
  /**
   * Every health check of every service as it ends: its outcome (with the failure's code and message),
   * duration, response time and tier, as the service's statechart judged it. Never coalesced.
   */
  readonly probes$: Observable<Probe>;
  /** Every connect attempt of every service as it ends (the first connect, and each reconnect attempt). */
  readonly connects$: Observable<ConnectAttempt>;
  /**
   * Every start of a service's server process (stdio), with its pid: a reconnect starts a new one, so
   * counting them counts the server's restarts. A layer that cannot tell (a remote server) reports none.
   */
  readonly processStarts$: Observable<ProcessStart>;
  /** Every config reload, applied or rejected (an invalid edit changes nothing). */
  readonly configEvents$: Observable<ConfigReloadEvent>;

  /** Loads a YAML (or mcpServers JSON) config; throws ConfigError listing every problem, starting nothing. */
  static async fromFile(file: string, options: SupervisorOptions & { load?: LoadOptions } = {}): Promise<Supervisor> {
    const config = await loadConfigFile(file, options.load);
    return Supervisor.fromConfig(config, options);
  }

  /** A supervisor of a config loaded with `loadConfigFile` / `parseConfig`; not started. */
  static fromConfig(config: FleetConfig, options: SupervisorOptions = {}): Supervisor {
    const supervisor = new Supervisor(
      { services: config.services, supervisor: config.supervisor, cleanupIntervalHours: config.defaults.cleanupIntervalHours },
      options,
    );
    supervisor.file = config.file;
    supervisor.fileConfig = { services: config.services, supervisor: config.supervisor };
    supervisor.layers = { defaults: config.defaults, profiles: config.profiles };
    return supervisor;
  }

  /** A supervisor of the fleet described in code; not started. Throws DuplicateServiceError on a repeated key. */
  constructor(
    private readonly fleet: FleetSpec,
    private readonly options: SupervisorOptions = {},
  ) {
    this.clock = options.clock ?? realClock;
    this.connections = options.connections ?? new McpConnections();
    this.callRoute = { connections: this.connections, clock: this.clock };
    this.random = options.random ?? Math.random;
    this.settings = { ...DEFAULT_SUPERVISOR_SETTINGS, ...fleet.supervisor };
    this.queue = new ConnectQueue(this.settings.maxConcurrentConnects);
    this.streams = new FleetStreams({
      batchWindowMs: options.batchWindowMs ?? (this.clock === realClock ? DEFAULT_BATCH_WINDOW_MS : 0),
      timers: this.clock,
    });
    this.services$ = this.streams.services$;
    this.transitions$ = this.streams.transitions$;
    this.metrics$ = this.streams.metrics$;
    this.probes$ = this.streams.probes$;
    this.connects$ = this.streams.connects$;
    this.processStarts$ = this.streams.processStarts$;
    this.configEvents$ = this.configEventsSubject.asObservable();
    for (const spec of fleet.services) {
      const key = serviceKey(spec.name, spec.agentId);
      if (this.specs.has(key)) throw new DuplicateServiceError(key);
      refuseRedacted(key, spec);
      this.specs.set(key, spec);
    }
  }

  /** Connect attempts currently holding a slot of the fleet-wide connect queue, and the most ever. */
  get connectQueue(): { inFlight: number; queued: number; peak: number } {
    return { inFlight: this.queue.inFlight, queued: this.queue.queued, peak: this.queue.peak };
  }

  /** Starts the supervisor and every enabled service. */
  start(): this {
    if (this.stopping) throw new SupervisorStoppedError('start the supervisor');
    if (this.root) return this;
    const machine = supervisorMachine.provide({
      actors: { service: serviceMachine.provide({ actors: this.queuedActors(this.connections.actors) }) },
    });
    const root = createActor(machine, {
      clock: this.clock,
      input: { settings: this.fleet.supervisor, cleanupIntervalHours: this.fleet.cleanupIntervalHours },
      inspect: this.options.inspect,
    });
    this.root = root;
    root.on('service.spawned', ({ key, why }) => this.follow(key, why));
    root.on('service.removed', (removed) => this.forget(removed));
    root.on('service.gave_up', ({ key, reason, at }) => {
      this.unfollow(key);
      this.streams.markDisconnected(key, reason, at);
    });
    if (this.options.indexScheduler !== false) indexSchedulerBySource(root.system);
    this.stopHearingProcesses =
      this.connections.onProcessStarted?.((key, pid) => {
        this.streams.processStarted({ service: key, agent: this.streams.get(key)?.agentId ?? null, pid, at: this.clock.now() });
      }) ?? null;
    root.start();
    this.spawn([...this.specs].filter(([, spec]) => spec.enabled !== false));
    return this;
  }

  /**
   * Stops every service (DISCONNECTING → DISCONNECTED), ends the actors, closes every connection and
   * process, and completes the streams. Bounded by the services' disconnect timeouts; idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /**
   * Adds and starts a service; names are unique within a scope (global, or one agent's). Takes a
   * resolved `ServiceSpec`, or a service as written in YAML plus its `name` (`{ name, command, args }`,
   * `{ name, url, headers, profile, agent, … }`), validated like the file (ConfigError on a problem) and
   * resolved against the file's `defaults` and profiles.
   */
  addService(service: ServiceSpec | RawServiceDefinition): ServiceSnapshot {
    this.running('add a service');
    const spec = isServiceSpec(service)
      ? service
      : parseServiceConfig(service, { defaults: this.layers?.defaults, profiles: this.layers?.profiles });
    const key = serviceKey(spec.name, spec.agentId);
    // Before the schema parse, which drops the brand of a redacted copy.
    refuseRedacted(key, spec);
    const checked = { ...spec, transport: TransportConfigSchema.parse(spec.transport) };
    if (this.streams.has(key)) throw new DuplicateServiceError(key);
    this.specs.set(key, checked);
    this.spawn([[key, checked]]);
    return this.requireSnapshot(key);
  }

  /** Stops the service (if active) and deletes it. Resolves once it is gone. */
  async removeService(name: string): Promise<void> {
    await this.remove(this.requireKey(name), { cause: 'removed', reason: 'removed on request' });
  }

  private async remove(key: string, why: Cause & { cause: StopCause }): Promise<void> {
    const root = this.running('remove a service');
    const removed = this.decided('service.removed', key);
    root.send({ type: 'service.remove', key, ...why });
    await removed;
    this.specs.delete(key);
    await this.closing.get(key);
  }

  /** Restarts the service: DISCONNECTING → INITIALIZING (or DISCONNECTED → INITIALIZING). */
  restartService(name: string): void {
    const root = this.running('restart a service');
    root.send({ type: 'service.restart', key: this.requireKey(name) });
  }

  /**
   * Starts a stopped service (DISCONNECTED → INITIALIZING) and returns true; returns false, doing
   * nothing, when it is not DISCONNECTED (it is running, or already on its way).
   */
  startService(name: string): boolean {
    const root = this.running('start a service');
    const key = this.requireKey(name);
    if (this.stateOf(key) !== 'DISCONNECTED') return false;
    root.send({ type: 'service.restart', key });
    return true;
  }

  /** Stops the service (DISCONNECTING → DISCONNECTED); it stays listed until removed. */
  stopService(name: string): void {
    const root = this.running('stop a service');
    root.send({ type: 'service.stop', key: this.requireKey(name) });
  }

  /** Every service's snapshot (or those of one agent's scope; `agent: null` for the global scope). */
  listServices(filterBy: { agent?: string | null } = {}): ServiceSnapshot[] {
    const all = this.streams.list();
    if (filterBy.agent === undefined) return all;
    return all.filter((service) => service.agentId === filterBy.agent);
  }

  /** State, full metadata, tools and redacted config of one service, with its server's pid and last stderr lines. */
  getServiceInfo(name: string): ServiceInfo {
    const key = this.requireKey(name);
    return { ...this.requireSnapshot(key), diagnostics: this.connections.diagnostics?.(key) ?? null };
  }

  /** Runs a health check at once and resolves with its outcome. */
  async checkHealth(name: string): Promise<HealthCheckResult> {
    this.running('check health');
    const key = this.requireKey(name);
    const before = this.requireAvailable(key);
    this.sendTo(key, { type: 'CHECK_NOW' });
    const bound = before.config.lifecycle.pingTimeout + before.config.lifecycle.slowThreshold;
    const after = await waitForSnapshot(
      this.streams,
      this.clock,
      key,
      (snapshot) => snapshot.metadata.totalHealthChecks !== before.metadata.totalHealthChecks || !snapshot.available,
      { timeoutMs: bound, onTimeout: (snapshot) => new HealthCheckTimeoutError(key, snapshot.state, bound) },
    );
    const ok = after.metadata.consecutiveFailures === 0;
    return {
      service: key,
      ok: after.available && ok,
      state: after.state,
      responseTime: after.metadata.responseTime,
      healthTier: after.metadata.healthTier,
      error: ok ? null : after.metadata.errorMessage,
    };
  }

  /** Makes a reconnect attempt at once (RECONNECTING or UNREACHABLE), skipping the backoff wait. */
  reconnect(name: string): void {
    this.running('reconnect');
    this.sendTo(this.requireKey(name), { type: 'RECONNECT_NOW' });
  }

  /** Resolves when the service is in one of `states` (default: available); rejects on timeout. */
  waitForService(name: string, options: WaitOptions = {}): Promise<ServiceSnapshot> {
    const key = this.requireKey(name);
    const { states } = options;
    const reached = states ? (snapshot: ServiceSnapshot) => states.includes(snapshot.state) : (snapshot: ServiceSnapshot) => snapshot.available;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return waitForSnapshot(this.streams, this.clock, key, reached, {
      timeoutMs,
      signal: options.signal,
      onTimeout: (snapshot) => new WaitTimeoutError(key, states ?? AVAILABLE_STATES, snapshot.state, timeoutMs),
    });
  }

  /** Tools of every available service (optionally of one agent's scope). */
  listTools(filterBy: { agent?: string | null } = {}): ToolListing[] {
    return this.listServices(filterBy)
      .filter((service) => service.available)
      .flatMap((service) => service.tools.map((tool) => ({ ...tool, service: service.key, agentId: service.agentId })));
  }

  /**
   * Calls a tool. Rejects at once if the service is not available (ServiceUnavailableError, with its
   * state and next retry time), never waits past `timeoutMs` (restarted at each progress notification
   * with `resetTimeoutOnProgress`) nor past `maxTotalTimeout` (ToolCallTimeoutError), rejects with the
   * signal's reason when `signal` aborts, and rejects if the connection drops during the call. The
   * server's progress notifications go to `onProgress`. With `inputRequired`, a 2026-07-28 server's
   * `input_required` answer resolves the call too (see `isInputRequiredResult`).
   */
  callTool(name: string, tool: string, args: Record<string, unknown>, options: CallOptions & { inputRequired: InputRetry }): Promise<CallToolResult | InputRequiredResult>;
  callTool(name: string, tool: string, args?: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  async callTool(
    name: string,
    tool: string,
    args: Record<string, unknown> = {},
    options: CallOptions = NO_CALL_OPTIONS,
  ): Promise<CallToolResult | InputRequiredResult> {
    this.running('call a tool');
    const key = this.requireKey(name);
    const snapshot = this.requireAvailable(key);
    if (!snapshot.tools.some((candidate) => candidate.name === tool)) {
      throw new ToolNotFoundError(key, tool, snapshot.tools.map((candidate) => candidate.name));
    }
    return callToolWithinBounds(this.callRoute, key, tool, args, options);
  }

  /**
   * Moves the running fleet to `next`: unchanged services keep their actor and connection, changed ones
   * restart with their new settings, removed ones go DISCONNECTING → removed, added ones start.
   */
  async applyConfig(next: FleetConfig, diff: FleetDiff = diffFleetConfig(this.currentConfig(), next)): Promise<FleetDiff> {
    this.running('apply a config');
    // Checked before anything changes: a config that cannot be applied whole is not applied at all.
    const clash = diff.added.find((service) => this.specs.has(service.key));
    if (clash) throw new DuplicateServiceError(clash.key, 'it was added from code and is also in the config; remove one of the two');
    await Promise.all([
      ...diff.removed.map((service) =>
        // A disabled service has no actor: forgetting its spec is all there is to remove.
        this.streams.has(service.key) ? this.remove(service.key, { cause: 'removed', reason: 'removed from the config' }).catch(() => undefined) : this.specs.delete(service.key),
      ),
      ...diff.changed.map((change) => this.replaceService(change.after)),
    ]);
    for (const service of diff.added) {
      if (service.enabled) this.addService(service);
      else this.specs.set(service.key, service);
    }
    if (diff.supervisorChanged) {
      this.settings = { ...next.supervisor };
      this.queue.resize(this.settings.maxConcurrentConnects);
      this.root?.send({ type: 'settings.update', settings: this.settings });
    }
    this.configEventsSubject.next({
      type: 'applied',
      file: next.file,
      added: diff.added.map((service) => service.key),
      removed: diff.removed.map((service) => service.key),
      changed: diff.changed.map((change) => change.after.key),
      at: this.clock.now(),
    });
    return diff;
  }

  /**
   * Hot reload: applies every valid edit of the config file; an invalid one is reported on
   * `configEvents$` and changes nothing. Stops with `stop()` or the returned function.
   */
  watchConfig(
    options: {
      file?: string;
      debounceMs?: number;
      load?: LoadOptions;
      /** Every valid edit, once its services and `supervisor:` settings are applied: for the sections the supervisor does not read itself (`gateway:`). */
      onConfig?: (config: FleetConfig) => void;
    } = {},
  ): () => void {
    this.running('watch the config');
    const file = options.file ?? this.file;
    if (!file) throw new ConfigFileRequiredError();
    this.stopWatching?.();
    const reject = (error: Error) => this.configEventsSubject.next({ type: 'rejected', file, error, at: this.clock.now() });
    // Edits apply one at a time, each diffed against the last one applied: an edit whose apply failed
    // is reported, and its changes are tried again with the next edit rather than forgotten.
    let applying = Promise.resolve();
    const stop = watchConfigFile(file, {
      ...options.load,
      debounceMs: options.debounceMs,
      initial: this.fileConfig ?? this.currentConfig(),
      onChange: (config) => {
        applying = applying.then(async () => {
          if (this.stopping) return;
          try {
            await this.applyConfig(config, diffFleetConfig(this.fileConfig ?? this.currentConfig(), config));
            this.fileConfig = { services: config.services, supervisor: config.supervisor };
            options.onConfig?.(config);
          } catch (error) {
            // A stop during the apply is not a failed reload: the shutdown takes over.
            if (!this.stopping) reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      },
      // No service changed, but another section may have.
      onUnchanged: (config) => {
        applying = applying.then(() => {
          if (!this.stopping) options.onConfig?.(config);
        });
      },
      onError: reject,
    });
    this.stopWatching = stop;
    return stop;
  }

  /** The fleet's lifecycle metrics now: totals per state, health rate, response times, failures. */
  metrics(): FleetMetrics {
    return this.streams.metrics();
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  /** The running fleet in the config model, for diffing against a reloaded file. */
  private currentConfig(): Pick<FleetConfig, 'services' | 'supervisor'> {
    const services: ServiceConfig[] = [...this.specs].map(([key, spec]) => ({
      name: spec.name,
      agentId: spec.agentId ?? null,
      key,
      enabled: spec.enabled !== false,
      transport: spec.transport,
      lifecycle: resolveLifecycleConfig(spec.lifecycle),
      profile: (spec as Partial<ServiceConfig>).profile ?? null,
    }));
    return { services, supervisor: this.settings };
  }

  /** Stops the service's actor and starts a new one with `spec` (or none, if now disabled). */
  private async replaceService(spec: ServiceConfig) {
    const root = this.running('apply a config');
    const key = spec.key;
    if (!spec.enabled) {
      const removed = this.decided('service.removed', key);
      root.send({ type: 'service.replace', key, input: null });
      await removed;
      this.specs.set(key, spec);
      await this.closing.get(key);
      return;
    }
    // The new actor's connection is registered from its spec when the parent spawns it.
    this.specs.set(key, spec);
    const spawned = this.decided('service.spawned', key);
    root.send({ type: 'service.replace', key, input: this.machineInput(spec) });
    await spawned;
  }

  private spawn(services: readonly (readonly [string, ServiceSpec])[]) {
    const inputs = services.map(([key, spec]) => ({ key, input: this.machineInput(spec) }));
    if (inputs.length > 0) this.root?.send({ type: 'services.add', services: inputs });
  }

  /** What a service actor is spawned with: its settings, its transport redacted, and its own jitter seed. */
  private machineInput(spec: ServiceSpec): ServiceMachineInput {
    return {
      serviceName: spec.name,
      agentId: spec.agentId ?? null,
      transport: redactTransport(spec.transport),
      config: spec.lifecycle,
      randomSeed: Math.floor(this.random() * 0x1_0000_0000) | 0,
    };
  }

  /** The connect actor acquires a slot of the fleet-wide queue first (honouring its abort signal). */
  private queuedActors(actors: ServiceActors): ServiceActors {
    const queue = this.queue;
    const connect = fromPromise<ConnectOutput, ConnectInput>(async ({ input, signal }) => {
      const release = await queue.acquire(input.priority, signal, this.clock.now());
      const attempt = createActor(actors.connect, { input });
      const abort = () => attempt.stop();
      signal.addEventListener('abort', abort, { once: true });
      try {
        attempt.start();
        return await toPromise(attempt);
      } finally {
        signal.removeEventListener('abort', abort);
        release();
      }
    });
    return { ...actors, connect };
  }

  /**
   * The parent spawned a service actor: its real transport goes to the connection layer before the actor
   * starts, and each of its snapshots goes to the streams (the first one with the parent's own cause, if any).
   */
  private follow(key: string, why: Cause | null) {
    const spec = this.specs.get(key);
    if (spec) this.connections.register(key, spec.transport);
    this.unfollow(key);
    const child = this.child(key);
    if (!child) return;
    let cause = why;
    const publish = (snapshot: ReturnType<ServiceActorRef['getSnapshot']>) => {
      if (snapshot.status !== 'active') return;
      this.streams.update({ state: lifecycleState(snapshot.value) as ServiceState, available: snapshot.hasTag(AVAILABLE), context: snapshot.context }, this.clock.now(), cause);
      cause = null;
    };
    const agent = child.getSnapshot().context.agentId;
    // A crash is the parent's to handle (a restart, or giving up): the stream hears of it from there.
    this.followed.set(key, [
      child.subscribe({ next: publish, error: () => undefined }),
      child.on('probe', ({ type: _, ...report }) => this.streams.probed({ service: key, agent, ...report })),
      child.on('connect', ({ type: _, ...report }) => this.streams.connectEnded({ service: key, agent, ...report })),
    ]);
    if (child.getSnapshot().status === 'active') publish(child.getSnapshot());
  }

  private unfollow(key: string) {
    for (const subscription of this.followed.get(key) ?? []) subscription.unsubscribe();
    this.followed.delete(key);
  }

  /** The parent removed a service: the streams end it with REMOVED and its connections are closed. */
  private forget({ key, cause, reason, at }: Extract<SupervisorEmitted, { type: 'service.removed' }>) {
    this.unfollow(key);
    const budget = this.stopBudget(key);
    this.streams.remove(key, at, { cause, reason });
    if (cause === 'cleanup') this.specs.delete(key);
    const closing = this.connections.unregister(key, budget).finally(() => {
      if (this.closing.get(key) === closing) this.closing.delete(key);
    });
    this.closing.set(key, closing);
  }

  /**
   * Resolves once the parent has emitted `type` for the service, or has ended (the supervisor stopped
   * meanwhile: the shutdown owns what is left).
   */
  private decided(type: 'service.spawned' | 'service.removed', key: string): Promise<void> {
    const root = this.root;
    if (!root) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        decision.unsubscribe();
        end.unsubscribe();
        resolve();
      };
      const decision = root.on(type, (event) => {
        if (event.key === key) done();
      });
      const end = root.subscribe({ complete: done, error: done });
    });
  }

  private crashedReason(key: string): string | null {
    return this.root?.getSnapshot().context.crashed[key]?.reason ?? null;
  }

  private child(key: string): ServiceActorRef | undefined {
    return this.root?.getSnapshot().children[key] as ServiceActorRef | undefined;
  }

  private stateOf(key: string): ServiceState | undefined {
    return this.streams.get(key)?.state;
  }

  private sendTo(key: string, event: ServiceEvent) {
    const child = this.child(key);
    if (!child) throw new ServiceUnavailableError(key, this.stateOf(key) ?? 'DISCONNECTED', null, this.crashedReason(key));
    child.send(event);
  }

  private running(operation: string): Actor<SupervisorMachine> {
    if (this.stopping) throw new SupervisorStoppedError(operation);
    if (!this.root) throw new SupervisorStoppedError(operation, 'not-started');
    return this.root;
  }

  /** Accepts `name` for the global scope or `agent/name`. */
  private requireKey(name: string): string {
    if (this.streams.has(name)) return name;
    throw new ServiceNotFoundError(name);
  }

  private requireSnapshot(key: string): ServiceSnapshot {
    const snapshot = this.streams.get(key);
    if (!snapshot) throw new ServiceNotFoundError(key);
    return snapshot;
  }

  private requireAvailable(key: string): ServiceSnapshot {
    const snapshot = this.requireSnapshot(key);
    if (!snapshot.available) {
      throw new ServiceUnavailableError(key, snapshot.state, snapshot.metadata.nextRetryTime, snapshot.metadata.errorMessage);
    }
    return snapshot;
  }

  /** How long a stop of this service may take: its disconnect timeout. */
  private stopBudget(key: string): number {
    return (this.streams.get(key)?.config.lifecycle ?? resolveLifecycleConfig()).disconnectTimeout;
  }

  private async shutdown(): Promise<void> {
    this.stopWatching?.();
    const root = this.root;
    if (root) {
      // The parent stops every service and ends once each is DISCONNECTED (or out of time).
      const ended = new Promise<void>((resolve) => root.subscribe({ complete: resolve, error: () => resolve() }));
      root.send({ type: 'fleet.stop' });
      await ended;
      root.stop();
      for (const key of [...this.followed.keys()]) this.unfollow(key);
    }
    this.stopHearingProcesses?.();
    // Every close began within its service's disconnect timeout; this waits for the last of them (and
    // for what connects aborted by the stop had opened), hurrying any to the grace period.
    await this.connections.closeAll(STOP_GRACE_MS);
    this.streams.complete();
    this.configEventsSubject.complete();
  }

  // ── what a gateway needs beyond tools: a service's resources, prompts and completions ────────

  /**
   * Sends a resources, prompts or completion request to an available service, as given, and resolves
   * with its server's result. Rejects at once if the service is not available (ServiceUnavailableError),
   * after `timeoutMs` (default 60 000; OperationTimeoutError), with the signal's reason when `signal`
   * aborts, and if the connection drops meanwhile. Progress goes to `onProgress`.
   */
  async requestService(
    name: string,
    method: ForwardedMethod,
    params?: Record<string, unknown>,
    options: CallOptions = NO_CALL_OPTIONS,
  ): Promise<Record<string, unknown>> {
    this.running(`send ${method}`);
    const key = this.requireKey(name);
    this.requireAvailable(key);
    if (!this.connections.request) throw new TypeError(`this supervisor's connection layer cannot forward ${method} requests (it has no request())`);
    options.signal?.throwIfAborted();
    return this.connections.request(key, method, params, {
      timeoutMs: options.timeoutMs ?? DEFAULT_CALL_MS,
      signal: options.signal,
      onProgress: options.onProgress,
      ...(options.inputRequired === undefined ? {} : { inputRequired: options.inputRequired }),
      ...(options.meta === undefined ? {} : { meta: options.meta }),
    });
  }

  /** What the service's server declared it can do at its current connection; null while it has none. */
  serverCapabilities(name: string): ServerCapabilities | null {
    return this.connections.serverCapabilities?.(this.requireKey(name)) ?? null;
  }

  /**
   * Tells the service's server that its client's roots changed (`notifications/roots/list_changed`), so
   * that a 2025-era server asks `roots/list` again; a gateway relays its clients' notice so. Nothing
   * happens for a service with no live connection, or whose connection layer cannot tell it.
   */
  async notifyRootsChanged(name: string): Promise<void> {
    await this.connections.notifyRootsChanged?.(this.requireKey(name));
  }

  /**
   * Hears the resource, prompt and log notifications of every service's live server (with the
   * service's key) until the returned function runs. Tool-list changes are not among them: the
   * lifecycle follows those, and `services$` shows the new tools.
   */
  onServiceNotification(listener: (service: string, notification: ServiceNotification) => void): () => void {
    return this.connections.onNotification?.(listener) ?? (() => undefined);
  }

  /**
   * Answers the requests servers send their client — sampling, elicitation, roots — with `handler`
   * (a gateway relays them to the client whose call is running). Servers are offered those
   * capabilities only by a connection layer made to (`new McpConnections({ relayServerRequests: true })`);
   * returns false, and changes nothing, with one that cannot. `stop()` of the returned value undoes it.
   */
  relayServerRequests(
    handler: (service: string, ...request: Parameters<ServerRequestHandler>) => Promise<Record<string, unknown>>,
  ): { relayed: boolean; stop: () => void } {
    const stop = this.connections.setServerRequestHandler?.(handler);
    return stop ? { relayed: true, stop } : { relayed: false, stop: () => undefined };
  }
}

/** A service must be added with its real transport: a redacted one would connect with `***` for its secrets. */
function refuseRedacted(key: string, spec: ServiceSpec) {
  if (isRedactedTransport(spec.transport)) throw new RedactedTransportError(key);
}

