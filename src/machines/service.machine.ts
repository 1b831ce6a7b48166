// The lifecycle statechart of one MCP service, top to bottom in the order of the lifecycle
// table. Thresholds are guards, every wait is a named delay computed from context, and all I/O is in
// the invoked actors the caller provides (`serviceMachine.provide({ actors })`).

import { assign, fromCallback, fromPromise, sendTo, setup, type StateValue } from 'xstate';
import { applyJitter, reconnectDelay, unreachableDelay } from './backoff.js';
import { clockNow } from './clock.js';
import { TOOLS_CHANGED_COALESCE_MS } from './defaults.js';
import { failureMessage, isMethodNotFound } from './failure.js';
import { healthTier, pingTimeoutFor, rememberResponseTime } from './health-tier.js';
import { nextRandom } from './random.js';
import { initialServiceContext, RESET_COUNTERS, type ServiceContext, type ServiceMachineInput } from './service.context.js';
import type {
  ConnectInput,
  ConnectionActorInput,
  ConnectionCommand,
  ConnectionEvent,
  ConnectOutput,
  DisconnectInput,
  ListToolsInput,
  ToolDescriptor,
} from './service-io.js';

/** The seven lifecycle states, as spelled in the chart. */
export const SERVICE_STATES = [
  'INITIALIZING',
  'HEALTHY',
  'WARNING',
  'RECONNECTING',
  'UNREACHABLE',
  'DISCONNECTING',
  'DISCONNECTED',
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

/** The lifecycle state of a service snapshot's value (`{ HEALTHY: { … } }` → `HEALTHY`); REMOVED once ended. */
export function lifecycleState(value: StateValue): ServiceState | 'REMOVED' {
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as ServiceState | 'REMOVED';
}

/** States in which the service's tools may be called (WARNING: partially available). */
export const AVAILABLE_STATES: readonly ServiceState[] = ['HEALTHY', 'WARNING'];

export type ServiceEvent =
  | { type: 'STOP'; reason?: string }
  | { type: 'RESTART' }
  | { type: 'REMOVE' }
  | { type: 'CHECK_NOW' }
  | { type: 'RECONNECT_NOW' }
  | ConnectionEvent;

/** Raised by the placeholder actors: the caller must provide real ones. */
export class ActorNotProvidedError extends Error {
  constructor(actor: string) {
    super(`the service machine's '${actor}' actor was not provided: use serviceMachine.provide({ actors: { ${actor} } })`);
    this.name = 'ActorNotProvidedError';
  }
}

const unprovided = (actor: string) => () => Promise.reject(new ActorNotProvidedError(actor));

/** Identity every actor input starts with. */
const serviceRef = (context: ServiceContext) => ({
  serviceKey: context.serviceKey,
  serviceName: context.serviceName,
  agentId: context.agentId,
});

/** The next draw of the seeded jitter source, applied to `delay`. */
function jittered(context: ServiceContext, delay: number) {
  const draw = nextRandom(context.randomState);
  return { delay: applyJitter(delay, context.config.jitter, draw.value), randomState: draw.state };
}

/** Long-cycle retries used up (`max_unreachable_retries`; 0 = never give up). */
const retriesExhausted = (context: ServiceContext) =>
  context.config.maxUnreachableRetries > 0 && context.unreachableRetries >= context.config.maxUnreachableRetries;

/** A connection made since the last health check gets `startup_wait_time` before its first ping. */
const awaitsFirstPing = (context: ServiceContext) =>
  context.lastHealthCheck === null || (context.connectedTime !== null && context.lastHealthCheck <= context.connectedTime);

/**
 * Periodic `tools/list` while available; `tools/list_changed` bursts coalesce into one refresh. A change
 * not yet listed survives HEALTHY ↔ WARNING moves (the region restarts, sees it stale, and settles).
 */
const toolsRefreshRegion = {
  initial: 'current',
  states: {
    current: {
      entry: 'scheduleToolsRefresh',
      always: { guard: 'toolsStale', target: 'settling' },
      after: { toolsRefreshDue: 'refreshing' },
      on: { TOOLS_CHANGED: { target: 'settling', actions: 'countToolsChange' } },
    },
    settling: {
      after: { toolsChangeCoalesce: 'refreshing' },
      on: { TOOLS_CHANGED: { actions: 'countToolsChange' } },
    },
    refreshing: {
      entry: 'startToolsListing',
      invoke: {
        id: 'listTools',
        src: 'listTools',
        input: ({ context }: { context: ServiceContext }): ListToolsInput => ({
          ...serviceRef(context),
          connectionId: context.connectionId ?? '',
        }),
        onDone: {
          target: 'current',
          actions: { type: 'storeTools', params: ({ event }: { event: { output: ToolDescriptor[] } }) => event.output },
        },
        onError: { target: 'current', actions: 'recordToolsRefreshFailure' },
      },
      on: { TOOLS_CHANGED: { actions: 'countToolsChange' } },
    },
  },
} as const;

type Outcome = readonly { guard?: string; target: string }[];

/** What the `recordPingFailure` action records about a failed health check. */
const failedWith = ({ event }: { event: { error: unknown } }) => ({ message: failureMessage(event.error) });

/**
 * HEALTHY and WARNING share one shape: the connection actor for as long as the state lasts, a
 * health-check loop (wait, probe, judge the outcome) and the tools refresh; they differ in the check
 * interval and in where outcomes lead.
 */
function availableState<const Success extends Outcome, const Failure extends Outcome>(spec: {
  checkDelay: 'healthCheck' | 'warningCheck';
  afterPingSuccess: Success;
  afterPingFailure: Failure;
}) {
  const timeoutOf = (context: ServiceContext) => pingTimeoutFor(context.responseHistory, context.config);
  return {
    entry: 'recordStateEntered',
    type: 'parallel',
    invoke: {
      id: 'connection',
      src: 'connection',
      input: ({ context }: { context: ServiceContext }): ConnectionActorInput => ({
        ...serviceRef(context),
        connectionId: context.connectionId ?? '',
        passiveHealth: context.config.passiveHealth,
      }),
    },
    states: {
      health: {
        initial: 'waiting',
        states: {
          waiting: {
            after: { [spec.checkDelay]: 'pinging' },
            on: {
              CHECK_NOW: 'pinging',
              CALL_FAILED: { target: 'failed', actions: { type: 'recordPingFailure', params: failedWith } },
            },
          },
          pinging: {
            entry: ['startPing', 'sendProbe'],
            on: {
              PROBE_OK: {
                target: 'succeeded',
                actions: {
                  type: 'recordPingSuccess',
                  params: ({ event }: { event: { responseTime: number | null } }) => ({ responseTime: event.responseTime }),
                },
              },
              PROBE_FAILED: [
                {
                  guard: { type: 'pingMethodNotFound', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) },
                  target: 'succeeded',
                  actions: { type: 'recordPingSuccess', params: { responseTime: undefined } },
                },
                { target: 'failed', actions: { type: 'recordPingFailure', params: failedWith } },
              ],
            },
            after: {
              pingTimeout: {
                target: 'failed',
                actions: {
                  type: 'recordPingFailure',
                  params: ({ context }: { context: ServiceContext }) => ({ message: `ping timed out after ${timeoutOf(context)} ms` }),
                },
              },
            },
          },
          succeeded: { always: spec.afterPingSuccess },
          failed: { always: spec.afterPingFailure },
        },
      },
      tools: toolsRefreshRegion,
    },
    on: {
      CONNECTION_LOST: {
        target: 'RECONNECTING',
        actions: {
          type: 'recordConnectionLost',
          params: ({ event }: { event: { reason?: string } }) => ({ reason: event.reason ?? 'connection lost' }),
        },
      },
      STOP: { target: 'DISCONNECTING', actions: 'recordStopRequested' },
      RESTART: { target: 'DISCONNECTING', actions: 'requestRestart' },
    },
  } as const;
}

