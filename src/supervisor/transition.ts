// One lifecycle transition as published on `transitions$`, with a reason a person can read.

import type { ServiceContext } from '../machines/service.context.js';
import type { ServiceState } from '../machines/service.machine.js';

export interface Transition {
  /** Fleet key of the service (`name` or `agent/name`). */
  readonly service: string;
  readonly agent: string | null;
  /** null when the service was just registered. */
  readonly from: ServiceState | null;
  /** REMOVED: the service was deleted (by request or by the cleanup sweep). */
  readonly to: ServiceState | 'REMOVED';
  /** Epoch milliseconds. */
  readonly at: number;
  readonly reason: string;
}

const withError = (text: string, context: ServiceContext) =>
  context.errorMessage ? `${text}: ${context.errorMessage}` : text;

/** Why the service moved from `from` to `to`, read from the metadata the move left behind. */
export function transitionReason(from: ServiceState | null, to: ServiceState, context: ServiceContext): string {
  switch (to) {
    case 'INITIALIZING':
      return from === null ? 'service registered' : 'restarted';
    case 'HEALTHY':
      if (from === 'WARNING') return `recovered after ${context.health.consecutiveSuccesses} successful ping(s)`;
      return `${from === 'INITIALIZING' ? 'connected' : 'reconnected'} with ${context.tools.list.length} tool(s)`;
    case 'WARNING':
      return withError(`${context.health.consecutiveFailures} consecutive ping failure(s)`, context);
    case 'RECONNECTING':
      if (from === 'INITIALIZING') return withError('first connect failed', context);
      if (from === 'UNREACHABLE') return `long-cycle retry ${context.retry.unreachableRetries}`;
      if (context.health.consecutiveFailures >= context.config.reconnectingFailureThreshold) {
        return withError(`${context.health.consecutiveFailures} consecutive ping failure(s)`, context);
      }
      return `connection lost: ${context.disconnectReason ?? context.errorMessage ?? 'transport closed'}`;
    case 'UNREACHABLE':
      return withError(`${context.retry.reconnectAttempts} reconnect attempt(s) failed`, context);
    case 'DISCONNECTING':
    case 'DISCONNECTED':
      return context.disconnectReason ?? withError('disconnected', context);
  }
}
