// The fleet as RxJS streams: the latest snapshot of every service (coalesced per batch window and
// replayed to late subscribers), every transition (never coalesced, in order per service), every health
// check, connect attempt and server process start as it happens, and the fleet metrics whenever they
// change. Fed by the supervisor; knows nothing of XState.

import type { Observable} from 'rxjs';
import { ReplaySubject, Subject } from 'rxjs';
import type { Cause, TransitionCause } from '../machines/transition-cause.js';
import type { ConnectAttempt, Probe, ProcessStart } from './check-events.js';
import { FleetMetricsTally, type FleetMetrics, type MetricsPart } from './fleet-metrics.js';
import { FleetView } from './fleet-view.js';
import { toServiceSnapshot, type ServiceReading, type ServiceSnapshot } from './service-snapshot.js';
import { describeTransition, type Transition } from './transition.js';

/** A service's part in the fleet's metrics, read from its actor's snapshot. */
function partOf({ state, available, context }: ServiceReading): MetricsPart {
  const { health, retry } = context;
  return { state, available, totalFailures: health.totalFailures, totalReconnectAttempts: retry.totalReconnectAttempts, lastResponseTime: health.lastResponseTime };
}

interface Entry {
  reading: ServiceReading;
  /** Built lazily: most updates are never looked at before the next one arrives. */
  snapshot: ServiceSnapshot | null;
}

/** Told of every change of one service, and when the streams end (the supervisor stopped). */
export interface ServiceWatcher {
  changed(): void;
  ended(): void;
}

/** The timers a batch window runs on (the supervisor's clock). */
export interface BatchTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface FleetStreamsOptions {
  /** How long updates are gathered into one `services$` emission; 0 = until the current tick ends. */
  batchWindowMs: number;
  /** What measures a window longer than 0: the supervisor's clock. */
  timers: BatchTimers;
}

export class FleetStreams {
  private readonly entries = new Map<string, Entry>();
  private readonly servicesSubject = new ReplaySubject<ReadonlyMap<string, ServiceSnapshot>>(1);
  private readonly transitionsSubject = new Subject<Transition>();
  private readonly metricsSubject = new ReplaySubject<FleetMetrics>(1);
  private readonly probesSubject = new Subject<Probe>();
  private readonly connectsSubject = new Subject<ConnectAttempt>();
  private readonly processStartsSubject = new Subject<ProcessStart>();
  /** Per-service waiters (`watch`): a change of one service is offered only to its own waiters. */
  private readonly watchers = new Map<string, Set<ServiceWatcher>>();
  private flushScheduled = false;
  /** The batch window's timer, while one is open. */
  private windowTimer: unknown = null;
  /** The last `services$` value, and the services changed since: the next one copies it and patches those. */
  private view: FleetView | null = null;
  private readonly dirty = new Set<string>();
  /** A service was removed since the last emission: a re-added one would take a new place in the order. */
  private reordered = false;
  private readonly batchWindowMs: number;
  private readonly timers: BatchTimers;
  private readonly tally = new FleetMetricsTally();
  private lastMetrics = '';
  private completed = false;

  readonly services$: Observable<ReadonlyMap<string, ServiceSnapshot>> = this.servicesSubject.asObservable();
  readonly transitions$: Observable<Transition> = this.transitionsSubject.asObservable();
  readonly metrics$: Observable<FleetMetrics> = this.metricsSubject.asObservable();
  readonly probes$: Observable<Probe> = this.probesSubject.asObservable();
  readonly connects$: Observable<ConnectAttempt> = this.connectsSubject.asObservable();
  readonly processStarts$: Observable<ProcessStart> = this.processStartsSubject.asObservable();

  constructor(options: FleetStreamsOptions) {
    this.batchWindowMs = options.batchWindowMs;
    this.timers = options.timers;
  }

  /**
   * Records a service actor's new snapshot; emits a transition when its lifecycle state changed, with
   * the cause the chart recorded, or the supervisor's own (`why`) when the move was its decision.
   */
  update(reading: ServiceReading, at: number, why?: Cause | null): void {
    if (this.completed) return;
    const { state, context } = reading;
    const key = context.serviceKey;
    const previous = this.entries.get(key);
    if (previous && previous.reading.context === context && previous.reading.state === state) return;
    this.entries.set(key, { reading, snapshot: null });
    if (previous) this.tally.count(partOf(previous.reading), -1);
    this.tally.count(partOf(reading));
    if (previous?.reading.state !== state) {
      this.transitionsSubject.next({
        service: key,
        agent: context.agentId,
        from: previous?.reading.state ?? null,
        to: state,
        at,
        cause: why?.cause ?? context.cause,
        reason: why?.reason ?? describeTransition(context.cause, state, context),
      });
    }
    this.changed(key);
  }

