// The public API: a supervisor that owns a fleet of service actors and publishes their
// snapshots, transitions and metrics as RxJS streams.

import { SdkError, SdkErrorCode, type CallToolResult, type Progress, type ServerCapabilities } from '@modelcontextprotocol/client';
import { Subject, type Observable } from 'rxjs';
import {
  createActor,
  fromPromise,
  toPromise,
  type Actor,
  type AnyActorRef,
  type InspectionEvent,
  type Observer,
  type StateValue,
} from 'xstate';
import { abortReason } from '../actors/abort-reason.js';
import { McpConnections } from '../actors/connection-registry.js';
import type { ForwardedMethod, ServerRequestHandler, ServiceNotification } from '../actors/connection.js';
import { maxTotalTimeoutOf, OperationTimeoutError } from '../actors/errors.js';
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
import { failureMessage } from '../machines/failure.js';
import type { ServiceContext, ServiceMachineInput } from '../machines/service.context.js';
import {
  AVAILABLE_STATES,
  lifecycleState,
  serviceMachine,
  type ServiceEvent,
  type ServiceState,
} from '../machines/service.machine.js';
import type { ConnectInput, ConnectOutput, ServiceActors, ToolDescriptor } from '../machines/service-io.js';
import { serviceKey } from '../machines/service-key.js';
import { ConnectQueue } from './connect-queue.js';
import type { CallOptions } from './call-options.js';
import type { ConnectionDiagnostics, ConnectionLayer, ToolCallOptions } from './connection-layer.js';
import {
  ConfigFileRequiredError,
  DuplicateServiceError,
  HealthCheckTimeoutError,
  RedactedTransportError,
  ServiceNotFoundError,
  ServiceUnavailableError,
  SupervisorStoppedError,
  ToolCallTimeoutError,
  ToolNotFoundError,
  WaitTimeoutError,
} from './errors.js';
import type { FleetMetrics } from './fleet-metrics.js';
import { FleetStreams, type Cause } from './fleet-streams.js';
import type { StopCause } from '../machines/transition-cause.js';
import type { ServiceSnapshot } from './service-snapshot.js';
import { indexSchedulerBySource } from './scheduler-index.js';
import { serviceActor, supervisorMachine, type ServiceActorRef, type SupervisorMachine } from './supervisor.machine.js';
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

/** XState's clock interface with `now()`: the real one by default, `SimulatedClock` in tests. */
export interface SupervisorClock {
  /** Calls `fn` once `ms` have passed on this clock; returns an id for clearTimeout. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set with setTimeout. */
  clearTimeout(id: unknown): void;
  /** The current time, in epoch ms. */
  now(): number;
}

/** How a supervisor runs: its I/O, clock, inspection, batching and randomness. */
export interface SupervisorOptions {
  /** The I/O side; by default real MCP connections over stdio / Streamable HTTP / SSE. */
  connections?: ConnectionLayer;
  /** Receives every XState inspection event (e.g. the Stately inspector's `inspect`). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
  /** Where time comes from: the real clock by default; `SimulatedClock` or `VirtualClock` in tests. */
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

const realClock: SupervisorClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout),
  now: () => Date.now(),
};

