// The lifecycle statechart of one MCP service, top to bottom in the order of the lifecycle
// table. Thresholds are guards, every wait is a named delay computed from context, and all I/O is in
// the invoked actors the caller provides (`serviceMachine.provide({ actors })`).

import { assign, emit, fromCallback, fromPromise, sendTo, setup, type StateValue } from 'xstate';
import { McpSupervisorError } from '../mcp-supervisor-error.js';
import { applyJitter, reconnectDelay, unreachableDelay } from './backoff.js';
import { clockNow } from './clock.js';
import { TOOLS_CHANGED_COALESCE_MS } from './defaults.js';
import { failureCode, failureMessage, isMethodNotFound } from './failure.js';
import type { CheckFailure, ProbeOutcome, ServiceEmitted } from './check-report.js';
import type { StopCause, TransitionCause } from './transition-cause.js';
import { healthTier, pingTimeoutFor, rememberResponseTime } from './health-tier.js';
import { nextRandom } from './random.js';
import { keepIfSame } from './same-tools.js';
import { initialServiceContext, type ServiceContext, type ServiceMachineInput } from './service.context.js';
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
/** One of {@link SERVICE_STATES}. */
export type ServiceState = (typeof SERVICE_STATES)[number];

/** The lifecycle state of a service snapshot's value (`{ HEALTHY: { … } }` → `HEALTHY`); REMOVED once ended. */
export function lifecycleState(value: StateValue): ServiceState | 'REMOVED' {
  return (typeof value === 'string' ? value : Object.keys(value)[0]) as ServiceState | 'REMOVED';
}

/** The tag of the states in which tools may be called: `snapshot.hasTag(AVAILABLE)`. */
export const AVAILABLE = 'available';

/** The events a service machine accepts: commands from its owner, and what its connection actor reports. */
export type ServiceEvent =
  /**
   * Stop: close the connection (DISCONNECTING) and rest in DISCONNECTED. `cause` says why (default
   * `manual_stop`); `reason` is the sentence shown as `disconnectReason`.
   */
  | { type: 'STOP'; cause?: StopCause; reason?: string }
  /** Close the connection and start over from INITIALIZING (also from DISCONNECTED). */
  | { type: 'RESTART' }
  /** End a DISCONNECTED service's actor: it is removed. */
  | { type: 'REMOVE' }
  /** Run the next health check now rather than at its interval. */
  | { type: 'CHECK_NOW' }
  /** Skip the backoff wait of RECONNECTING or UNREACHABLE and try to connect now. */
  | { type: 'RECONNECT_NOW' }
  | ConnectionEvent;

/** Raised by the placeholder actors: the caller must provide real ones. */
export class ActorNotProvidedError extends McpSupervisorError {
  /** Always `ACTOR_NOT_PROVIDED`. */
  readonly code = 'ACTOR_NOT_PROVIDED';
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
  const draw = nextRandom(context.retry.randomState);
  return { delay: applyJitter(delay, context.config.jitter, draw.value), randomState: draw.state };
}

/** Long-cycle retries used up (`max_unreachable_retries`; 0 = never give up). */
const retriesExhausted = (context: ServiceContext) =>
  context.config.maxUnreachableRetries > 0 && context.retry.unreachableRetries >= context.config.maxUnreachableRetries;

/** A connection made since the last health check gets `startup_wait_time` before its first ping. */
const awaitsFirstPing = ({ health, connection }: ServiceContext) =>
  health.lastHealthCheck === null || (connection.connectedTime !== null && health.lastHealthCheck <= connection.connectedTime);

/** The probe's deadline: `ping_timeout`, or the adaptive one. */
const probeTimeout = (context: ServiceContext) => pingTimeoutFor(context.health.responseHistory, context.config);

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
          connectionId: context.connection.id ?? '',
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

type Outcome = readonly { guard?: string; target: string; actions?: { type: 'because'; params: { cause: TransitionCause } } }[];

/** Records why the service is moving (on the edge that decides it). */
const because = (cause: TransitionCause) => ({ type: 'because', params: { cause } }) as const;

/** What the `recordPingFailure` action records about a failed health check. */
const failedWith = ({ event }: { event: { error: unknown } }) => ({ message: failureMessage(event.error) });

