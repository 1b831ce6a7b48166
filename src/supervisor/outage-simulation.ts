// A what-if for one service's thresholds and backoff: the real service statechart and the real
// connection code, run in virtual time against an in-memory server that is healthy, then down for the
// outage, then back; returns what the chart did.
//
// The scenario: the service connects and passes one health check; the outage starts right after that
// check (t = 0, the worst moment for detection: a whole check interval passes before the next ping).
// During the outage every connect is refused and every probe answered with an error ('refused': a
// server that is down), or both hang until the chart's timeouts ('timeout': a silent network), or the
// server dies at t = 0 and connects are refused ('crash': a process that died). From the end of the
// outage on, everything succeeds again. Jitter uses the service's own fixed seed, so the same scenario
// always gives the same timeline.

import { createActor, type StateValue } from 'xstate';
import type { ServiceConfig } from '../config/model.js';
import type { ServiceContext } from '../machines/service.context.js';
import { AVAILABLE, lifecycleState, serviceMachine, type ServiceState } from '../machines/service.machine.js';
import { McpSupervisorError } from '../mcp-supervisor-error.js';
import { InMemoryConnections } from '../testing/in-memory-connections.js';
import { tool, type ServiceScript } from '../testing/service-script.js';
import { describeTransition } from './transition.js';
import { settle, VirtualClock } from './virtual-clock.js';

/** The scenario cannot be simulated (an outage of 0 ms), or the simulation could not run it to an end. */
export class SimulationError extends McpSupervisorError {
  readonly code = 'SIMULATION_FAILED';
}

/** How the simulated outage fails: refused at once, hanging until timeouts, or a crashed process. */
export const OUTAGE_KINDS = ['refused', 'timeout', 'crash'] as const;
/** One of {@link OUTAGE_KINDS}. */
export type OutageKind = (typeof OUTAGE_KINDS)[number];

export const OUTAGE_DESCRIPTIONS: Readonly<Record<OutageKind, string>> = {
  refused: 'pings and connects are refused',
  timeout: 'pings and connects hang until they time out',
  crash: 'the connection drops (the process dies) and connects fail',
};

/** What `simulateOutage` runs: one service, an outage of `outageMs` of a `kind` (default `refused`). */
export interface OutageScenario {
  /** The service as loaded (its `lifecycle` settings are what is simulated). */
  service: Pick<ServiceConfig, 'name' | 'agentId' | 'transport' | 'lifecycle'>;
  /** How long the outage lasts, in ms (more than 0). */
  outageMs: number;
  /** How the outage fails; default `refused`. */
  kind?: OutageKind;
  /** Simulated time after the outage starts; default: until the service is HEALTHY again (at most outage + 24 h). */
  durationMs?: number;
}

/** What a timeline entry records. */
export type TimelineEvent = 'transition' | 'ping-failed' | 'retry-scheduled' | 'outage-start' | 'outage-end';

/** One moment of a simulated timeline. */
export interface TimelineEntry {
  /** Milliseconds from the start of the outage (negative before it). */
  at: number;
  /** What the entry records. */
  event: TimelineEvent;
  /** The lifecycle state after the event. */
  state: ServiceState;
  /** The state before, for a transition. */
  from: ServiceState | null;
  /** What happened, in a sentence. */
  reason: string;
  /** When the next reconnect attempt is due (ms from the outage start), while one is scheduled. */
  nextRetryAt: number | null;
}

/** Why the timeline stops. */
export type SimulationEnd = 'recovered' | 'gave-up' | 'duration' | 'limit';

/** What the statechart did through a simulated outage: its timeline, and the figures a reader looks for. */
export interface OutageSimulation {
  /** The service's fleet key. */
  service: string;
  /** The scenario's outage kind. */
  kind: OutageKind;
  /** The scenario's outage length, in ms. */
  outageMs: number;
  /** The last simulated moment (ms from the outage start). */
  endedAt: number;
  /** Why the timeline stops. */
  end: SimulationEnd;
  /** What happened, in order. */
  entries: TimelineEntry[];
  /** When the service stopped being available (left HEALTHY/WARNING); null if it never did. */
  unavailableAt: number | null;
  /** When it was HEALTHY again after being unavailable; null if not within the timeline. */
  recoveredAt: number | null;
  /** Failed pings and connects from the outage start on. */
  failures: number;
  /** Reconnect attempts from the outage start on. */
  reconnectAttempts: number;
  /** Long-cycle (UNREACHABLE) retries made, at most. */
  unreachableRetries: number;
  /** The state at the end of the timeline. */
  finalState: ServiceState;
}

