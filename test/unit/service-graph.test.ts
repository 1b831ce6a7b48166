// Model-based check of the lifecycle statechart: xstate/graph walks every reachable snapshot
// under every event the machine itself names, and the top-level edges it finds must be exactly the
// edges of the lifecycle transition table — none missing, none extra.

import { describe, expect, it } from 'vitest';
import { createActor, type ActorLogic, type AnyStateNode, type EventObject, type SnapshotFrom } from 'xstate';
import { adjacencyMapToArray, getAdjacencyMap, type AdjacencyMap } from 'xstate/graph';
import { PSEUDO_STATE } from '../../src/machines/diagram.js';
import type { ServiceMachineInput } from '../../src/machines/service.context.js';
import { serviceMachine, type ServiceMachine } from '../../src/machines/service.machine.js';
import type { TransitionCause } from '../../src/machines/transition-cause.js';

type Snapshot = SnapshotFrom<ServiceMachine>;

/**
 * The machine's declared event type lists only the events callers send; the timers and invoked actors
 * deliver XState's internal ones (`xstate.after.*`, `xstate.done.actor.*`, `xstate.error.actor.*`),
 * which `transition` accepts all the same. The traversal sends both, so it sees the machine as taking
 * any event (and, since the graph's mock scope emits nothing typed, as emitting any).
 */
const logic = serviceMachine as unknown as ActorLogic<Snapshot, EventObject, ServiceMachineInput>;

/** Small thresholds keep the state space small and finite. */
const input: ServiceMachineInput = {
  serviceName: 's',
  transport: { type: 'stdio', command: 'x', args: [], env: {} },
  config: { warningFailureThreshold: 2, reconnectingFailureThreshold: 3, maxReconnectAttempts: 2, maxUnreachableRetries: 2 },
};

/** Every event type any state node of the chart reacts to: `on`, `after`, invoke `onDone`/`onError`. */
function eventTypesOf(node: AnyStateNode): string[] {
  return [...node.transitions.keys(), ...Object.values(node.states).flatMap(eventTypesOf)];
}

/**
 * Each event type with the payloads its source would send: two for probe answers (timed, and answered
 * by a recent tool call) and two for probe failures (an error, and −32601).
 */
function samplesOf(type: string): EventObject[] {
  if (type === 'xstate.done.actor.connect') {
    return [{ type, output: { connectionId: 'c1', serverInfo: null, protocol: { era: 'modern', version: '2026-07-28' }, tools: [] } } as EventObject];
  }
  if (type === 'xstate.done.actor.listTools') return [{ type, output: [] } as EventObject];
  if (type.startsWith('xstate.done.actor.')) return [{ type, output: undefined } as EventObject];
  if (type === 'PROBE_OK') return [{ type, responseTime: 5 } as EventObject, { type, responseTime: null } as EventObject];
  if (type === 'PROBE_FAILED') {
    return [{ type, error: new Error('x') } as EventObject, { type, error: { code: -32601 } } as EventObject];
  }
  if (type === 'CALL_FAILED') return [{ type, error: new Error('tools/call timed out') } as EventObject];
  if (type.startsWith('xstate.error.actor.')) return [{ type, error: new Error('x') } as EventObject];
  if (type === 'CONNECTION_LOST') return [{ type, reason: 'process exited with code 1' } as EventObject];
  if (type === 'STOP') return [{ type }, { type, cause: 'config_changed', reason: 'config changed' } as EventObject];
  return [{ type }];
}

const events = [...new Set(eventTypesOf(serviceMachine.root))].flatMap(samplesOf);

const ACTOR_EVENT = /^xstate\.(?:done|error)\.actor\.(.+)$/;

/**
 * The events that can arrive in `snapshot`: any caller event, any timer (one whose state is not active
 * matches no transition), but an actor's done/error only while that actor runs. XState stops an invoked
 * actor when its state is left, and an error from an actor that is not running would make the machine
 * itself fail — something no real run can produce.
 */
function eventsArrivingIn(snapshot: Snapshot): EventObject[] {
  return events.filter((event) => {
    const actor = ACTOR_EVENT.exec(event.type)?.[1];
    return actor === undefined || actor in snapshot.children;
  });
}

/**
 * State value and counters, never timestamps. Guards compare `consecutiveSuccesses` and
 * `reconnectAttempts` only against a threshold, so values past it behave alike and are folded into it:
 * otherwise HEALTHY's success count (and RECONNECT_NOW loops through UNREACHABLE) would grow for ever.
 */