/** The report of a connect that succeeded (before `storeConnection`, which resets the attempt count). */
const connected = { type: 'reportConnect', params: { failure: null } } as const;
const connectTimeoutMessage = ({ context }: { context: ServiceContext }) => `connect timed out after ${context.config.connectTimeout} ms`;
/** The report of a connect that ran past `connect_timeout`. */
const connectTimedOut = {
  type: 'reportConnect',
  params: (args: { context: ServiceContext }) => ({ failure: { code: 'OPERATION_TIMEOUT', message: connectTimeoutMessage(args) } }),
} as const;
const connectTimeoutRecord = [{ type: 'recordConnectFailure', params: (args: { context: ServiceContext }) => ({ message: connectTimeoutMessage(args) }) }] as const;

/** An actor's error as the reports carry it: its stable code and its message. */
const checkFailure = (error: unknown): CheckFailure => ({ code: failureCode(error), message: failureMessage(error) });

/** What `reportProbe` says of a probe that failed: a timeout of the connection's own is a timeout too. */
const probeFailed = ({ event }: { event: { error: unknown } }) => {
  const failure = checkFailure(event.error);
  return { outcome: failure.code === 'OPERATION_TIMEOUT' ? ('timed_out' as const) : ('failed' as const), failure };
};

/**
 * HEALTHY and WARNING share one shape: the connection actor for as long as the state lasts, a
 * health-check loop (wait, probe, judge the outcome) and the tools refresh; they differ in the check
 * interval and in where outcomes lead.
 */
function availableState<const Success extends Outcome, const Failure extends Outcome>(spec: {
  description: string;
  checkDelay: 'healthCheck' | 'warningCheck';
  afterPingSuccess: Success;
  afterPingFailure: Failure;
}) {
  // A success that always leads to the same place goes there at once: no eventless step to judge it
  // (HEALTHY's passed check, the common case, is then one microstep fewer).
  const [onlySuccess, ...otherSuccesses] = spec.afterPingSuccess;
  const passedTo = onlySuccess && otherSuccesses.length === 0 && !onlySuccess.guard ? onlySuccess.target : 'succeeded';
  return {
    description: spec.description,
    tags: [AVAILABLE],
    entry: 'recordStateEntered',
    type: 'parallel',
    invoke: {
      id: 'connection',
      src: 'connection',
      // One literal, not a spread plus keys: every service's input then shares one V8 hidden class
      // (a spread that adds keys gets a map of its own, about 1 KB per service for as long as it lives).
      input: ({ context }: { context: ServiceContext }): ConnectionActorInput => ({
        serviceKey: context.serviceKey,
        serviceName: context.serviceName,
        agentId: context.agentId,
        connectionId: context.connection.id ?? '',
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
              CALL_FAILED: {
                target: 'failed',
                actions: [
                  { type: 'recordPingFailure', params: failedWith },
                  {
                    type: 'reportProbe',
                    params: ({ event }: { event: { error: unknown } }) => ({ outcome: 'call_failed' as const, failure: checkFailure(event.error) }),
                  },
                ],
              },
            },
          },
          pinging: {
            entry: ['startPing', 'sendProbe'],
            on: {
              PROBE_OK: {
                target: passedTo,
                actions: [
                  {
                    type: 'recordPingSuccess',
                    params: ({ event }: { event: { responseTime: number | null } }) => ({ responseTime: event.responseTime }),
                  },
                  {
                    type: 'reportProbe',
                    params: ({ event }: { event: { responseTime: number | null } }) => ({
                      outcome: event.responseTime === null ? ('answered_by_call' as const) : ('ok' as const),
                      failure: null,
                    }),
                  },
                ],
              },
              PROBE_FAILED: [
                {
                  guard: { type: 'pingMethodNotFound', params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }) },
                  target: passedTo,
                  actions: [
                    { type: 'recordPingSuccess', params: { responseTime: undefined } },
                    { type: 'reportProbe', params: { outcome: 'ok', failure: null } },
                  ],
                },
                {
                  target: 'failed',
                  actions: [
                    { type: 'recordPingFailure', params: failedWith },
                    { type: 'reportProbe', params: probeFailed },
                  ],
                },
              ],
            },
            after: {
              pingTimeout: {
                target: 'failed',
                actions: [
                  {
                    type: 'recordPingFailure',
                    params: ({ context }: { context: ServiceContext }) => ({ message: `ping timed out after ${probeTimeout(context)} ms` }),
                  },
                  {
                    type: 'reportProbe',
                    params: ({ context }: { context: ServiceContext }) => ({
                      outcome: 'timed_out' as const,
                      failure: { code: 'OPERATION_TIMEOUT', message: context.errorMessage ?? 'ping timed out' },
                    }),
                  },
                ],
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
        actions: [
          {
            type: 'recordConnectionLost',
            params: ({ event }: { event: { reason?: string } }) => ({ reason: event.reason ?? 'connection lost' }),
          },
          because('connection_lost'),
        ],
      },
    },
  } as const;
}

