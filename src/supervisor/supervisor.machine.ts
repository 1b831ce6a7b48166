// The parent actor: owns one service actor per service (OTP style: a child never outlives it), restarts
// a crashed child within a restart budget, forgets finished children, and sweeps out services that have
// been DISCONNECTED for too long.

import { assign, enqueueActions, setup, type ActorRefFrom, type ActorSystem, type ActorSystemInfo } from 'xstate';
import { clockNow } from '../machines/clock.js';
import { DEFAULT_LIFECYCLE_CONFIG, DEFAULT_SUPERVISOR_SETTINGS, type SupervisorSettings } from '../machines/defaults.js';
import { failureMessage } from '../machines/failure.js';
import type { ServiceMachineInput } from '../machines/service.context.js';
import { serviceMachine } from '../machines/service.machine.js';

const HOUR = 3_600_000;
const DONE = 'xstate.done.actor.';
const ERROR = 'xstate.error.actor.';

/** The child's actor id is its fleet key; its system id is `service:<key>`. */
export const serviceSystemId = (key: string) => `service:${key}`;

/** A supervised service's actor. */
export type ServiceActorRef = ActorRefFrom<typeof serviceMachine>;

/**
 * The service actor of a fleet key, found by its system id. XState's actor system does not know the
 * types of the actors it holds; under `service:<key>` the supervisor registers only service actors.
 */
export function serviceActor(system: Pick<ActorSystem<ActorSystemInfo>, 'get'>, key: string): ServiceActorRef | undefined {
  return system.get(serviceSystemId(key)) as ServiceActorRef | undefined;
}

export interface SupervisedService {
  /** What the child was spawned with (transport already redacted). */
  input: ServiceMachineInput;
  /** Times of recent crashes, within the restart window. */
  crashes: number[];
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
  /** The service whose crash is being judged against the restart budget. */
  lastCrash: string | null;
  lastCrashError: string | null;
}

export interface SupervisorInput {
  settings?: Partial<SupervisorSettings>;
  cleanupIntervalHours?: number;
}

export type SupervisorEvent =
  /** Spawns services (the whole configured fleet at start, in one event: one copy of `services`). */
  | { type: 'services.add'; services: readonly { key: string; input: ServiceMachineInput }[] }
  | { type: 'service.remove'; key: string }
  /** Spawn a crashed service again (a RESTART of a service the budget had given up on). */
  | { type: 'service.revive'; key: string }
  | { type: 'cleanup.sweep' }
  /** New fleet-wide settings from a config reload. */
  | { type: 'settings.update'; settings: SupervisorSettings }
  | { type: `xstate.done.actor.${string}`; output?: unknown }
  | { type: `xstate.error.actor.${string}`; error: unknown };

const keyOf = (eventType: string, prefix: string) => eventType.slice(prefix.length);

