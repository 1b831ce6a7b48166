// Why a service moved between lifecycle states: a closed set of machine-readable causes. The chart
// records the cause on the edge that decides it (context.cause); the supervisor adds the causes that
// are its own decisions (a crash restart, removal, the cleanup sweep) and writes the sentence beside it.

/** Every reason a service can change lifecycle state, as recorded in its context and snapshots (`cause`). */
export const TRANSITION_CAUSES = [
  /** (spawn) → INITIALIZING. */
  'registered',
  /** INITIALIZING → HEALTHY. */
  'connected',
  /** INITIALIZING → RECONNECTING: the first connect failed or took longer than `connect_timeout`. */
  'connect_failed',
  /** Failed health checks reached `warning_failure_threshold` (→ WARNING) or `reconnecting_failure_threshold` (→ RECONNECTING). */
  'probe_threshold',
  /** HEALTHY / WARNING → RECONNECTING: the transport closed (process exited, session or stream lost). */
  'connection_lost',
  /** WARNING → HEALTHY: `recovery_success_threshold` checks passed in a row. */
  'recovered',
  /** RECONNECTING → HEALTHY. */
  'reconnected',
  /** RECONNECTING → UNREACHABLE: `max_reconnect_attempts` attempts failed. */
  'attempts_exhausted',
  /** UNREACHABLE → RECONNECTING: the long-cycle retry timer fired. */
  'long_cycle_retry',
  /** UNREACHABLE → RECONNECTING: a reconnect asked for now. */
  'manual_reconnect',
  /** UNREACHABLE → DISCONNECTED: `max_unreachable_retries` long-cycle retries failed. */
  'retries_exhausted',
  /** → DISCONNECTING → DISCONNECTED: stopped on request. */
  'manual_stop',
  /** → DISCONNECTING → INITIALIZING, or DISCONNECTED → INITIALIZING: restarted on request. */
  'manual_restart',
  /** Stopped, and started again, because its config changed. */
  'config_changed',
  /** Stopped to be removed, and removed (→ REMOVED). */
  'removed',
  /** Stopped because the supervisor is stopping. */
  'shutdown',
  /** DISCONNECTED → REMOVED: older than `max_disconnected_age_hours` at a cleanup sweep. */
  'cleanup',
  /** The service's actor crashed and the supervisor started it again (→ INITIALIZING). */
  'crashed',
  /** The actor crashed more than `max_restarts` times within `restart_window` (→ DISCONNECTED). */
  'restart_budget_exhausted',
] as const;

/** One of {@link TRANSITION_CAUSES}. */
export type TransitionCause = (typeof TRANSITION_CAUSES)[number];

/** The causes a STOP may carry; a STOP without one is `manual_stop`. */
export type StopCause = Extract<TransitionCause, 'manual_stop' | 'config_changed' | 'removed' | 'shutdown'>;

/** A cause with its sentence, for a move that was the supervisor's own decision (a crash restart, a removal). */
export interface Cause {
  cause: TransitionCause;
  reason: string;
}
