// The parent actor: the one owner of the fleet's structure. It spawns one service actor per service (OTP
// style: a child never outlives it), stops and removes services, replaces one whose config changed, restarts
// a crashed child within a restart budget, sweeps out services DISCONNECTED for too long, and stops the
// whole fleet. Every decision it takes about a service is emitted (`service.spawned`, `service.removed`,
// `service.gave_up`) with its cause, for the Supervisor to publish; it does no I/O of its own.

import { enqueueActions, fromCallback, setup, type ActorRefFrom, type AnyActorRef, type EventObject } from 'xstate';
import { clockNow } from '../machines/clock.js';
import {
  DEFAULT_LIFECYCLE_CONFIG,
  DEFAULT_SUPERVISOR_SETTINGS,
  resolveLifecycleConfig,
  type SupervisorSettings,
} from '../machines/defaults.js';
import { failureMessage } from '../machines/failure.js';
import type { ServiceMachineInput } from '../machines/service.context.js';
import { lifecycleState, serviceMachine } from '../machines/service.machine.js';
import type { Cause, StopCause, TransitionCause } from '../machines/transition-cause.js';

const HOUR = 3_600_000;
const CRASH = 'xstate.error.actor.';
/** How long past its disconnect timeout a stopping service is waited for before the parent goes on. */
export const STOP_GRACE_MS = 1_000;

/** A supervised service's actor. */
export type ServiceActorRef = ActorRefFrom<typeof serviceMachine>;

/** What happens once a stopping service is DISCONNECTED (or its stop ran out of time). */
export type AfterStop =
  /** It is removed from the fleet. */
  | { then: 'remove'; cause: TransitionCause; reason: string }
  /** A new actor takes its place, spawned with `input` (a config change). */
  | { then: 'respawn'; input: ServiceMachineInput; why: Cause }
  /** It stays as it is: the supervisor is stopping. */
  | { then: 'keep' };

export interface SupervisedService {
  /** What the child was spawned with (transport already redacted). */
  input: ServiceMachineInput;
  /** Times of recent crashes, within the restart window. */
  crashes: number[];
  /** Set while the service is being stopped on the parent's behalf: what follows the stop. */
  stopping: AfterStop | null;
}

/** A service whose actor crashed more often than the restart budget allows: kept as DISCONNECTED. */
export interface CrashedService {
  input: ServiceMachineInput;
  reason: string;
  at: number;
}

export interface SupervisorContext {
  settings: SupervisorSettings;
  cleanupIntervalHours: number;
  services: Record<string, SupervisedService>;
  crashed: Record<string, CrashedService>;
  /** The service whose crash is being judged against the restart budget, and its error. */
  lastCrash: { key: string; error: string } | null;
  /** Services being stopped on the parent's behalf (removal, replacement) whose stop has not finished yet. */
  stopsPending: number;
  /** The supervisor is stopping and every service it stopped is DISCONNECTED, or out of time. */
  fleetStopped: boolean;
}

export interface SupervisorInput {
  settings?: Partial<SupervisorSettings>;
  cleanupIntervalHours?: number;
}

export type SupervisorEvent =
  /** Spawns services (the whole configured fleet at start, in one event: one copy of `services`). */
  | { type: 'services.add'; services: readonly { key: string; input: ServiceMachineInput }[] }
  /** Stops the service (if it is active), then removes it. */
  | { type: 'service.remove'; key: string; cause: StopCause; reason: string }
  /** Stops the service, then starts it again with `input`, or removes it when `input` is null (disabled). */
  | { type: 'service.replace'; key: string; input: ServiceMachineInput | null }
  /** Stops the service on request; it stays listed as DISCONNECTED. */
  | { type: 'service.stop'; key: string }
  /** Restarts the service on request; one the restart budget gave up on is spawned again. */
  | { type: 'service.restart'; key: string }
  /** A stopping service reached DISCONNECTED (its stop watcher says so). */
  | { type: 'service.disconnected'; key: string }
  /** A stopping service's disconnect timeout and grace period passed. */
  | { type: 'service.stop_timeout'; key: string }
  | { type: 'cleanup.sweep' }
  /** New fleet-wide settings from a config reload. */
  | { type: 'settings.update'; settings: SupervisorSettings }
  /** Stops every service; the actor ends once all are DISCONNECTED (or out of time). */
  | { type: 'fleet.stop' }
  /** Every service the supervisor's stop stopped is DISCONNECTED (the fleet watcher says so). */
  | { type: 'fleet.disconnected' }
  /** The supervisor's stop ran past the longest disconnect timeout plus the grace period. */
  | { type: 'fleet.stop_timeout' }
  | { type: `xstate.error.actor.${string}`; error: unknown };