function serializeSnapshot(snapshot: Snapshot): string {
  const { context } = snapshot;
  return JSON.stringify({
    value: snapshot.value,
    status: snapshot.status,
    consecutiveFailures: context.health.consecutiveFailures,
    consecutiveSuccesses: Math.min(context.health.consecutiveSuccesses, context.config.recoverySuccessThreshold),
    reconnectAttempts: Math.min(context.retry.reconnectAttempts, context.config.maxReconnectAttempts),
    unreachableRetries: context.retry.unreachableRetries,
    restartRequested: context.restartRequested,
    toolsStale: context.tools.changes > context.tools.listedChanges,
  });
}

/** Where a service starts; the actor is never started, so nothing it invokes runs. */
const initial = createActor(serviceMachine, { input }).getSnapshot();

// xstate/graph steps `transition` with a mock actor scope: invoked actors are created (they show in
// `snapshot.children`) but never started, and no timer is scheduled, so every actor result and every
// delay happens exactly when the traversal sends its event.
const adjacency: AdjacencyMap<Snapshot, EventObject> = getAdjacencyMap(logic, {
  fromState: initial,
  events: eventsArrivingIn,
  serializeState: serializeSnapshot,
  limit: 50_000, // throws if the state space were not finite
});

/** Every step the traversal took: a snapshot, an event, and the snapshot it led to. */
const steps = adjacencyMapToArray(adjacency).map(({ state, event, nextState }) => ({ from: state, event, to: nextState }));

/** The top-level lifecycle state; the final REMOVED is the diagram's `[*]`. */
function topState(snapshot: Snapshot): string {
  if (snapshot.status === 'done') return PSEUDO_STATE;
  return typeof snapshot.value === 'string' ? snapshot.value : (Object.keys(snapshot.value)[0] ?? '?');
}

/** RECONNECTING's next attempt after the backoff (or RECONNECT_NOW): waiting → attempting. */
const isNextReconnectAttempt = (from: Snapshot, to: Snapshot) =>
  from.matches({ RECONNECTING: 'waiting' }) && to.matches({ RECONNECTING: 'attempting' });

const edge = (from: string, to: string) => `${from} → ${to}`;

function observedEdges(): string[] {
  const found = new Set([edge(PSEUDO_STATE, topState(initial))]);
  for (const { from, to } of steps) {
    const [a, b] = [topState(from), topState(to)];
    if (a !== b || isNextReconnectAttempt(from, to)) found.add(edge(a, b));
  }
  return [...found].sort();
}

/** The lifecycle transition table, as top-level edges. */
const LIFECYCLE_EDGES = [
  edge('[*]', 'INITIALIZING'),
  edge('INITIALIZING', 'HEALTHY'),
  edge('INITIALIZING', 'RECONNECTING'),
  edge('HEALTHY', 'WARNING'),
  edge('HEALTHY', 'RECONNECTING'),
  edge('WARNING', 'HEALTHY'),
  edge('WARNING', 'RECONNECTING'),
  edge('RECONNECTING', 'HEALTHY'),
  edge('RECONNECTING', 'RECONNECTING'),
  edge('RECONNECTING', 'UNREACHABLE'),
  edge('UNREACHABLE', 'RECONNECTING'),
  edge('UNREACHABLE', 'DISCONNECTED'),
  ...['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE'].map((state) => edge(state, 'DISCONNECTING')),
  edge('DISCONNECTING', 'DISCONNECTED'),
  edge('DISCONNECTING', 'INITIALIZING'),
  edge('DISCONNECTED', 'INITIALIZING'),
  edge('DISCONNECTED', '[*]'),
];

/** The causes each top-level edge may record: the edge that decides the move names it. */
const STOPPED: TransitionCause[] = ['manual_stop', 'config_changed'];
const CAUSES_BY_EDGE: Record<string, TransitionCause[]> = {
  [edge('INITIALIZING', 'HEALTHY')]: ['connected'],
  [edge('INITIALIZING', 'RECONNECTING')]: ['connect_failed'],
  [edge('HEALTHY', 'WARNING')]: ['probe_threshold'],
  [edge('HEALTHY', 'RECONNECTING')]: ['probe_threshold', 'connection_lost'],
  [edge('WARNING', 'HEALTHY')]: ['recovered'],
  [edge('WARNING', 'RECONNECTING')]: ['probe_threshold', 'connection_lost'],
  [edge('RECONNECTING', 'HEALTHY')]: ['reconnected'],
  [edge('RECONNECTING', 'UNREACHABLE')]: ['attempts_exhausted'],
  [edge('UNREACHABLE', 'RECONNECTING')]: ['long_cycle_retry', 'manual_reconnect'],
  [edge('UNREACHABLE', 'DISCONNECTED')]: ['retries_exhausted'],
  ...Object.fromEntries(
    ['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE'].map((state) => [edge(state, 'DISCONNECTING'), [...STOPPED, 'manual_restart']]),
  ),
  [edge('DISCONNECTING', 'DISCONNECTED')]: STOPPED,
  [edge('DISCONNECTING', 'INITIALIZING')]: ['manual_restart'],
  [edge('DISCONNECTED', 'INITIALIZING')]: ['manual_restart'],
};