/** How long a simulation without `durationMs` may run past the outage before it stops. */
export const RECOVERY_LIMIT_MS = 24 * 60 * 60 * 1000;
const MAX_STEPS = 1_000_000;

const topStateOf = (value: StateValue) => lifecycleState(value) as ServiceState;

/**
 * Runs the real service statechart in virtual time through `scenario`: healthy, then down for the
 * outage, then back. The same scenario always gives the same timeline (jitter has the service's own
 * fixed seed). Rejects with SimulationError on an outage of 0 ms or less.
 */
export async function simulateOutage(scenario: OutageScenario): Promise<OutageSimulation> {
  const kind = scenario.kind ?? 'refused';
  if (!(scenario.outageMs > 0)) throw new SimulationError(`the outage must be longer than 0 ms, got ${scenario.outageMs}`);
  const clock = new VirtualClock(0);
  const connections = new InMemoryConnections({ clock, script: SIMULATED_SERVICE });
  const actor = createActor(serviceMachine.provide({ actors: connections.actors }), {
    clock,
    input: {
      serviceName: scenario.service.name,
      agentId: scenario.service.agentId,
      transport: scenario.service.transport,
      config: scenario.service.lifecycle,
    },
  });
  connections.register(actor.getSnapshot().context.serviceKey, scenario.service.transport);

  interface Recorded extends Omit<TimelineEntry, 'at' | 'nextRetryAt'> {
    time: number;
    nextRetryTime: number | null;
    /** The chart tags the state available (its tools may be called). */
    available: boolean;
  }
  const recorded: Recorded[] = [];
  let previous: { state: ServiceState; context: ServiceContext } | null = null;
  let unreachableRetries = 0;
  actor.subscribe((snapshot) => {
    const state = topStateOf(snapshot.value);
    const context = snapshot.context;
    unreachableRetries = Math.max(unreachableRetries, context.retry.unreachableRetries);
    const entry = (event: TimelineEvent, reason: string, from: ServiceState | null = null) =>
      recorded.push({ time: clock.now(), event, state, from, reason, nextRetryTime: context.retry.nextRetryTime, available: snapshot.hasTag(AVAILABLE) });
    if (previous === null || previous.state !== state) {
      entry('transition', describeTransition(context.cause, state, context), previous?.state ?? null);
    } else if (snapshot.hasTag(AVAILABLE) && context.health.totalFailures > previous.context.health.totalFailures) {
      entry('ping-failed', `check failed (${context.health.consecutiveFailures} in a row): ${context.errorMessage ?? 'no answer'}`);
    } else if (state === 'RECONNECTING' && context.retry.nextRetryTime !== null && context.retry.nextRetryTime !== previous.context.retry.nextRetryTime) {
      entry('retry-scheduled', `reconnect attempt ${context.retry.reconnectAttempts} failed: ${context.errorMessage ?? 'no answer'}`);
    }
    previous = { state, context };
  });
  const current = () => actor.getSnapshot();
  const marker = (event: TimelineEvent, reason: string) =>
    recorded.push({
      time: clock.now(),
      event,
      state: topStateOf(current().value),
      from: null,
      reason,
      nextRetryTime: current().context.retry.nextRetryTime,
      available: current().hasTag(AVAILABLE),
    });

  let steps = 0;
  /**
   * Fires every timer due before `time` (and at `time` too, unless `before`), in order, letting each
   * one's effects settle, then moves the clock to `time`.
   */
  const runUntil = async (time: number, stop: () => boolean = () => false, before = false) => {
    for (;;) {
      if (++steps > MAX_STEPS) throw new SimulationError(`the simulation did not settle within ${MAX_STEPS} steps`);
      if (stop()) return true;
      const due = clock.nextDue();
      if (due === null || due > time || (before && due === time)) break;
      clock.advanceTo(due, 1);
      await settle();
    }
    clock.advanceTo(time, 0);
    return stop();
  };

  try {
    actor.start();
    await settle();
    // Lead-in: connected, and one health check passed.
    const leadIn = scenario.service.lifecycle.startupWaitTime + scenario.service.lifecycle.connectTimeout;
    const ready = () => topStateOf(current().value) === 'HEALTHY' && current().context.health.lastHealthCheck !== null;
    if (!(await runUntil(clock.now() + leadIn, ready))) {
      throw new SimulationError(`the service did not pass its first health check within ${leadIn} ms of the simulation`);
    }

    const outageStart = clock.now();
    const baseline = current().context;
    const outageEnd = outageStart + scenario.outageMs;
    marker('outage-start', `outage begins: ${OUTAGE_DESCRIPTIONS[kind]}`);
    Object.assign(connections.defaults, OUTAGES[kind]);
    if (kind === 'crash') {
      connections.loseConnection('process exited with code 1 (simulated crash)');
      await settle();
    }

    const limit = outageStart + (scenario.durationMs ?? scenario.outageMs + RECOVERY_LIMIT_MS);
    const gaveUp = () => topStateOf(current().value) === 'DISCONNECTED';
    const recovered = () =>
      scenario.durationMs === undefined &&
      clock.now() >= outageEnd &&
      topStateOf(current().value) === 'HEALTHY' &&
      current().context.health.consecutiveFailures === 0;
    const finished = () => gaveUp() || recovered();

    let end: SimulationEnd;
    // The server answers again from the outage's end on: what falls due at that moment finds it back.
    if (outageEnd <= limit && !(await runUntil(outageEnd, gaveUp, true))) {
      Object.assign(connections.defaults, SIMULATED_SERVICE);
      marker('outage-end', 'outage ends: the server answers again');
    }
    if (await runUntil(limit, finished)) end = gaveUp() ? 'gave-up' : 'recovered';
    else end = scenario.durationMs === undefined ? 'limit' : 'duration';

    const entries = recorded.map(({ time, nextRetryTime, available: _available, ...rest }) => ({
      ...rest,
      at: time - outageStart,
      nextRetryAt: nextRetryTime === null ? null : nextRetryTime - outageStart,
    }));
    const during = recorded.filter((entry) => entry.time >= outageStart && entry.event === 'transition');
    const unavailable = during.find((entry) => !entry.available);
    const backAt = unavailable && during.find((entry) => entry.time >= unavailable.time && entry.state === 'HEALTHY');
    const last = current().context;
    return {
      service: last.serviceKey,
      kind,
      outageMs: scenario.outageMs,
      endedAt: clock.now() - outageStart,
      end,
      entries,
      unavailableAt: unavailable ? unavailable.time - outageStart : null,
      recoveredAt: backAt ? backAt.time - outageStart : null,
      failures: last.health.totalFailures - baseline.health.totalFailures,
      reconnectAttempts: last.retry.totalReconnectAttempts - baseline.retry.totalReconnectAttempts,
      unreachableRetries,
      finalState: topStateOf(current().value),
    };
  } finally {
    actor.stop();
    await connections.closeAll();
  }
}

/** The simulated service when it is up: a modern server with one tool, answering everything at once. */
const SIMULATED_SERVICE: Partial<ServiceScript> = {
  era: 'modern',
  serverInfo: { name: 'simulated', version: '0' },
  tools: [tool('simulated')],
  connect: 'succeed',
  ping: 'succeed',
  listTools: 'succeed',
};

/** What each kind of outage changes in the script while it lasts. */
const OUTAGES: Readonly<Record<OutageKind, Partial<ServiceScript>>> = {
  refused: { connect: 'fail', ping: 'fail', listTools: 'fail', failure: 'connection refused (simulated outage)' },
  // Nothing answers: the chart's own timeouts end each attempt.
  timeout: { connect: 'hang', ping: 'hang', listTools: 'hang' },
  crash: { connect: 'fail', ping: 'fail', listTools: 'fail', failure: 'the server process exited with code 1 (simulated outage)' },
};