/** What the parent decided about a service, for the Supervisor to publish (`actor.on(type, …)`). */
export type SupervisorEmitted =
  /** A service actor was spawned (`why`: the supervisor's own cause when it replaces an earlier actor). */
  | { type: 'service.spawned'; key: string; why: Cause | null }
  /** The service is gone from the fleet; its actor is stopped. */
  | { type: 'service.removed'; key: string; cause: TransitionCause; reason: string; at: number }
  /** Its actor crashed beyond the restart budget and was not restarted: it stays DISCONNECTED. */
  | { type: 'service.gave_up'; key: string; reason: string; at: number };

/** The id of the watcher that tells the parent when a stopping service is DISCONNECTED. */
const watcherId = (key: string) => `stopping:${key}`;
const stopTimeoutId = (key: string) => `stop-timeout:${key}`;

/** Sends `service.disconnected` to the parent as soon as the watched service is DISCONNECTED. */
const awaitDisconnected = fromCallback<EventObject, { key: string; service: ServiceActorRef }>(({ input, sendBack }) => {
  let told = false;
  const check = (snapshot: ReturnType<ServiceActorRef['getSnapshot']>) => {
    if (told || lifecycleState(snapshot.value) !== 'DISCONNECTED') return;
    told = true;
    sendBack({ type: 'service.disconnected', key: input.key });
  };
  const subscription = input.service.subscribe({ next: check, error: () => undefined });
  check(input.service.getSnapshot());
  return () => subscription.unsubscribe();
});

/**
 * Sends `fleet.disconnected` to the parent once every watched service is DISCONNECTED: one watcher for the
 * whole fleet, which counts down as services get there (the supervisor's stop costs O(services)).
 */