  /** A health check of a service the streams know ended. */
  probed(probe: Probe): void {
    if (!this.completed && this.entries.has(probe.service)) this.probesSubject.next(probe);
  }

  /** A connect attempt of a service the streams know ended. */
  connectEnded(attempt: ConnectAttempt): void {
    if (!this.completed && this.entries.has(attempt.service)) this.connectsSubject.next(attempt);
  }

  /** The server process of a service the streams know started. */
  processStarted(start: ProcessStart): void {
    if (!this.completed && this.entries.has(start.service)) this.processStartsSubject.next(start);
  }

  /** Shows a service whose actor is gone for good (restart budget exhausted) as DISCONNECTED. */
  markDisconnected(key: string, reason: string, at: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    const { context } = entry.reading;
    const cause: TransitionCause = 'restart_budget_exhausted';
    const disconnected = { ...context, disconnectReason: reason, stateEnteredTime: at, retry: { ...context.retry, nextRetryTime: null }, cause };
    this.update({ state: 'DISCONNECTED', available: false, context: disconnected }, at, { cause, reason });
  }

  /** The service is gone: a final transition to REMOVED. */
  remove(key: string, at: number, { cause, reason }: Cause): void {
    const previous = this.entries.get(key);
    if (!previous || this.completed) return;
    this.entries.delete(key);
    this.tally.count(partOf(previous.reading), -1);
    this.reordered = true;
    this.transitionsSubject.next({ service: key, agent: previous.reading.context.agentId, from: previous.reading.state, to: 'REMOVED', at, cause, reason });
    this.changed(key);
  }

  get(key: string): ServiceSnapshot | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    entry.snapshot ??= toServiceSnapshot(entry.reading);
    return entry.snapshot;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  list(): ServiceSnapshot[] {
    return [...this.entries.keys()].map((key) => this.get(key) as ServiceSnapshot);
  }

  metrics(): FleetMetrics {
    return this.tally.metrics();
  }

  /** Calls `watcher.changed` after every change of service `key`, unbatched; returns the unwatch. */
  watch(key: string, watcher: ServiceWatcher): () => void {
    if (this.completed) {
      watcher.ended();
      return () => undefined;
    }
    let set = this.watchers.get(key);
    if (!set) this.watchers.set(key, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.watchers.get(key) === set) this.watchers.delete(key);
    };
  }

  /** Emits what is pending and completes every stream. */
  complete(): void {
    if (this.completed) return;
    this.flush();
    this.completed = true;
    this.servicesSubject.complete();
    this.transitionsSubject.complete();
    this.metricsSubject.complete();
    this.probesSubject.complete();
    this.connectsSubject.complete();
    this.processStartsSubject.complete();
    const watchers = [...this.watchers.values()].flatMap((set) => [...set]);
    this.watchers.clear();
    for (const watcher of watchers) watcher.ended();
  }

  private changed(key: string) {
    const watchers = this.watchers.get(key);
    if (watchers) for (const watcher of [...watchers]) watcher.changed();
    this.dirty.add(key);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    if (this.batchWindowMs > 0) this.windowTimer = this.timers.setTimeout(() => this.flush(), this.batchWindowMs);
    else setImmediate(() => this.flush());
  }

  private flush() {
    if (!this.flushScheduled || this.completed) return;
    this.flushScheduled = false;
    if (this.windowTimer !== null) this.timers.clearTimeout(this.windowTimer);
    this.windowTimer = null;
    const view = this.nextView();
    this.view = view;
    this.dirty.clear();
    this.reordered = false;
    this.servicesSubject.next(view);
    const metrics = this.tally.metrics();
    const serialised = JSON.stringify(metrics);
    if (serialised !== this.lastMetrics) {
      this.lastMetrics = serialised;
      this.metricsSubject.next(metrics);
    }
  }

  /** Every service's snapshot, in the order they were added; only the changed ones are looked up. */
  private nextView(): FleetView {
    if (this.reordered || this.view === null) {
      return FleetView.of([...this.entries.keys()].map((key) => [key, this.get(key) as ServiceSnapshot] as const));
    }
    // No service was removed since the last emission: every changed one is still there.
    const changed = new Map<string, ServiceSnapshot>();
    for (const key of this.dirty) changed.set(key, this.get(key) as ServiceSnapshot);
    return this.view.with(changed);
  }
}
