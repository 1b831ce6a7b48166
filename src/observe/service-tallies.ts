// Cumulative counters per service since the tallies started, for the operators' views: what the
// current consecutive counts forget (a service that failed all night and is HEALTHY now still shows its
// failures). Fed only by the supervisor's event streams; survives an actor's replacement (a crash
// restart, a config change); forgets a service once it is removed.
//
// Interface (stable; the terminal and web dashboards read it):
//   const tallies = new ServiceTallies(supervisor, clock?)  // clock: { now() }, the supervisor's; default Date
//   tallies.get('files')    → ServiceTally | undefined      (a fresh copy, availability up to now)
//   tallies.all()           → ServiceTally[]                (in the order the services were first seen)
//   tallies.changes$        → Observable<string>            (the key of each service whose tally changed)
//   tallies.close()                                          (stops listening; changes$ completes)

import { Subject, type Observable, type Subscription } from 'rxjs';
import type { ServiceState } from '../machines/service.machine.js';
import type { ConnectAttempt, Probe, ProcessStart } from '../supervisor/check-events.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { Transition } from '../supervisor/transition.js';

/** How many recent response times a tally keeps (for a sparkline). */
export const RECENT_RESPONSE_TIMES = 30;

/** What the tallies listen to: a {@link Supervisor}'s event streams and its list of services. */
export type TalliedSupervisor = Pick<Supervisor, 'transitions$' | 'probes$' | 'connects$' | 'processStarts$' | 'listServices'>;

/** What a tally's clock must give: epoch ms (the supervisor's clock; `Date` by default). */
export interface TallyClock {
  now(): number;
}

/** The kinds of incident a tally remembers the last of. */
export type IncidentKind = 'check_failed' | 'connect_failed' | 'connection_lost' | 'crashed';

/** The last thing that went wrong with a service. */
export interface Incident {
  /** When it happened: epoch ms. */
  readonly at: number;
  /** What happened. */
  readonly kind: IncidentKind;
  /** The whole error message (secret-free), or the transition's sentence for a loss or a crash. */
  readonly message: string;
  /** The error's stable code, when it had one. */
  readonly code: string | null;
}

/** One service's cumulative counters since the tallies started (or since it was added, if later). */
export interface ServiceTally {
  /** Fleet key of the service (`name` or `agent/name`). */
  readonly service: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  readonly agent: string | null;
  /** Since when it is counted: epoch ms. */
  readonly since: number;
  /** Its lifecycle state now. */
  readonly state: ServiceState;
  /** Health checks finished, passed or failed. */
  readonly checks: number;
  /** Failed health checks plus failed connect attempts: every failure the lifecycle counted. */
  readonly failures: number;
  /** Failed health checks (failed, timed out, or a tool call failing at the transport level). */
  readonly failedChecks: number;
  /** Connect attempts that failed (the first connect's, and reconnect attempts). */
  readonly failedConnects: number;
  /** Reconnect attempts made (each attempt of a reconnect cycle, whatever its outcome). */
  readonly reconnects: number;
  /** Times the service's actor crashed (restarted by the supervisor, or given up on). */
  readonly crashes: number;
  /** Starts of its server process (stdio only; a remote server has none). */
  readonly processStarts: number;
  /** Starts beyond the first: how often its server process was restarted. */
  readonly processRestarts: number;
  /** Time it was available (HEALTHY or WARNING), in ms. */
  readonly availableMs: number;
  /** Time it was known, in any state, in ms. */
  readonly knownMs: number;
  /** `availableMs` / `knownMs` as a percentage; null before any time has passed. */
  readonly availability: number | null;
  /** The last failure, loss or crash; null when there was none. */
  readonly lastIncident: Incident | null;
  /** The response time of the last answered probe, in ms; null before one. */
  readonly lastResponseTime: number | null;
  /** The last {@link RECENT_RESPONSE_TIMES} response times, oldest first. */
  readonly recentResponseTimes: readonly number[];
}

const AVAILABLE: ReadonlySet<ServiceState> = new Set<ServiceState>(['HEALTHY', 'WARNING']);

/** A tally as kept: the counters, and the state whose time is still running. */
interface Running {
  counts: { -readonly [K in Exclude<keyof ServiceTally, 'state' | 'availableMs' | 'knownMs' | 'availability' | 'processRestarts'>]: ServiceTally[K] };
  state: ServiceState;
  /** When `state` was entered (or counting began). */
  stateSince: number;
  /** Time of the states already left. */
  availableMs: number;
  knownMs: number;
}

/** Cumulative per-service counters, kept from the supervisor's transitions, probes, connects and process starts. */
export class ServiceTallies {
  private readonly tallies = new Map<string, Running>();
  private readonly changesSubject = new Subject<string>();
  private readonly subscriptions: Subscription[];
  /** The key of each service whose tally changed (read it with `get`; undefined once it is forgotten). */
  readonly changes$: Observable<string> = this.changesSubject.asObservable();