const awaitFleetDisconnected = fromCallback<EventObject, { services: readonly ServiceActorRef[] }>(({ input, sendBack }) => {
  const pending = new Set(input.services);
  const subscriptions: { unsubscribe(): void }[] = [];
  const done = (service: ServiceActorRef) => {
    if (!pending.delete(service)) return;
    if (pending.size === 0) sendBack({ type: 'fleet.disconnected' });
  };
  const check = (service: ServiceActorRef) => {
    if (lifecycleState(service.getSnapshot().value) === 'DISCONNECTED') done(service);
  };
  for (const service of input.services) {
    // A service whose actor crashed has nothing left to stop.
    subscriptions.push(service.subscribe({ next: () => check(service), error: () => done(service) }));
  }
  if (pending.size === 0) sendBack({ type: 'fleet.disconnected' });
  else for (const service of input.services) check(service);
  return () => {
    for (const subscription of subscriptions) subscription.unsubscribe();
  };
});

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    emitted: {} as SupervisorEmitted,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the assertion names the machine's input type for XState to infer; without it the input would be typed `{}`
    input: {} as SupervisorInput,
  },
  actors: { service: serviceMachine, awaitDisconnected, awaitFleetDisconnected },
  delays: {
    cleanupInterval: ({ context }) => context.cleanupIntervalHours * HOUR,
  },
  guards: {
    /** OTP intensity/period: at most `max_restarts` crashes within `restart_window`. */
    withinRestartBudget: ({ context }) => {
      const service = context.lastCrash ? context.services[context.lastCrash.key] : undefined;
      return service !== undefined && service.crashes.length <= context.settings.maxRestarts;
    },
    crashedWhileStopping: ({ context, event }) => {
      const key = stoppedKey(event);
      return key !== null && context.services[key]?.stopping != null;
    },
    everyServiceStopped: ({ context }) => context.fleetStopped && context.stopsPending === 0,
  },
  actions: {
    spawnServices: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'services.add') return;
      enqueue.assign(({ context }) => {
        const services = { ...context.services };
        const crashed = { ...context.crashed };
        for (const { key, input } of event.services) {
          services[key] = { input, crashes: [], stopping: null };
          delete crashed[key];
        }
        return { services, crashed };
      });
      // Emitted before the spawn: the Supervisor follows the new actor from its first snapshot on.
      for (const { key, input } of event.services) {
        enqueue.emit({ type: 'service.spawned', key, why: null });
        enqueue.spawnChild('service', { id: key, input });
      }
    }),

    /**
     * Sends STOP to each service the event stops and has a watcher report when it is DISCONNECTED,
     * bounded by its disconnect timeout plus a grace period; one already DISCONNECTED goes on at once.
     */
    stopThen: enqueueActions(({ enqueue, event, context, self, system }) => {
      const services = { ...context.services };
      let crashed = context.crashed;
      let begun = 0;
      for (const { key, after, cause, reason } of stopOrders(event)) {
        const service = services[key];
        if (!service) {
          // No actor (a service the restart budget gave up on, or one not started): nothing to stop.
          crashed = without(crashed, key);
          if (after.then === 'remove') {
            enqueue.emit({ type: 'service.removed', key, cause: after.cause, reason: after.reason, at: clockNow(system) });
          } else if (after.then === 'respawn') {
            services[key] = { input: after.input, crashes: [], stopping: null };
            enqueue.emit({ type: 'service.spawned', key, why: after.why });
            enqueue.spawnChild('service', { id: key, input: after.input });
          }
          continue;
        }
        if (service.stopping) {
          // Already stopping: a removal stays a removal; otherwise the newer order decides what follows.
          if (service.stopping.then !== 'remove') services[key] = { ...service, stopping: after };
          continue;
        }
        services[key] = { ...service, stopping: after };
        begun++;
        const child = childOf(self, key);
        if (!child || lifecycleState(child.getSnapshot().value) === 'DISCONNECTED') {
          enqueue.raise({ type: 'service.disconnected', key });
          continue;
        }
        enqueue.sendTo(child, { type: 'STOP', cause, reason });
        enqueue.spawnChild('awaitDisconnected', { id: watcherId(key), input: { key, service: child } });
        const bound = resolveLifecycleConfig(service.input.config).disconnectTimeout + STOP_GRACE_MS;
        enqueue.raise({ type: 'service.stop_timeout', key }, { id: stopTimeoutId(key), delay: bound });
      }
      enqueue.assign({ services, crashed, stopsPending: context.stopsPending + begun });
    }),

    /**
     * The supervisor is stopping: STOP to every service not yet DISCONNECTED and one watcher for all of
     * them, bounded by the longest disconnect timeout plus the grace period. A removal under way still
     * ends in its removal; a replacement under way is not spawned.
     */
    stopFleet: enqueueActions(({ enqueue, context, self }) => {
      const watched: ServiceActorRef[] = [];
      let bound = 0;
      let services = context.services;
      for (const [key, service] of Object.entries(context.services)) {
        if (service.stopping) {
          if (service.stopping.then === 'respawn') services = { ...services, [key]: { ...service, stopping: { then: 'keep' } } };
          continue;
        }
        const child = childOf(self, key);
        if (!child || lifecycleState(child.getSnapshot().value) === 'DISCONNECTED') continue;
        enqueue.sendTo(child, { type: 'STOP', cause: 'shutdown', reason: 'supervisor stopped' });
        watched.push(child);
        bound = Math.max(bound, resolveLifecycleConfig(service.input.config).disconnectTimeout);
      }
      if (services !== context.services) enqueue.assign({ services });
      if (watched.length === 0) {
        enqueue.assign({ fleetStopped: true });
        return;
      }
      enqueue.spawnChild('awaitFleetDisconnected', { id: 'stopping-fleet', input: { services: watched } });
      enqueue.raise({ type: 'fleet.stop_timeout' }, { id: 'fleet-stop-timeout', delay: bound + STOP_GRACE_MS });
    }),

    fleetStopped: enqueueActions(({ enqueue }) => {
      enqueue.cancel('fleet-stop-timeout');
      enqueue.assign({ fleetStopped: true });
    }),

    /** A stopping service is DISCONNECTED (or out of time): do what its stop was for. */
    finishStop: enqueueActions(({ enqueue, event, context, system }) => {
      const key = stoppedKey(event);
      if (key === null) return;
      const service = context.services[key];
      const after = service?.stopping;
      if (!service || !after) return;
      enqueue.stopChild(watcherId(key));
      enqueue.cancel(stopTimeoutId(key));
      const stopsPending = context.stopsPending - 1;
      switch (after.then) {
        case 'keep':
          enqueue.assign({ services: { ...context.services, [key]: { ...service, stopping: null } }, stopsPending });
          return;
        case 'remove':
          // The parent stops the actor rather than letting it reach its final state: XState memoizes the
          // transitions for each event type a state node sees, and a finished child's done event has a type
          // of its own (`xstate.done.actor.<name>`), so every name ever removed would stay in memory.
          enqueue.stopChild(key);
          enqueue.assign({ services: without(context.services, key), stopsPending });
          enqueue.emit({ type: 'service.removed', key, cause: after.cause, reason: after.reason, at: clockNow(system) });
          return;
        case 'respawn':
          enqueue.stopChild(key);
          enqueue.assign({ services: { ...context.services, [key]: { input: after.input, crashes: [], stopping: null } }, stopsPending });
          enqueue.emit({ type: 'service.spawned', key, why: after.why });
          enqueue.spawnChild('service', { id: key, input: after.input });
      }
    }),

    stopService: enqueueActions(({ enqueue, event, self }) => {
      if (event.type !== 'service.stop') return;
      const child = childOf(self, event.key);
      if (child) enqueue.sendTo(child, { type: 'STOP' });
    }),

    restartService: enqueueActions(({ enqueue, event, context, self }) => {
      if (event.type !== 'service.restart') return;
      const crashed = context.crashed[event.key];
      if (crashed) {
        enqueue.raise({ type: 'services.add', services: [{ key: event.key, input: crashed.input }] });
        return;
      }
      const child = childOf(self, event.key);
      if (child) enqueue.sendTo(child, { type: 'RESTART' });
    }),

    /** Counts the crash (forgetting those older than the restart window) for the budget guard. */
    recordCrash: enqueueActions(({ enqueue, context, event, system }) => {
      const key = event.type.slice(CRASH.length);
      const service = context.services[key];
      if (!service) {
        enqueue.assign({ lastCrash: null });
        return;
      }
      const now = clockNow(system);
      const crashes = [...service.crashes.filter((time) => time > now - context.settings.restartWindow), now];
      const error = 'error' in event ? failureMessage(event.error) : 'unknown error';
      enqueue.assign({ lastCrash: { key, error }, services: { ...context.services, [key]: { ...service, crashes } } });
    }),

    restartCrashedService: enqueueActions(({ enqueue, context }) => {
      const crash = context.lastCrash;
      const service = crash ? context.services[crash.key] : undefined;
      if (!crash || !service) return;
      enqueue.stopChild(crash.key);
      enqueue.emit({ type: 'service.spawned', key: crash.key, why: { cause: 'crashed', reason: `restarted after a crash: ${crash.error}` } });
      enqueue.spawnChild('service', { id: crash.key, input: service.input });
    }),

    giveUpOnCrashedService: enqueueActions(({ enqueue, context, system }) => {
      const crash = context.lastCrash;
      const service = crash ? context.services[crash.key] : undefined;
      if (!crash || !service) return;
      const reason =
        `restart budget exhausted: crashed ${service.crashes.length} times within ` +
        `${context.settings.restartWindow} ms (last: ${crash.error})`;
      const at = clockNow(system);
      enqueue.stopChild(crash.key);
      enqueue.assign({
        services: without(context.services, crash.key),
        crashed: { ...context.crashed, [crash.key]: { input: service.input, reason, at } },
      });
      enqueue.emit({ type: 'service.gave_up', key: crash.key, reason, at });
    }),

    updateSettings: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'settings.update') enqueue.assign({ settings: event.settings });
    }),

    /** Removes every service DISCONNECTED for longer than its `max_disconnected_age_hours`. */
    sweepDisconnected: enqueueActions(({ enqueue, context, self, system }) => {
      const now = clockNow(system);
      let services = context.services;
      for (const [key, service] of Object.entries(context.services)) {
        const snapshot = childOf(self, key)?.getSnapshot();
        if (!snapshot || service.stopping || lifecycleState(snapshot.value) !== 'DISCONNECTED') continue;
        const maxAgeHours = snapshot.context.config.maxDisconnectedAgeHours;
        if (now - snapshot.context.stateEnteredTime < maxAgeHours * HOUR) continue;
        services = without(services, key);
        enqueue.stopChild(key);
        const reason = `removed by the cleanup sweep: disconnected for more than ${maxAgeHours} h`;
        enqueue.emit({ type: 'service.removed', key, cause: 'cleanup', reason, at: now });
      }
      const crashed = Object.fromEntries(
        Object.entries(context.crashed).filter(([, record]) => {
          const maxAge = (record.input.config?.maxDisconnectedAgeHours ?? DEFAULT_LIFECYCLE_CONFIG.maxDisconnectedAgeHours) * HOUR;
          return now - record.at < maxAge;
        }),
      );
      for (const key of Object.keys(context.crashed)) {
        if (crashed[key]) continue;
        const maxAgeHours = context.crashed[key]?.input.config?.maxDisconnectedAgeHours ?? DEFAULT_LIFECYCLE_CONFIG.maxDisconnectedAgeHours;
        enqueue.emit({ type: 'service.removed', key, cause: 'cleanup', reason: `removed by the cleanup sweep: disconnected for more than ${maxAgeHours} h`, at: now });
      }
      enqueue.assign({ services, crashed });
    }),

  },
}).createMachine({
  id: 'supervisor',
  context: ({ input }) => ({
    settings: { ...DEFAULT_SUPERVISOR_SETTINGS, ...input.settings },
    cleanupIntervalHours: input.cleanupIntervalHours ?? DEFAULT_LIFECYCLE_CONFIG.cleanupIntervalHours,
    services: {},
    crashed: {},
    lastCrash: null,
    stopsPending: 0,
    fleetStopped: false,
  }),
  initial: 'running',
  states: {
    running: {
      type: 'parallel',
      on: { 'fleet.stop': 'stopping' },
      states: {
        cleanup: {
          initial: 'waiting',
          states: {
            waiting: {
              after: { cleanupInterval: { target: 'waiting', reenter: true, actions: 'sweepDisconnected' } },
              on: { 'cleanup.sweep': { actions: 'sweepDisconnected' } },
            },
          },
        },
        children: {
          initial: 'supervising',
          states: {
            supervising: {
              on: {
                'services.add': { actions: 'spawnServices' },
                'service.remove': { actions: 'stopThen' },
                'service.replace': { actions: 'stopThen' },
                'service.stop': { actions: 'stopService' },
                'service.restart': { actions: 'restartService' },
                'service.disconnected': { actions: 'finishStop' },
                'service.stop_timeout': { actions: 'finishStop' },
                'settings.update': { actions: 'updateSettings' },
                'xstate.error.actor.*': [
                  // A crash ends a stop in progress as its DISCONNECTED would: the stop goes on to what follows it.
                  { guard: 'crashedWhileStopping', actions: 'finishStop' },
                  { target: 'judgingCrash', actions: 'recordCrash' },
                ],
              },
            },
            judgingCrash: {
              always: [
                { guard: 'withinRestartBudget', target: 'supervising', actions: 'restartCrashedService' },
                { target: 'supervising', actions: 'giveUpOnCrashedService' },
              ],
            },
          },
        },
      },
    },
    stopping: {
      entry: 'stopFleet',
      always: { guard: 'everyServiceStopped', target: 'stopped' },
      on: {
        'fleet.disconnected': { actions: 'fleetStopped' },
        'fleet.stop_timeout': { actions: 'fleetStopped' },
        'service.disconnected': { actions: 'finishStop' },
        'service.stop_timeout': { actions: 'finishStop' },
        'xstate.error.actor.*': { actions: 'finishStop' },
      },
    },
    stopped: { type: 'final' },
  },
});