describe('lifecycle statechart, explored exhaustively (model-based)', () => {
  it('reaches a finite state space from the initial snapshot', () => {
    expect(Object.keys(adjacency).length).toBeGreaterThan(20);
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['STOP', 'RESTART', 'REMOVE', 'CHECK_NOW', 'RECONNECT_NOW', 'CONNECTION_LOST', 'TOOLS_CHANGED']),
    );
  });

  it('never fails: no reachable snapshot is in error', () => {
    expect(steps.filter(({ to }) => to.status === 'error')).toEqual([]);
  });

  it('has exactly the transitions of the lifecycle table: none missing, none extra', () => {
    expect(observedEdges()).toEqual([...LIFECYCLE_EDGES].sort());
  });

  it('records on every edge the cause that decided it', () => {
    const moves = steps.filter(({ from, to }) => topState(from) !== topState(to) && topState(to) !== PSEUDO_STATE);
    expect(moves.length).toBeGreaterThan(0);
    for (const { from, to } of moves) {
      const key = edge(topState(from), topState(to));
      expect({ edge: key, cause: to.context.cause }).toEqual({ edge: key, cause: expect.toBeOneOf(CAUSES_BY_EDGE[key] ?? []) as unknown });
    }
    const recorded = new Set(moves.map(({ to }) => to.context.cause));
    expect([...recorded].sort()).toEqual([...new Set(Object.values(CAUSES_BY_EDGE).flat())].sort());
  });

  it('resets the counters when RECONNECTING reaches HEALTHY', () => {
    const recoveries = steps.filter(({ from, to }) => topState(from) === 'RECONNECTING' && topState(to) === 'HEALTHY');
    expect(recoveries.length).toBeGreaterThan(0);
    for (const { to } of recoveries) {
      expect(to.context).toMatchObject({ health: { consecutiveFailures: 0 }, retry: { reconnectAttempts: 0, unreachableRetries: 0 } });
    }
  });

  it('resets the counters on RESTART: DISCONNECTED or DISCONNECTING → INITIALIZING', () => {
    const restarts = steps.filter(({ from, to }) => topState(from) !== 'INITIALIZING' && topState(to) === 'INITIALIZING');
    expect(restarts.length).toBeGreaterThan(0);
    for (const { to } of restarts) {
      expect(to.context).toMatchObject({
        health: { consecutiveFailures: 0, consecutiveSuccesses: 0 },
        retry: { reconnectAttempts: 0, unreachableRetries: 0 },
        restartRequested: false,
      });
    }
  });

  it('moves every state but DISCONNECTED to DISCONNECTING on STOP', () => {
    const stops = steps.filter(({ event }) => event.type === 'STOP');
    for (const { from, to } of stops) {
      const state = topState(from);
      if (state === 'DISCONNECTED' || state === PSEUDO_STATE) expect(topState(to)).toBe(state);
      else expect(topState(to)).toBe('DISCONNECTING');
    }
  });

  it('counts a ping answered with −32601 (method not found) as a success', () => {
    const pinging = (snapshot: Snapshot) =>
      snapshot.matches({ HEALTHY: { health: 'pinging' } }) || snapshot.matches({ WARNING: { health: 'pinging' } });
    const answers = steps.filter(
      ({ from, event }) =>
        pinging(from) && event.type === 'PROBE_FAILED' && (event as { error?: { code?: unknown } }).error?.code === -32601,
    );
    expect(answers.some(({ from }) => from.context.health.consecutiveFailures > 0)).toBe(true);
    for (const { from, to } of answers) {
      expect(to.context.health.consecutiveFailures).toBe(0);
      expect(to.context.health.consecutiveSuccesses).toBe(from.context.health.consecutiveSuccesses + 1);
      expect(topState(to)).toBe('HEALTHY');
    }
  });
});