/**
 * The lifecycle statechart of one service: INITIALIZING, HEALTHY, WARNING, RECONNECTING, UNREACHABLE,
 * DISCONNECTING and DISCONNECTED, with its health checks and backoff as delayed transitions. Its I/O
 * actors are placeholders that throw {@link ActorNotProvidedError}: run it with
 * `createActor(serviceMachine.provide({ actors }), { input })`, where `actors` are {@link ServiceActors}
 * and `input` a {@link ServiceMachineInput}.
 */
export const serviceMachine = setup({
  types: {
    context: {} as ServiceContext,
    events: {} as ServiceEvent,
    input: {} as ServiceMachineInput,
    emitted: {} as ServiceEmitted,
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
    reachedWarningThreshold: ({ context }) => context.health.consecutiveFailures >= context.config.warningFailureThreshold,
    reachedReconnectingThreshold: ({ context }) =>
      context.health.consecutiveFailures >= context.config.reconnectingFailureThreshold,
    reachedRecoveryThreshold: ({ context }) => context.health.consecutiveSuccesses >= context.config.recoverySuccessThreshold,
    reconnectAttemptsExhausted: ({ context }) => context.retry.reconnectAttempts >= context.config.maxReconnectAttempts,
    unreachableRetriesExhausted: ({ context }) => retriesExhausted(context),
    pingMethodNotFound: (_, params: { error: unknown }) => isMethodNotFound(params.error),
    restartRequested: ({ context }) => context.restartRequested,
    toolsStale: ({ context }) => context.tools.changes > context.tools.listedChanges,
  },
  delays: {
    connectTimeout: ({ context }) => context.config.connectTimeout,
    healthCheck: ({ context }) =>
      awaitsFirstPing(context) ? context.config.startupWaitTime : context.config.healthCheckInterval,
    warningCheck: ({ context }) => context.config.warningCheckInterval,
    pingTimeout: ({ context }) => probeTimeout(context),
    reconnectBackoff: ({ context }) => context.retry.delay ?? 0,
    unreachableBackoff: ({ context }) => context.retry.delay ?? 0,
    disconnectTimeout: ({ context }) => context.config.disconnectTimeout,
    toolsRefreshDue: ({ context }) => context.tools.refreshDelay,
    toolsChangeCoalesce: TOOLS_CHANGED_COALESCE_MS,
  },
  actions: {
    recordStateEntered: assign({ stateEnteredTime: ({ system }) => clockNow(system) }),
    because: assign((_, params: { cause: TransitionCause }) => ({ cause: params.cause })),

    /** A fresh connection: its data, the tools it listed, and the cycle's counters back at zero. */
    storeConnection: assign(({ context, system }, output: ConnectOutput) => {
      const now = clockNow(system);
      return {
        connection: { id: output.connectionId, connectedTime: now, serverInfo: output.serverInfo, protocol: output.protocol },
        health: { ...context.health, consecutiveFailures: 0, consecutiveSuccesses: 0 },
        retry: { ...context.retry, reconnectAttempts: 0, unreachableRetries: 0, nextRetryTime: null, delay: null },
        tools: { ...context.tools, list: keepIfSame(context.tools.list, output.tools), updatedTime: now, listedChanges: context.tools.changes },
        errorMessage: null,
        disconnectReason: null,
      };
    }),
    recordConnectFailure: assign(({ context, system }, params: { message: string }) => ({
      errorMessage: params.message,
      health: { ...context.health, lastFailureTime: clockNow(system), totalFailures: context.health.totalFailures + 1 },
    })),
    countReconnectAttempt: assign(({ context }) => ({
      retry: {
        ...context.retry,
        reconnectAttempts: context.retry.reconnectAttempts + 1,
        totalReconnectAttempts: context.retry.totalReconnectAttempts + 1,
      },
    })),
    scheduleReconnect: assign(({ context, system }) => {
      const { delay, randomState } = jittered(context, reconnectDelay(context.retry.reconnectAttempts, context.config));
      return { retry: { ...context.retry, delay, nextRetryTime: clockNow(system) + delay, randomState } };
    }),
    scheduleUnreachableRetry: assign(({ context, system }) => {
      if (retriesExhausted(context)) return { retry: { ...context.retry, delay: 0, nextRetryTime: null } };
      const { delay, randomState } = jittered(context, unreachableDelay(context.retry.unreachableRetries, context.config));
      return { retry: { ...context.retry, delay, nextRetryTime: clockNow(system) + delay, randomState } };
    }),
    countUnreachableRetry: assign(({ context }) => ({
      retry: { ...context.retry, unreachableRetries: context.retry.unreachableRetries + 1 },
    })),
    clearRetrySchedule: assign(({ context }) => ({ retry: { ...context.retry, nextRetryTime: null, delay: null } })),

    startPing: assign(({ context, system }) => ({ health: { ...context.health, lastPingTime: clockNow(system) } })),
    sendProbe: sendTo('connection', ({ context }): ConnectionCommand => ({ type: 'PROBE', timeoutMs: probeTimeout(context) })),
    /**
     * A probe answered in `responseTime` ms (measured by the connection actor; from the clock when it
     * does not say). Null: a recent tool call answered for it, and there is no round trip to record.
     */
    recordPingSuccess: assign(({ context, system }, params: { responseTime: number | null | undefined }) => {
      const now = clockNow(system);
      const { health } = context;
      const passed = {
        ...health,
        consecutiveFailures: 0,
        consecutiveSuccesses: health.consecutiveSuccesses + 1,
        lastSuccessTime: now,
        lastHealthCheck: now,
        totalHealthChecks: health.totalHealthChecks + 1,
      };
      if (params.responseTime === null) return { health: { ...passed, responseTime: health.lastResponseTime } };
      const responseTime = params.responseTime ?? Math.max(0, now - (health.lastPingTime ?? now));
      return {
        health: {
          ...passed,
          responseTime,
          lastResponseTime: responseTime,
          responseHistory: rememberResponseTime(health.responseHistory, responseTime, context.config.historySize),
        },
      };
    }),
    /**
     * Tells the owner how the check that just ended went (after the record action: it reads what that
     * recorded). Duration is from the probe's send; no probe was sent for a tool call's verdict.
     */
    reportProbe: emit(({ context, system }, params: { outcome: ProbeOutcome; failure: CheckFailure | null }) => {
      const at = clockNow(system);
      const { health, config } = context;
      const sent = params.outcome !== 'answered_by_call' && params.outcome !== 'call_failed';
      const responseTime = params.outcome === 'ok' ? health.responseTime : null;
      const tier = params.failure ? ('unhealthy' as const) : responseTime === null ? null : healthTier(responseTime, config);
      return {
        type: 'probe' as const,
        outcome: params.outcome,
        at,
        durationMs: sent && health.lastPingTime !== null ? Math.max(0, at - health.lastPingTime) : null,
        responseTime,
        tier,
        failure: params.failure,
      };
    }),
    /** Tells the owner how the connect attempt that just ended went. */
    reportConnect: emit(({ context, system }, params: { failure: CheckFailure | null }) => ({
      type: 'connect' as const,
      attempt: context.retry.reconnectAttempts,
      at: clockNow(system),
      failure: params.failure,
    })),
    recordPingFailure: assign(({ context, system }, params: { message: string }) => {
      const now = clockNow(system);
      const { health } = context;
      return {
        health: {
          ...health,
          consecutiveFailures: health.consecutiveFailures + 1,
          consecutiveSuccesses: 0,
          totalFailures: health.totalFailures + 1,
          lastFailureTime: now,
          lastHealthCheck: now,
          totalHealthChecks: health.totalHealthChecks + 1,
          responseTime: null,
        },
        errorMessage: params.message,
      };
    }),
    recordConnectionLost: assign(({ context, system }, params: { reason: string }) => ({
      errorMessage: params.reason,
      disconnectReason: params.reason,
      health: { ...context.health, lastFailureTime: clockNow(system) },
    })),

    scheduleToolsRefresh: assign(({ context, system }) => {
      const now = clockNow(system);
      const refreshDelay = Math.max(0, (context.tools.updatedTime ?? now) + context.config.toolsUpdateInterval - now);
      return { tools: { ...context.tools, refreshDelay } };
    }),
    countToolsChange: assign(({ context }) => ({ tools: { ...context.tools, changes: context.tools.changes + 1 } })),
    startToolsListing: assign(({ context }) => ({ tools: { ...context.tools, listingChanges: context.tools.changes } })),
    storeTools: assign(({ context, system }, list: ToolDescriptor[]) => ({
      tools: { ...context.tools, list: keepIfSame(context.tools.list, list), updatedTime: clockNow(system), listedChanges: context.tools.listingChanges },
    })),
    /** A failing tools/list is not retried in a loop: the next change notice or periodic refresh retries. */
    recordToolsRefreshFailure: assign(({ context, system }) => ({
      tools: { ...context.tools, updatedTime: clockNow(system), listedChanges: context.tools.changes },
    })),

    recordStopRequested: assign(({ event }) => ({
      restartRequested: false,
      disconnectReason: event.type === 'STOP' && event.reason ? event.reason : 'stopped on request',
      cause: event.type === 'STOP' && event.cause ? event.cause : 'manual_stop',
    })),
    requestRestart: assign({ restartRequested: true, disconnectReason: 'restart requested', cause: 'manual_restart' }),
    recordForcedDisconnect: assign(({ context }) => ({
      errorMessage: `disconnect timed out after ${context.config.disconnectTimeout} ms; the connection was abandoned`,
    })),
    forgetConnection: assign(({ context }) => ({ connection: { ...context.connection, id: null, connectedTime: null } })),
    recordGiveUp: assign(({ context }) => ({
      disconnectReason: `gave up after ${context.retry.unreachableRetries} unreachable retries${
        context.errorMessage ? `: ${context.errorMessage}` : ''
      }`,
    })),
    resetForRestart: assign(({ context }) => ({
      health: { ...context.health, consecutiveFailures: 0, consecutiveSuccesses: 0, responseHistory: [] },
      retry: { ...context.retry, reconnectAttempts: 0, unreachableRetries: 0, nextRetryTime: null, delay: null },
      restartRequested: false,
      errorMessage: null,
      disconnectReason: null,
    })),
  },
}).createMachine({
  id: 'service',
  context: ({ input, self }) => initialServiceContext(input, clockNow(self.system)),
  initial: 'INITIALIZING',
  // Every state but DISCONNECTING and DISCONNECTED stops or restarts the same way; those two override.
  on: {
    STOP: { target: '.DISCONNECTING', actions: 'recordStopRequested' },
    RESTART: { target: '.DISCONNECTING', actions: 'requestRestart' },
  },
  states: {
    INITIALIZING: {
      description: 'Config validated; first connect: the era probe or `initialize` handshake, then `tools/list`.',
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
        onDone: {
          target: 'HEALTHY',
          actions: [connected, { type: 'storeConnection', params: ({ event }) => event.output }, because('connected')],
        },
        onError: {
          target: 'RECONNECTING',
          actions: [
            { type: 'reportConnect', params: ({ event }) => ({ failure: checkFailure(event.error) }) },
            { type: 'recordConnectFailure', params: ({ event }) => ({ message: failureMessage(event.error) }) },
            because('connect_failed'),
          ],
        },
      },
      after: {
        connectTimeout: {
          target: 'RECONNECTING',
          actions: [connectTimedOut, ...connectTimeoutRecord, because('connect_failed')],
        },
      },
    },

    HEALTHY: availableState({
      description: 'Connected, health checks pass; tools are callable.',
      checkDelay: 'healthCheck',
      afterPingSuccess: [{ target: 'waiting' }],
      afterPingFailure: [
        { guard: 'reachedReconnectingThreshold', target: '#service.RECONNECTING', actions: because('probe_threshold') },
        { guard: 'reachedWarningThreshold', target: '#service.WARNING', actions: because('probe_threshold') },
        { target: 'waiting' },
      ],
    }),

    WARNING: availableState({
      description: 'Some consecutive health checks failed, below the reconnect threshold; tools are still callable (partially available).',
      checkDelay: 'warningCheck',
      afterPingSuccess: [
        { guard: 'reachedRecoveryThreshold', target: '#service.HEALTHY', actions: because('recovered') },
        { target: 'waiting' },
      ],
      afterPingFailure: [
        { guard: 'reachedReconnectingThreshold', target: '#service.RECONNECTING', actions: because('probe_threshold') },
        { target: 'waiting' },
      ],
    }),

    RECONNECTING: {
      description: 'The failure threshold was reached or the connection was lost; reconnect attempts with a short, jittered backoff.',
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
              attempt: context.retry.reconnectAttempts,
              timeoutMs: context.config.connectTimeout,
              priority: context.config.priority,
              closeTimeoutMs: context.config.failedCloseTimeout,
            }),
            onDone: {
              target: '#service.HEALTHY',
              actions: [connected, { type: 'storeConnection', params: ({ event }) => event.output }, because('reconnected')],
            },
            onError: {
              target: 'failed',
              actions: [
                { type: 'reportConnect', params: ({ event }) => ({ failure: checkFailure(event.error) }) },
                { type: 'recordConnectFailure', params: ({ event }) => ({ message: failureMessage(event.error) }) },
              ],
            },
          },
          after: {
            connectTimeout: {
              target: 'failed',
              actions: [connectTimedOut, ...connectTimeoutRecord],
            },
          },
        },
        failed: {
          always: [
            { guard: 'reconnectAttemptsExhausted', target: '#service.UNREACHABLE', actions: because('attempts_exhausted') },
            { target: 'waiting' },
          ],
        },
        waiting: {
          entry: 'scheduleReconnect',
          after: { reconnectBackoff: 'attempting' },
          on: { RECONNECT_NOW: 'attempting' },
        },
      },
    },

    UNREACHABLE: {
      description: 'Reconnect attempts exhausted; long-cycle retries with a priority-weighted backoff.',
      entry: ['recordStateEntered', 'scheduleUnreachableRetry'],
      exit: 'clearRetrySchedule',
      after: {
        // Fires after the long-cycle backoff, or at once when no retries are left.
        unreachableBackoff: [
          {
            guard: 'unreachableRetriesExhausted',
            target: 'DISCONNECTED',
            actions: ['recordGiveUp', 'forgetConnection', because('retries_exhausted')],
          },
          { target: 'RECONNECTING', actions: ['countUnreachableRetry', because('long_cycle_retry')] },
        ],
      },
      on: {
        RECONNECT_NOW: { target: 'RECONNECTING', actions: because('manual_reconnect') },
      },
    },

    DISCONNECTING: {
      description: 'Graceful close in progress: the session ended, the process tree stopped.',
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
              connectionId: context.connection.id,
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
      // Already closing: a STOP or RESTART only changes where the close leads.
      on: {
        STOP: { actions: 'recordStopRequested' },
        RESTART: { actions: 'requestRestart' },
      },
    },

    DISCONNECTED: {
      description: 'Terminated; waits for a restart or its removal.',
      entry: 'recordStateEntered',
      on: {
        STOP: {},
        RESTART: { target: 'INITIALIZING', actions: ['resetForRestart', because('manual_restart')] },
        REMOVE: 'REMOVED',
      },
    },

    /** Not a lifecycle state: the end of the actor (the diagram's `DISCONNECTED --> [*]`). */
    REMOVED: { type: 'final' },
  },
});

/** The type of {@link serviceMachine}. */
export type ServiceMachine = typeof serviceMachine;

/**
 * The states tagged {@link AVAILABLE}, read from the chart itself (HEALTHY, and WARNING: partially
 * available). A running actor's snapshot answers with `snapshot.hasTag(AVAILABLE)`.
 */
export const AVAILABLE_STATES: readonly ServiceState[] = SERVICE_STATES.filter((state) => serviceMachine.states[state]?.tags.includes(AVAILABLE));
