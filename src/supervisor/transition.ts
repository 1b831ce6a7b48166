// One lifecycle transition as published on `transitions$`: its machine-readable cause, and beside it a
// sentence a person can read, written from the cause and the metadata the move left behind.

import type { ServiceContext } from '../machines/service.context.js';
import type { ServiceState } from '../machines/service.machine.js';
import type { TransitionCause } from '../machines/transition-cause.js';
import { plural } from './plural.js';

/** One state change of one service, as `transitions$` publishes it: never coalesced, in order per service. */
export interface Transition {
  /** Fleet key of the service (`name` or `agent/name`). */
  readonly service: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  readonly agent: string | null;
  /** null when the service was just registered. */
  readonly from: ServiceState | null;
  /** REMOVED: the service was deleted (by request or by the cleanup sweep). */
  readonly to: ServiceState | 'REMOVED';
  /** Epoch milliseconds. */
  readonly at: number;
  /** Why, from a closed set (see TRANSITION_CAUSES). */
  readonly cause: TransitionCause;
  /** Why, in a sentence. */
  readonly reason: string;
}

const withError = (text: string, context: ServiceContext) =>
  context.errorMessage ? `${text}: ${context.errorMessage}` : text;

/** The sentence for a move the chart made into `to`, from its recorded cause and the context it left. */
export function describeTransition(cause: TransitionCause, to: ServiceState, context: ServiceContext): string {
  const { health, retry } = context;
  switch (cause) {
    case 'registered':
      return 'service registered';
    case 'connected':
    case 'reconnected':
      return `${cause} with ${plural(context.tools.list.length, 'tool')}`;
    case 'connect_failed':
      return withError('first connect failed', context);
    case 'probe_threshold':
      return withError(`${plural(health.consecutiveFailures, 'consecutive ping failure')}`, context);
    case 'connection_lost':
      return `connection lost: ${context.disconnectReason ?? context.errorMessage ?? 'transport closed'}`;
    case 'recovered':
      return `recovered after ${plural(health.consecutiveSuccesses, 'successful ping')}`;
    case 'attempts_exhausted':
      return withError(`${plural(retry.reconnectAttempts, 'reconnect attempt')} failed`, context);
    case 'long_cycle_retry':
      return `long-cycle retry ${retry.unreachableRetries}`;
    case 'manual_reconnect':
      return 'reconnect requested';
    case 'manual_restart':
      return to === 'INITIALIZING' ? 'restarted' : (context.disconnectReason ?? 'restart requested');
    case 'retries_exhausted':
    case 'manual_stop':
    case 'config_changed':
    case 'removed':
    case 'shutdown':
    case 'cleanup':
    case 'crashed':
    case 'restart_budget_exhausted':
      return context.disconnectReason ?? withError('disconnected', context);
  }
}