export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the assertion names the machine's input type for XState to infer; without it the input would be typed `{}`
    input: {} as SupervisorInput,
  },
  actors: { service: serviceMachine },
  delays: {
    cleanupInterval: ({ context }) => context.cleanupIntervalHours * HOUR,
  },
  guards: {
    /** OTP intensity/period: at most `max_restarts` crashes within `restart_window`. */
    withinRestartBudget: ({ context }) => {
      const service = context.lastCrash ? context.services[context.lastCrash] : undefined;
      return service !== undefined && service.crashes.length <= context.settings.maxRestarts;
    },
  },
  actions: {
    spawnServices: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'services.add') return;
      enqueue.assign(({ context }) => {
        const services = { ...context.services };
        const crashed = { ...context.crashed };
        for (const { key, input } of event.services) {
          services[key] = { input, crashes: [] };
          delete crashed[key];
        }
        return { services, crashed };
      });
      for (const { key, input } of event.services) {
        enqueue.spawnChild('service', { id: key, systemId: serviceSystemId(key), input });
      }
    }),
    reviveService: enqueueActions(({ enqueue, event, context }) => {
      if (event.type !== 'service.revive') return;
      const crashed = context.crashed[event.key];
      if (!crashed) return;
      enqueue.raise({ type: 'services.add', services: [{ key: event.key, input: crashed.input }] });
    }),
    removeService: enqueueActions(({ enqueue, event }) => {
      if (event.type !== 'service.remove') return;
      enqueue.stopChild(event.key);
      enqueue.assign(({ context }) => {
        const { [event.key]: _removedService, ...services } = context.services;
        const { [event.key]: _removedCrash, ...crashed } = context.crashed;
        return { services, crashed };
      });
    }),
    /** A child reached its final state (REMOVED): XState keeps finished children, so drop it. */
    forgetFinishedService: enqueueActions(({ enqueue, event }) => {
      const key = keyOf(event.type, DONE);
      enqueue.stopChild(key);
      enqueue.assign(({ context }) => {
        const { [key]: _finished, ...services } = context.services;
        return { services };
      });
    }),
    /** Counts the crash (forgetting those older than the restart window) for the budget guard. */
    recordCrash: assign(({ context, event, system }) => {
      const key = keyOf(event.type, ERROR);
      const service = context.services[key];
      if (!service) return { lastCrash: null };
      const now = clockNow(system);
      const crashes = [...service.crashes.filter((time) => time > now - context.settings.restartWindow), now];
      const error = 'error' in event ? failureMessage(event.error) : 'unknown error';
      return { lastCrash: key, lastCrashError: error, services: { ...context.services, [key]: { ...service, crashes } } };
    }),
    restartCrashedService: enqueueActions(({ enqueue, context }) => {
      const key = context.lastCrash;
      const service = key ? context.services[key] : undefined;
      if (!key || !service) return;
      enqueue.stopChild(key);
      enqueue.spawnChild('service', { id: key, systemId: serviceSystemId(key), input: service.input });
    }),
    giveUpOnCrashedService: enqueueActions(({ enqueue, context, system }) => {
      const key = context.lastCrash;
      const service = key ? context.services[key] : undefined;
      if (!key || !service) return;
      const reason =
        `restart budget exhausted: crashed ${service.crashes.length} times within ` +
        `${context.settings.restartWindow} ms (last: ${context.lastCrashError ?? 'unknown error'})`;
      enqueue.stopChild(key);
      const { [key]: _crashed, ...services } = context.services;
      enqueue.assign({ services, crashed: { ...context.crashed, [key]: { input: service.input, reason, at: clockNow(system) } } });
    }),
    updateSettings: assign(({ event, context }) => (event.type === 'settings.update' ? { settings: event.settings } : { settings: context.settings })),
    /** REMOVE every service DISCONNECTED for longer than its `max_disconnected_age_hours`. */
    sweepDisconnected: enqueueActions(({ enqueue, context, system }) => {
      const now = clockNow(system);
      for (const key of Object.keys(context.services)) {
        const child = serviceActor(system, key);
        const snapshot = child?.getSnapshot();
        if (!child || snapshot?.value !== 'DISCONNECTED') continue;
        const maxAge = snapshot.context.config.maxDisconnectedAgeHours * HOUR;
        if (now - snapshot.context.stateEnteredTime >= maxAge) enqueue.sendTo(child, { type: 'REMOVE' });
      }
      enqueue.assign({
        crashed: Object.fromEntries(
          Object.entries(context.crashed).filter(([, crashed]) => {
            const maxAge = (crashed.input.config?.maxDisconnectedAgeHours ?? DEFAULT_LIFECYCLE_CONFIG.maxDisconnectedAgeHours) * HOUR;
            return now - crashed.at < maxAge;
          }),
        ),
      });
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
    lastCrashError: null,
  }),
  type: 'parallel',
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
            'service.revive': { actions: 'reviveService' },
            'service.remove': { actions: 'removeService' },
            'settings.update': { actions: 'updateSettings' },
            'xstate.done.actor.*': { actions: 'forgetFinishedService' },
            'xstate.error.actor.*': { target: 'judgingCrash', actions: 'recordCrash' },
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
});

export type SupervisorMachine = typeof supervisorMachine;