export type SupervisorMachine = typeof supervisorMachine;

interface StopOrder {
  key: string;
  after: AfterStop;
  cause: StopCause;
  reason: string;
}

const RESTARTED_WITH_CHANGED_CONFIG: Cause = { cause: 'config_changed', reason: 'restarted with the changed config' };

/** The stop an event asks for: one service's removal or replacement. */
function stopOrders(event: SupervisorEvent): StopOrder[] {
  switch (event.type) {
    case 'service.remove':
      return [{ key: event.key, after: { then: 'remove', cause: event.cause, reason: event.reason }, cause: event.cause, reason: event.reason }];
    case 'service.replace': {
      const after: AfterStop = event.input
        ? { then: 'respawn', input: event.input, why: RESTARTED_WITH_CHANGED_CONFIG }
        : { then: 'remove', cause: 'config_changed', reason: 'disabled in the config' };
      return [{ key: event.key, after, cause: 'config_changed', reason: 'config changed' }];
    }
    default:
      return [];
  }
}

/** The service whose stop an event ends: it is DISCONNECTED, out of time, or its actor crashed. */
function stoppedKey(event: SupervisorEvent): string | null {
  if (event.type === 'service.disconnected' || event.type === 'service.stop_timeout') return event.key;
  if (event.type.startsWith(CRASH)) return event.type.slice(CRASH.length);
  return null;
}

/** The service actor of a fleet key, among the parent's children. */
function childOf(self: AnyActorRef, key: string): ServiceActorRef | undefined {
  const children = (self.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children;
  return children[key] as ServiceActorRef | undefined;
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const { [key]: _removed, ...rest } = record;
  return rest;
}
