// The typed errors of the public API. Each names the service and says what to do next.

import type { ServiceState } from '../machines/service.machine.js';

export class SupervisorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class ServiceNotFoundError extends SupervisorError {
  constructor(readonly service: string) {
    super(`no service named '${service}' — list them with listServices() (agent services are 'agent/name')`);
  }
}

export class DuplicateServiceError extends SupervisorError {
  constructor(
    readonly service: string,
    remedy = 'remove it first or choose another name',
  ) {
    super(`a service named '${service}' already exists in this scope — ${remedy}`);
  }
}

/** The service exists but its tools cannot be called now; `nextRetryTime` says when it tries again. */
export class ServiceUnavailableError extends SupervisorError {
  constructor(
    readonly service: string,
    readonly state: ServiceState,
    readonly nextRetryTime: number | null,
    readonly lastError: string | null,
  ) {
    const retry = nextRetryTime === null ? '' : `; next retry at ${new Date(nextRetryTime).toISOString()}`;
    const cause = lastError ? ` (last error: ${lastError})` : '';
    super(
      `service '${service}' is ${state} and cannot take calls${retry}${cause} — ` +
        `use waitForService('${service}') to wait until it is available`,
    );
  }
}

export class ToolNotFoundError extends SupervisorError {
  constructor(
    readonly service: string,
    readonly tool: string,
    readonly available: readonly string[],
  ) {
    const listing = available.length > 0 ? available.join(', ') : 'none';
    super(`service '${service}' has no tool '${tool}' (it has: ${listing})`);
  }
}

export class ToolCallTimeoutError extends SupervisorError {
  constructor(
    readonly service: string,
    readonly tool: string,
    readonly timeoutMs: number,
  ) {
    super(`call of '${tool}' on service '${service}' timed out after ${timeoutMs} ms — raise timeoutMs if the tool is slow`);
  }
}

/** `waitForService` gave up before the service reached one of the wanted states. */
export class WaitTimeoutError extends SupervisorError {
  constructor(
    readonly service: string,
    readonly wanted: readonly ServiceState[],
    readonly state: ServiceState,
    readonly timeoutMs: number,
  ) {
    super(`service '${service}' did not reach ${wanted.join(' or ')} within ${timeoutMs} ms (it is ${state})`);
  }
}

/** `checkHealth` got no outcome in time: the service's health check neither passed nor failed. */
export class HealthCheckTimeoutError extends SupervisorError {
  constructor(
    readonly service: string,
    readonly state: ServiceState,
    readonly timeoutMs: number,
  ) {
    super(
      `the health check of service '${service}' did not finish within ${timeoutMs} ms (it is ${state}) — ` +
        `call checkHealth('${service}') again, or restartService('${service}') if it keeps happening`,
    );
  }
}

/** The supervisor was not started yet, or has been stopped, when the call was made; `reason` says which. */
export class SupervisorStoppedError extends SupervisorError {
  constructor(
    operation: string,
    readonly reason: 'not-started' | 'stopped' = 'stopped',
  ) {
    super(
      reason === 'not-started'
        ? `cannot ${operation}: the supervisor has not been started yet — call start() first`
        : `cannot ${operation}: the supervisor has been stopped — a stopped supervisor cannot be started again; create a new Supervisor`,
    );
  }
}