const DEFAULT_WAIT_MS = 30_000;
const DEFAULT_CALL_MS = 60_000;
/** A call given no options: the connection layer gets the same frozen options every time. */
const NO_CALL_OPTIONS: CallOptions = Object.freeze({});
const DEFAULT_CALL_OPTIONS: ToolCallOptions = Object.freeze({ timeoutMs: DEFAULT_CALL_MS });
const DEFAULT_BATCH_WINDOW_MS = 50;
const STOP_GRACE_MS = 1_000;
const CRASH_EVENT = 'xstate.error.actor.';

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
  /** Why a service actor is being replaced (crash, config change), until the new actor reports in. */
  private readonly nextReason = new Map<string, Cause>();
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
    this.root = createActor(machine, {
      clock: this.clock,
      input: { settings: this.fleet.supervisor, cleanupIntervalHours: this.fleet.cleanupIntervalHours },
      inspect: (event) => this.observe(event),
    });
    if (this.options.indexScheduler !== false) indexSchedulerBySource(this.root.system);
    this.root.start();
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
    const budget = this.stopBudget(key);
    await this.stopAndWait(key, why);
    // The parent stops the actor rather than letting it reach its final state: XState memoizes the
    // transitions for each event type a state node sees, and a finished child's done event has a type
    // of its own (`xstate.done.actor.<name>`), so every name ever removed would stay in memory.
    root.send({ type: 'service.remove', key });
    this.streams.remove(key, this.clock.now(), why);
    this.specs.delete(key);
    await this.connections.unregister(key, budget);
  }

  /** Restarts the service: DISCONNECTING → INITIALIZING (or DISCONNECTED → INITIALIZING). */
  restartService(name: string): void {
    const root = this.running('restart a service');
    const key = this.requireKey(name);
    if (this.crashedReason(key) !== null) root.send({ type: 'service.revive', key });
    else this.sendTo(key, { type: 'RESTART' });
  }

  /** Stops the service (DISCONNECTING → DISCONNECTED); it stays listed until removed. */
  stopService(name: string): void {
    this.running('stop a service');
    const key = this.requireKey(name);
    if (this.stateOf(key) !== 'DISCONNECTED') this.sendTo(key, { type: 'STOP' });
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
    const after = await this.waitUntil(
      key,
      (snapshot) => snapshot.metadata.totalHealthChecks !== before.metadata.totalHealthChecks || !snapshot.available,
      bound,
      { onTimeout: (snapshot) => new HealthCheckTimeoutError(key, snapshot.state, bound) },
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
    const states = options.states ?? AVAILABLE_STATES;
    return this.waitUntil(key, (snapshot) => states.includes(snapshot.state), options.timeoutMs ?? DEFAULT_WAIT_MS, {
      signal: options.signal,
      onTimeout: (snapshot) => new WaitTimeoutError(key, states, snapshot.state, options.timeoutMs ?? DEFAULT_WAIT_MS),
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
   * server's progress notifications go to `onProgress`.
   */
  async callTool(
    name: string,
    tool: string,
    args: Record<string, unknown> = {},
    options: CallOptions = NO_CALL_OPTIONS,
  ): Promise<CallToolResult> {
    this.running('call a tool');
    const key = this.requireKey(name);
    const snapshot = this.requireAvailable(key);
    if (!snapshot.tools.some((candidate) => candidate.name === tool)) {
      throw new ToolNotFoundError(key, tool, snapshot.tools.map((candidate) => candidate.name));
    }
    const request = withTimeout(options);
    const { signal } = options;
    signal?.throwIfAborted();
    try {
      // On the real clock the connection layer's own per-request timeout bounds the call (the SDK runs
      // one timer per request anyway): the hot path builds no timer, controller or error of its own.
      return await (this.clock === realClock ? this.connections.callTool(key, tool, args, request) : this.callOnClock(key, tool, args, request));
    } catch (error) {
      const ranOut = signal?.aborted ? null : timeoutOf(error, request.timeoutMs);
      if (ranOut === null) throw error;
      throw new ToolCallTimeoutError(key, tool, ranOut, ranOut === request.maxTotalTimeout && ranOut !== request.timeoutMs ? 'maxTotalTimeout' : 'timeoutMs');
    }
  }

  /**
   * A call bounded by the supervisor's own clock, for a virtual one (tests, simulations): there
   * `timeoutMs` (restarted on progress when asked) and `maxTotalTimeout` pass when that clock is moved,
   * whatever the connection layer's real timers do.
   */
  private async callOnClock(key: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    const { timeoutMs, maxTotalTimeout, onProgress, signal } = options;
    const deadline = new AbortController();
    const expire = () => deadline.abort(new ToolCallTimeoutError(key, tool, timeoutMs));
    let timer = this.clock.setTimeout(expire, timeoutMs);
    const total =
      maxTotalTimeout === undefined
        ? null
        : this.clock.setTimeout(() => deadline.abort(new ToolCallTimeoutError(key, tool, maxTotalTimeout, 'maxTotalTimeout')), maxTotalTimeout);
    const restartOnProgress = (progress: Progress) => {
      this.clock.clearTimeout(timer);
      timer = this.clock.setTimeout(expire, timeoutMs);
      onProgress?.(progress);
    };
    try {
      const bound = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
      const progress = options.resetTimeoutOnProgress ? restartOnProgress : onProgress;
      return await this.connections.callTool(key, tool, args, { ...options, signal: bound, onProgress: progress });
    } finally {
      this.clock.clearTimeout(timer);
      if (total !== null) this.clock.clearTimeout(total);
    }
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
  watchConfig(options: { file?: string; debounceMs?: number; load?: LoadOptions } = {}): () => void {
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
          } catch (error) {
            // A stop during the apply is not a failed reload: the shutdown takes over.
            if (!this.stopping) reject(error instanceof Error ? error : new Error(String(error)));
          }
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
    const key = spec.key;
    const budget = this.stopBudget(key);
    await this.stopAndWait(key, { cause: 'config_changed', reason: 'config changed' });
    // Stopped meanwhile: the shutdown owns what is left.
    if (this.stopping) return;
    this.root?.send({ type: 'service.remove', key });
    this.specs.set(key, spec);
    if (!spec.enabled) {
      this.streams.remove(key, this.clock.now(), { cause: 'config_changed', reason: 'disabled in the config' });
      await this.connections.unregister(key, budget);
      return;
    }
    this.nextReason.set(key, { cause: 'config_changed', reason: 'restarted with the changed config' });
    this.spawn([[key, spec]]);
  }

  private spawn(services: readonly (readonly [string, ServiceSpec])[]) {
    const inputs = services.map(([key, spec]) => {
      this.connections.register(key, spec.transport);
      const input: ServiceMachineInput = {
        serviceName: spec.name,
        agentId: spec.agentId ?? null,
        transport: redactTransport(spec.transport),
        config: spec.lifecycle,
        randomSeed: Math.floor(this.random() * 0x1_0000_0000) | 0,
      };
      return { key, input };
    });
    if (inputs.length > 0) this.root?.send({ type: 'services.add', services: inputs });
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

  /** Follows every service actor's snapshots (one observer for the whole actor system). */
  private observe(event: InspectionEvent) {
    if (this.options.inspect) notify(this.options.inspect, event);
    if (!this.root) return;
    const actor = event.actorRef;
    // A child's crash reaches the supervisor (which restarts it) before the child's last snapshot.
    if (event.type === '@xstate.event' && actor === this.root && event.event.type.startsWith(CRASH_EVENT)) {
      const crash = event.event as { type: string; error?: unknown };
      this.nextReason.set(crash.type.slice(CRASH_EVENT.length), { cause: 'crashed', reason: `restarted after a crash: ${failureMessage(crash.error)}` });
      return;
    }
    if (event.type !== '@xstate.snapshot') return;
    if (actor === this.root) return this.observeCrashedServices();
    if ((actor as AnyActorRef)._parent !== this.root) return;
    const snapshot = event.snapshot as unknown as { status: string; value: StateValue; context: ServiceContext };
    const key = snapshot.context?.serviceKey;
    if (!key || snapshot.status === 'error') return;
    const now = this.clock.now();
    const state = lifecycleState(snapshot.value);
    if (state === 'REMOVED') return this.forget(key, now, snapshot.context);
    const reason = this.nextReason.get(key);
    this.nextReason.delete(key);
    this.streams.update(state, snapshot.context, now, reason);
  }

  /** A service the cleanup sweep removed (its actor reached REMOVED): the fleet forgets it. */
  private forget(key: string, at: number, context: ServiceContext) {
    const reason = `removed by the cleanup sweep: disconnected for more than ${context.config.maxDisconnectedAgeHours} h`;
    this.streams.remove(key, at, { cause: 'cleanup', reason });
    this.specs.delete(key);
    void this.connections.unregister(key);
  }

  /** Services the restart budget gave up on are shown as DISCONNECTED with the reason. */
  private observeCrashedServices() {
    const crashed = this.root?.getSnapshot().context.crashed ?? {};
    for (const [key, record] of Object.entries(crashed)) {
      const current = this.streams.get(key);
      if (current && current.metadata.disconnectReason !== record.reason) {
        this.streams.markDisconnected(key, record.reason, record.at);
        this.nextReason.delete(key);
      }
    }
  }

  private crashedReason(key: string): string | null {
    return this.root?.getSnapshot().context.crashed[key]?.reason ?? null;
  }

  private child(key: string): ServiceActorRef | undefined {
    return this.root ? serviceActor(this.root.system, key) : undefined;
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

  /**
   * Sends STOP to an active service and waits until it is DISCONNECTED: at most its disconnect timeout
   * plus a grace period (past that, the caller goes on; the close keeps its own bound).
   */
  private async stopAndWait(key: string, { cause, reason }: Cause & { cause: StopCause }): Promise<void> {
    const child = this.child(key);
    if (!child || this.stateOf(key) === 'DISCONNECTED') return;
    child.send({ type: 'STOP', cause, reason });
    const bound = this.stopBudget(key) + STOP_GRACE_MS;
    await this.waitUntil(key, (snapshot) => snapshot.state === 'DISCONNECTED', bound, {
      onTimeout: (snapshot) => new WaitTimeoutError(key, ['DISCONNECTED'], snapshot.state, bound),
    }).catch(() => undefined);
  }

  /** How long a stop of this service may take: its disconnect timeout. */
  private stopBudget(key: string): number {
    return (this.streams.get(key)?.config.lifecycle ?? resolveLifecycleConfig()).disconnectTimeout;
  }

  /** Resolves with the service's snapshot once `done` holds; `onTimeout` says what did not happen in time. */
  private waitUntil(
    key: string,
    done: (snapshot: ServiceSnapshot) => boolean,
    timeoutMs: number,
    options: { signal?: AbortSignal; onTimeout: (snapshot: ServiceSnapshot) => Error },
  ): Promise<ServiceSnapshot> {
    const { clock, streams } = this;
    return new Promise((resolve, reject) => {
      let finished = false;
      let unwatch = (): void => undefined;
      const finish = (settle: () => void) => {
        if (finished) return;
        finished = true;
        unwatch();
        clock.clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const check = () => {
        const snapshot = streams.get(key);
        if (!snapshot) finish(() => reject(new ServiceNotFoundError(key)));
        else if (done(snapshot)) finish(() => resolve(snapshot));
      };
      const onAbort = () => finish(() => reject(abortReason(options.signal)));
      const timer = clock.setTimeout(() => {
        const snapshot = streams.get(key);
        finish(() => reject(snapshot ? options.onTimeout(snapshot) : new ServiceNotFoundError(key)));
      }, timeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      unwatch = streams.watch(key, {
        changed: check,
        ended: () => finish(() => reject(new SupervisorStoppedError(`wait for service '${key}'`))),
      });
      if (finished) unwatch();
      else if (options.signal?.aborted) onAbort();
      else check();
    });
  }

  private async shutdown(): Promise<void> {
    this.stopWatching?.();
    const root = this.root;
    if (root) {
      await Promise.all(this.streams.list().map((service) => this.stopAndWait(service.key, { cause: 'shutdown', reason: 'supervisor stopped' })));
      root.stop();
    }
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
    return this.connections.request(key, method, params, { timeoutMs: options.timeoutMs ?? DEFAULT_CALL_MS, signal: options.signal, onProgress: options.onProgress });
  }

  /** What the service's server declared it can do at its current connection; null while it has none. */
  serverCapabilities(name: string): ServerCapabilities | null {
    return this.connections.serverCapabilities?.(this.requireKey(name)) ?? null;
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

/** The caller's options with the default timeout filled in; copied only when the caller set no timeout. */
function withTimeout(options: CallOptions): ToolCallOptions {
  if (options === NO_CALL_OPTIONS) return DEFAULT_CALL_OPTIONS;
  return hasTimeout(options) ? options : { ...options, timeoutMs: DEFAULT_CALL_MS };
}

function hasTimeout(options: CallOptions): options is ToolCallOptions {
  return options.timeoutMs !== undefined;
}

/**
 * The bound (in ms) a tool call ran past, if a connection layer rejected it for a timeout; else null.
 * McpConnections says so with OperationTimeoutError (with the bound: `timeoutMs` or `maxTotalTimeout`),
 * a layer that hands the SDK's rejection through with its RequestTimeout.
 */
function timeoutOf(error: unknown, timeoutMs: number): number | null {
  if (error instanceof OperationTimeoutError) return error.timeoutMs;
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return maxTotalTimeoutOf(error) ?? timeoutMs;
  return null;
}

function notify(inspect: NonNullable<SupervisorOptions['inspect']>, event: InspectionEvent) {
  if (typeof inspect === 'function') inspect(event);
  else inspect.next?.(event);
}
