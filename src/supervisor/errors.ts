// The typed errors of the public API. Each names the service and says what to do next.

import type { ServiceState } from '../machines/service.machine.js';
import { McpSupervisorError } from '../mcp-supervisor-error.js';

/** The base of the errors the supervisor's own methods throw (not those of a connection or a config file). */
export abstract class SupervisorError extends McpSupervisorError {}

/** No service has that key (`name` in the global scope, `agent/name` in an agent's). */
export class ServiceNotFoundError extends SupervisorError {
  /** Always `SERVICE_NOT_FOUND`. */
  readonly code = 'SERVICE_NOT_FOUND';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
  ) {
    super(`no service named '${service}' — list them with listServices() (agent services are 'agent/name')`);
  }
}

/** A service with that key already exists (added from code, or in the config). */
export class DuplicateServiceError extends SupervisorError {
  /** Always `DUPLICATE_SERVICE`. */
  readonly code = 'DUPLICATE_SERVICE';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    remedy = 'remove it first or choose another name',
  ) {
    super(`a service named '${service}' already exists in this scope — ${remedy}`);
  }
}

/** The service exists but its tools cannot be called now; `nextRetryTime` says when it tries again. */
export class ServiceUnavailableError extends SupervisorError {
  /** Always `SERVICE_UNAVAILABLE`. */
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    /** The service's lifecycle state when the call was refused. */
    readonly state: ServiceState,
    /** When the service next tries to connect (epoch ms); null when no retry is scheduled. */
    readonly nextRetryTime: number | null,
    /** The service's last failure message, if any. */
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

/** The service is available but does not offer that tool; `available` lists the ones it has. */
export class ToolNotFoundError extends SupervisorError {
  /** Always `TOOL_NOT_FOUND`. */
  readonly code = 'TOOL_NOT_FOUND';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    /** The tool asked for. */
    readonly tool: string,
    /** The names of the tools the service does offer. */
    readonly available: readonly string[],
  ) {
    const listing = available.length > 0 ? available.join(', ') : 'none';
    super(`service '${service}' has no tool '${tool}' (it has: ${listing})`);
  }
}

/** A `callTool` got no answer within its `timeoutMs`, or within its `maxTotalTimeout` (`limit` says which). */
export class ToolCallTimeoutError extends SupervisorError {
  /** Always `TOOL_CALL_TIMEOUT`. */
  readonly code = 'TOOL_CALL_TIMEOUT';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    /** The tool that was called. */
    readonly tool: string,
    /** The bound that ran out, in ms. */
    readonly timeoutMs: number,
    /** Which of the call's options that bound was. */
    readonly limit: 'timeoutMs' | 'maxTotalTimeout' = 'timeoutMs',
  ) {
    super(
      limit === 'timeoutMs'
        ? `call of '${tool}' on service '${service}' timed out after ${timeoutMs} ms — raise timeoutMs if the tool is slow`
        : `call of '${tool}' on service '${service}' ran past its maxTotalTimeout of ${timeoutMs} ms — raise maxTotalTimeout if the tool may take that long`,
    );
  }
}

/** `waitForService` gave up before the service reached one of the wanted states. */
export class WaitTimeoutError extends SupervisorError {
  /** Always `WAIT_TIMEOUT`. */
  readonly code = 'WAIT_TIMEOUT';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    /** The states waited for. */
    readonly wanted: readonly ServiceState[],
    /** The state the service was in when the wait gave up. */
    readonly state: ServiceState,
    /** How long the wait lasted, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`service '${service}' did not reach ${wanted.join(' or ')} within ${timeoutMs} ms (it is ${state})`);
  }
}

/** `checkHealth` got no outcome in time: the service's health check neither passed nor failed. */
export class HealthCheckTimeoutError extends SupervisorError {
  /** Always `HEALTH_CHECK_TIMEOUT`. */
  readonly code = 'HEALTH_CHECK_TIMEOUT';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
    /** The state the service was in when the wait gave up. */
    readonly state: ServiceState,
    /** How long the wait lasted, in ms. */
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
  /** Always `SUPERVISOR_STOPPED`. */
  readonly code = 'SUPERVISOR_STOPPED';
  constructor(
    operation: string,
    /** `not-started`: start() was not called yet; `stopped`: stop() was. */
    readonly reason: 'not-started' | 'stopped' = 'stopped',
  ) {
    super(
      reason === 'not-started'
        ? `cannot ${operation}: the supervisor has not been started yet — call start() first`
        : `cannot ${operation}: the supervisor has been stopped — a stopped supervisor cannot be started again; create a new Supervisor`,
    );
  }
}

/** A service was given a redacted copy of a transport (a snapshot's `config.transport`), which cannot connect. */
export class RedactedTransportError extends SupervisorError {
  /** Always `REDACTED_TRANSPORT`. */
  readonly code = 'REDACTED_TRANSPORT';
  constructor(
    /** The fleet key of the service (`name`, or `agent/name`). */
    override readonly service: string,
  ) {
    super(
      `the transport given for service '${service}' is a redacted copy, as snapshots show it (its secret values read '***') — ` +
        'pass the real transport config: the one you loaded or built, not snapshot.config.transport',
    );
  }
}

/** `watchConfig()` was called without a file on a supervisor that was not created from one. */
export class ConfigFileRequiredError extends SupervisorError {
  /** Always `CONFIG_FILE_REQUIRED`. */
  readonly code = 'CONFIG_FILE_REQUIRED';
  constructor() {
    super('watchConfig needs a file: this supervisor was not created from one — pass watchConfig({ file }), or create it with Supervisor.fromFile');
  }
}