  constructor(
    supervisor: TalliedSupervisor,
    private readonly clock: TallyClock = Date,
  ) {
    const now = clock.now();
    for (const service of supervisor.listServices()) this.begin(service.key, service.agentId, service.state, now);
    this.subscriptions = [
      supervisor.transitions$.subscribe((transition) => this.transitioned(transition)),
      supervisor.probes$.subscribe((probe) => this.probed(probe)),
      supervisor.connects$.subscribe((attempt) => this.connectEnded(attempt)),
      supervisor.processStarts$.subscribe((start) => this.processStarted(start)),
    ];
  }

  /** One service's tally now, or undefined when the service is not (or no longer) known. */
  get(service: string): ServiceTally | undefined {
    const running = this.tallies.get(service);
    return running ? this.view(running, this.clock.now()) : undefined;
  }

  /** Every known service's tally now, in the order they were first seen. */
  all(): ServiceTally[] {
    const now = this.clock.now();
    return [...this.tallies.values()].map((running) => this.view(running, now));
  }

  /** Stops listening to the supervisor; `changes$` completes. The tallies read as they were. */
  close(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.changesSubject.complete();
  }

  private view(running: Running, now: number): ServiceTally {
    const elapsed = Math.max(0, now - running.stateSince);
    const knownMs = running.knownMs + elapsed;
    const availableMs = running.availableMs + (AVAILABLE.has(running.state) ? elapsed : 0);
    return {
      ...running.counts,
      recentResponseTimes: [...running.counts.recentResponseTimes],
      state: running.state,
      processRestarts: Math.max(0, running.counts.processStarts - 1),
      availableMs,
      knownMs,
      availability: knownMs > 0 ? (availableMs / knownMs) * 100 : null,
    };
  }

  private begin(service: string, agent: string | null, state: ServiceState, at: number): Running {
    const running: Running = {
      counts: {
        service,
        agent,
        since: at,
        checks: 0,
        failures: 0,
        failedChecks: 0,
        failedConnects: 0,
        reconnects: 0,
        crashes: 0,
        processStarts: 0,
        lastIncident: null,
        lastResponseTime: null,
        recentResponseTimes: [],
      },
      state,
      stateSince: at,
      availableMs: 0,
      knownMs: 0,
    };
    this.tallies.set(service, running);
    return running;
  }

  private transitioned(transition: Transition) {
    const { service, to, at } = transition;
    if (to === 'REMOVED') {
      if (this.tallies.delete(service)) this.changesSubject.next(service);
      return;
    }
    const running = this.tallies.get(service) ?? this.begin(service, transition.agent, to, at);
    const elapsed = Math.max(0, at - running.stateSince);
    running.knownMs += elapsed;
    if (AVAILABLE.has(running.state)) running.availableMs += elapsed;
    running.state = to;
    running.stateSince = at;
    const { counts } = running;
    if (transition.cause === 'crashed' || transition.cause === 'restart_budget_exhausted') {
      counts.crashes += 1;
      counts.lastIncident = { at, kind: 'crashed', message: transition.reason, code: null };
    } else if (transition.cause === 'connection_lost') {
      counts.lastIncident = { at, kind: 'connection_lost', message: transition.reason, code: null };
    }
    this.changesSubject.next(service);
  }

  private probed(probe: Probe) {
    const running = this.tallies.get(probe.service);
    if (!running) return;
    const { counts } = running;
    counts.checks += 1;
    if (probe.failure) {
      counts.failures += 1;
      counts.failedChecks += 1;
      counts.lastIncident = { at: probe.at, kind: 'check_failed', message: probe.failure.message, code: probe.failure.code };
    }
    if (probe.responseTime !== null) {
      counts.lastResponseTime = probe.responseTime;
      counts.recentResponseTimes = [...counts.recentResponseTimes, probe.responseTime].slice(-RECENT_RESPONSE_TIMES);
    }
    this.changesSubject.next(probe.service);
  }

  private connectEnded(attempt: ConnectAttempt) {
    const running = this.tallies.get(attempt.service);
    if (!running) return;
    const { counts } = running;
    if (attempt.attempt > 0) counts.reconnects += 1;
    if (attempt.failure) {
      counts.failures += 1;
      counts.failedConnects += 1;
      counts.lastIncident = { at: attempt.at, kind: 'connect_failed', message: attempt.failure.message, code: attempt.failure.code };
    }
    this.changesSubject.next(attempt.service);
  }

  private processStarted(start: ProcessStart) {
    const running = this.tallies.get(start.service);
    if (!running) return;
    running.counts.processStarts += 1;
    this.changesSubject.next(start.service);
  }
}