export const serviceMachine = setup({
  types: {
    context: {} as ServiceContext,
    events: {} as ServiceEvent,
    input: {} as ServiceMachineInput,
  },
  actors: {
    connect: fromPromise<ConnectOutput, ConnectInput>(unprovided('connect')),
    connection: fromCallback<ConnectionCommand, ConnectionActorInput>(() => {
      throw new ActorNotProvidedError('connection');
    }),
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(unprovided('listTools')),
    disconnect: fromPromise<void, DisconnectInput>(unprovided('disconnect')),
  },
  guards: {
    reachedWarningThreshold: ({ context }) => context.consecutiveFailures >= context.config.warningFailureThreshold,
    reachedReconnectingThreshold: ({ context }) =>
      context.consecutiveFailures >= context.config.reconnectingFailureThreshold,
    reachedRecoveryThreshold: ({ context }) => context.consecutiveSuccesses >= context.config.recoverySuccessThreshold,
    reconnectAttemptsExhausted: ({ context }) => context.reconnectAttempts >= context.config.maxReconnectAttempts,
    unreachableRetriesExhausted: ({ context }) => retriesExhausted(context),
    pingMethodNotFound: (_, params: { error: unknown }) => isMethodNotFound(params.error),
    restartRequested: ({ context }) => context.restartRequested,
    toolsStale: ({ context }) => context.toolsChanges > context.toolsListedChanges,
  },
  delays: {
    connectTimeout: ({ context }) => context.config.connectTimeout,
    healthCheck: ({ context }) =>
      awaitsFirstPing(context) ? context.config.startupWaitTime : context.config.healthCheckInterval,
    warningCheck: ({ context }) => context.config.warningCheckInterval,
    pingTimeout: ({ context }) => pingTimeoutFor(context.responseHistory, context.config),
    reconnectBackoff: ({ context }) => context.retryDelay ?? 0,
    unreachableBackoff: ({ context }) => context.retryDelay ?? 0,
    disconnectTimeout: ({ context }) => context.config.disconnectTimeout,
    toolsRefreshDue: ({ context }) => context.toolsRefreshDelay,
    toolsChangeCoalesce: TOOLS_CHANGED_COALESCE_MS,
  },
  actions: {
    recordStateEntered: assign({ stateEnteredTime: ({ system }) => clockNow(system) }),

    storeConnection: assign(({ context, system }, output: ConnectOutput) => {
      const now = clockNow(system);
      return {
        ...RESET_COUNTERS,
        connectionId: output.connectionId,
        serverInfo: output.serverInfo,
        protocolEra: output.protocol.era,
        protocolVersion: output.protocol.version,
        tools: output.tools,
        toolCount: output.tools.length,
        toolsUpdatedTime: now,
        toolsListedChanges: context.toolsChanges,
        connectedTime: now,
        errorMessage: null,
        disconnectReason: null,
      };
    }),
    recordConnectFailure: assign(({ context, system }, params: { message: string }) => ({
      errorMessage: params.message,
      lastFailureTime: clockNow(system),
      totalFailures: context.totalFailures + 1,
    })),
    countReconnectAttempt: assign(({ context }) => ({
      reconnectAttempts: context.reconnectAttempts + 1,
      totalReconnectAttempts: context.totalReconnectAttempts + 1,
    })),
    scheduleReconnect: assign(({ context, system }) => {
      const { delay, randomState } = jittered(context, reconnectDelay(context.reconnectAttempts, context.config));
      return { retryDelay: delay, nextRetryTime: clockNow(system) + delay, randomState };
    }),
    scheduleUnreachableRetry: assign(({ context, system }) => {
      if (retriesExhausted(context)) return { retryDelay: 0, nextRetryTime: null };
      const { delay, randomState } = jittered(context, unreachableDelay(context.unreachableRetries, context.config));
      return { retryDelay: delay, nextRetryTime: clockNow(system) + delay, randomState };
    }),
    countUnreachableRetry: assign({ unreachableRetries: ({ context }) => context.unreachableRetries + 1 }),
    clearRetrySchedule: assign({ nextRetryTime: null, retryDelay: null }),

    startPing: assign({ lastPingTime: ({ system }) => clockNow(system) }),
    sendProbe: sendTo('connection', ({ context }): ConnectionCommand => ({
      type: 'PROBE',
      timeoutMs: pingTimeoutFor(context.responseHistory, context.config),
    })),
    /**
     * A probe answered in `responseTime` ms (measured by the connection actor; from the clock when it
     * does not say). Null: a recent tool call answered for it, and there is no round trip to record.
     */
    recordPingSuccess: assign(({ context, system }, params: { responseTime: number | null | undefined }) => {
      const now = clockNow(system);
      const passed = {
        consecutiveFailures: 0,
        consecutiveSuccesses: context.consecutiveSuccesses + 1,
        lastSuccessTime: now,
        lastHealthCheck: now,
        totalHealthChecks: context.totalHealthChecks + 1,
      };
      if (params.responseTime === null) return { ...passed, responseTime: context.lastResponseTime };
      const responseTime = params.responseTime ?? Math.max(0, now - (context.lastPingTime ?? now));
      return {
        ...passed,
        responseTime,
        lastResponseTime: responseTime,
        healthTier: healthTier(responseTime, context.config),
        responseHistory: rememberResponseTime(context.responseHistory, responseTime, context.config.historySize),
      };
    }),
    recordPingFailure: assign(({ context, system }, params: { message: string }) => {
      const now = clockNow(system);
      return {
        consecutiveFailures: context.consecutiveFailures + 1,
        consecutiveSuccesses: 0,
        totalFailures: context.totalFailures + 1,
        lastFailureTime: now,
        lastHealthCheck: now,
        totalHealthChecks: context.totalHealthChecks + 1,
        responseTime: null,
        healthTier: 'unhealthy' as const,
        errorMessage: params.message,
      };
    }),
    recordConnectionLost: assign(({ system }, params: { reason: string }) => ({
      errorMessage: params.reason,
      disconnectReason: params.reason,
      lastFailureTime: clockNow(system),
    })),

    scheduleToolsRefresh: assign(({ context, system }) => ({
      toolsRefreshDelay: Math.max(
        0,
        (context.toolsUpdatedTime ?? clockNow(system)) + context.config.toolsUpdateInterval - clockNow(system),
      ),
    })),
    countToolsChange: assign({ toolsChanges: ({ context }) => context.toolsChanges + 1 }),
    startToolsListing: assign({ toolsListingChanges: ({ context }) => context.toolsChanges }),
    storeTools: assign(({ context, system }, tools: ToolDescriptor[]) => ({
      tools,
      toolCount: tools.length,
      toolsUpdatedTime: clockNow(system),
      toolsListedChanges: context.toolsListingChanges,
    })),
    /** A failing tools/list is not retried in a loop: the next change notice or periodic refresh retries. */
    recordToolsRefreshFailure: assign(({ context, system }) => ({
      toolsUpdatedTime: clockNow(system),
      toolsListedChanges: context.toolsChanges,
    })),

    recordStopRequested: assign(({ event }) => ({
      restartRequested: false,
      disconnectReason: event.type === 'STOP' && event.reason ? event.reason : 'stopped on request',
    })),
    requestRestart: assign({ restartRequested: true, disconnectReason: 'restart requested' }),
    recordForcedDisconnect: assign(({ context }) => ({
      errorMessage: `disconnect timed out after ${context.config.disconnectTimeout} ms; the connection was abandoned`,
    })),
    forgetConnection: assign({ connectionId: null, connectedTime: null }),
    recordGiveUp: assign(({ context }) => ({
      disconnectReason: `gave up after ${context.unreachableRetries} unreachable retries${
        context.errorMessage ? `: ${context.errorMessage}` : ''
      }`,
    })),
    resetForRestart: assign({
      ...RESET_COUNTERS,
      restartRequested: false,
      errorMessage: null,
      disconnectReason: null,
      responseHistory: [],
    }),
  },
}).createMachine({
  id: 'service',
  context: ({ input, self }) => initialServiceContext(input, clockNow(self.system)),
  initial: 'INITIALIZING',
  states: {
    INITIALIZING: {
      entry: 'recordStateEntered',
      invoke: {
        id: 'connect',
        src: 'connect',
        input: ({ context }) => ({
          ...serviceRef(context),
          attempt: 0,
          timeoutMs: context.config.connectTimeout,
          priority: context.config.priority,
          closeTimeoutMs: context.config.failedCloseTimeout,
        }),
        onDone: { target: 'HEALTHY', actions: { type: 'storeConnection', params: ({ event }) => event.output } },
        onError: {
          target: 'RECONNECTING',
          actions: { type: 'recordConnectFailure', params: ({ event }) => ({ message: failureMessage(event.error) }) },
        },
      },
      after: {
        connectTimeout: {
          target: 'RECONNECTING',
          actions: {
            type: 'recordConnectFailure',
            params: ({ context }) => ({ message: `connect timed out after ${context.config.connectTimeout} ms` }),
          },
        },
      },
      on: {
        STOP: { target: 'DISCONNECTING', actions: 'recordStopRequested' },
        RESTART: { target: 'DISCONNECTING', actions: 'requestRestart' },
      },
    },

    HEALTHY: availableState({
      checkDelay: 'healthCheck',
      afterPingSuccess: [{ target: 'waiting' }],
      afterPingFailure: [
        { guard: 'reachedReconnectingThreshold', target: '#service.RECONNECTING' },
        { guard: 'reachedWarningThreshold', target: '#service.WARNING' },
        { target: 'waiting' },
      ],
    }),

    WARNING: availableState({
      checkDelay: 'warningCheck',
      afterPingSuccess: [{ guard: 'reachedRecoveryThreshold', target: '#service.HEALTHY' }, { target: 'waiting' }],
      afterPingFailure: [{ guard: 'reachedReconnectingThreshold', target: '#service.RECONNECTING' }, { target: 'waiting' }],
    }),

    RECONNECTING: {
      entry: 'recordStateEntered',
      exit: 'clearRetrySchedule',
      initial: 'attempting',
      states: {
        attempting: {
          entry: 'countReconnectAttempt',
          invoke: {
            id: 'connect',
            src: 'connect',
            input: ({ context }) => ({
              ...serviceRef(context),
              attempt: context.reconnectAttempts,
              timeoutMs: context.config.connectTimeout,
              priority: context.config.priority,
              closeTimeoutMs: context.config.failedCloseTimeout,
            }),
            onDone: { target: '#service.HEALTHY', actions: { type: 'storeConnection', params: ({ event }) => event.output } },
            onError: {
              target: 'failed',
              actions: { type: 'recordConnectFailure', params: ({ event }) => ({ message: failureMessage(event.error) }) },
            },
          },
          after: {
            connectTimeout: {
              target: 'failed',
              actions: {
                type: 'recordConnectFailure',
                params: ({ context }) => ({ message: `connect timed out after ${context.config.connectTimeout} ms` }),
              },
            },
          },
        },
        failed: {
          always: [{ guard: 'reconnectAttemptsExhausted', target: '#service.UNREACHABLE' }, { target: 'waiting' }],
        },
        waiting: {
          entry: 'scheduleReconnect',
          after: { reconnectBackoff: 'attempting' },
          on: { RECONNECT_NOW: 'attempting' },
        },
      },
      on: {
        STOP: { target: 'DISCONNECTING', actions: 'recordStopRequested' },
        RESTART: { target: 'DISCONNECTING', actions: 'requestRestart' },
      },
    },

    UNREACHABLE: {
      entry: ['recordStateEntered', 'scheduleUnreachableRetry'],
      exit: 'clearRetrySchedule',
      after: {
        // Fires after the long-cycle backoff, or at once when no retries are left.
        unreachableBackoff: [
          { guard: 'unreachableRetriesExhausted', target: 'DISCONNECTED', actions: ['recordGiveUp', 'forgetConnection'] },
          { target: 'RECONNECTING', actions: 'countUnreachableRetry' },
        ],
      },
      on: {
        RECONNECT_NOW: 'RECONNECTING',
        STOP: { target: 'DISCONNECTING', actions: 'recordStopRequested' },
        RESTART: { target: 'DISCONNECTING', actions: 'requestRestart' },
      },
    },

    DISCONNECTING: {
      entry: 'recordStateEntered',
      exit: 'forgetConnection',
      initial: 'closing',
      states: {
        closing: {
          invoke: {
            id: 'disconnect',
            src: 'disconnect',
            input: ({ context }) => ({
              ...serviceRef(context),
              connectionId: context.connectionId,
              timeoutMs: context.config.disconnectTimeout,
            }),
            onDone: 'closed',
            onError: 'closed',
          },
          after: { disconnectTimeout: { target: 'closed', actions: 'recordForcedDisconnect' } },
        },
        closed: {
          always: [
            { guard: 'restartRequested', target: '#service.INITIALIZING', actions: 'resetForRestart' },
            { target: '#service.DISCONNECTED' },
          ],
        },
      },
      on: {
        STOP: { actions: 'recordStopRequested' },
        RESTART: { actions: 'requestRestart' },
      },
    },

    DISCONNECTED: {
      entry: 'recordStateEntered',
      on: {
        RESTART: { target: 'INITIALIZING', actions: 'resetForRestart' },
        REMOVE: 'REMOVED',
      },
    },

    /** Not a lifecycle state: the end of the actor (the diagram's `DISCONNECTED --> [*]`). */
    REMOVED: { type: 'final' },
  },
});

export type ServiceMachine = typeof serviceMachine;
