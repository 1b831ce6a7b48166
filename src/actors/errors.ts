// The typed errors of the MCP actors, and the one place where raw failures (spawn, fetch, the SDK) become
// messages a user can act on. No message carries a header value or an env value.

import { existsSync } from 'node:fs';
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError, SseError } from '@modelcontextprotocol/client';
import { redactUrl, type TransportConfig } from '../config/transport.js';
import { redactSecrets, secretsOf } from './redact-secrets.js';
import { isMessageTooLarge } from './oversized-reply.js';
import { describeExit, type ProcessExit } from './process-exit.js';
import { McpSupervisorError, type McpSupervisorErrorCode } from '../mcp-supervisor-error.js';

/**
 * Base of every error an MCP connection rejects with; itself the failure no more specific class
 * describes (its message says what the operation was and what failed, secrets redacted).
 */
export class McpActorError extends McpSupervisorError {
  /** `MCP_OPERATION_FAILED` here; each subclass has its own. */
  readonly code: McpSupervisorErrorCode = 'MCP_OPERATION_FAILED';
}

/** The stdio command does not exist (or is not on the PATH the server gets). */
export class CommandNotFoundError extends McpActorError {
  /** Always `COMMAND_NOT_FOUND`. */
  override readonly code = 'COMMAND_NOT_FOUND';
  constructor(
    /** The command as configured. */
    readonly command: string,
  ) {
    super(`command not found: ${command}`);
  }
}

/** The configured working directory of a stdio server does not exist. */
export class WorkingDirectoryNotFoundError extends McpActorError {
  /** Always `WORKING_DIRECTORY_NOT_FOUND`. */
  override readonly code = 'WORKING_DIRECTORY_NOT_FOUND';
  constructor(
    /** The working directory as configured. */
    readonly cwd: string,
  ) {
    super(`working directory not found: ${cwd}`);
  }
}

/** The server process ended before the connection was established. */
export class ServerExitedError extends McpActorError {
  /** Always `SERVER_EXITED`. */
  override readonly code = 'SERVER_EXITED';
  constructor(
    /** How the process ended: its exit code or signal. */
    readonly exit: ProcessExit,
    /** The last lines the server wrote to stderr, secrets redacted. */
    readonly stderrTail: readonly string[],
  ) {
    const stderr = stderrTail.length > 0 ? `; last stderr lines:\n${stderrTail.map((line) => `  ${line}`).join('\n')}` : '; it wrote nothing to stderr';
    super(`server ${describeExit(exit)} during start${stderr}`);
  }
}

/** Nothing listens at the server's URL (ECONNREFUSED). */
export class ConnectionRefusedError extends McpActorError {
  /** Always `CONNECTION_REFUSED`. */
  override readonly code = 'CONNECTION_REFUSED';
  constructor(
    /** The server's URL, secrets redacted. */
    readonly url: string,
  ) {
    super(`connection refused at ${url}`);
  }
}

/** HTTP 401 or 403. */
export class UnauthorizedError extends McpActorError {
  /** Always `UNAUTHORIZED`. */
  override readonly code = 'UNAUTHORIZED';
  constructor(
    /** The service's name as configured. */
    readonly serviceName: string,
    /** The HTTP status: 401 or 403. */
    readonly status: number,
  ) {
    super(`unauthorized — check the headers for ${serviceName}`);
  }
}

/** Any other HTTP error status from an MCP endpoint. */
export class HttpStatusError extends McpActorError {
  /** Always `HTTP_STATUS`. */
  override readonly code = 'HTTP_STATUS';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
    /** The HTTP status the server answered with. */
    readonly status: number,
    /** The server's URL, secrets redacted. */
    readonly url: string,
    hint: string,
  ) {
    super(`${operation} failed: HTTP ${status} from ${url}${hint}`);
  }
}

/** An MCP request (a connect, a ping, a tool call) got no answer within its bound. */
export class OperationTimeoutError extends McpActorError {
  /** Always `OPERATION_TIMEOUT`. */
  override readonly code = 'OPERATION_TIMEOUT';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
    /** The bound that ran out, in ms. */
    readonly timeoutMs: number,
  ) {
    super(`${operation} timed out after ${timeoutMs} ms`);
  }
}

/** The caller's abort signal fired (the invoking state was left, the caller gave up). */
export class OperationAbortedError extends McpActorError {
  /** Always `OPERATION_ABORTED`. */
  override readonly code = 'OPERATION_ABORTED';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
  ) {
    super(`${operation} was aborted`);
  }
}

/** The connection dropped (process exit, socket or session lost) while an operation needed it. */
export class ConnectionLostError extends McpActorError {
  /** Always `CONNECTION_LOST`. */
  override readonly code = 'CONNECTION_LOST';
  constructor(
    /** How the connection was lost (the process exited, the session ended, …). */
    readonly reason: string,
  ) {
    super(`connection lost: ${reason}`);
  }
}

/** The service has no open connection with that id (never connected, closed, or replaced). */
export class NotConnectedError extends McpActorError {
  /** Always `NOT_CONNECTED`. */
  override readonly code = 'NOT_CONNECTED';
  /** The fleet key of the service (`name`, or `agent/name`). */
  override readonly service: string;
  constructor(
    /** The same fleet key as `service`. */
    readonly serviceKey: string,
  ) {
    super(`${serviceKey} is not connected`);
    this.service = serviceKey;
  }
}

/** `register(serviceKey, transport)` was never called for this service. */
export class ServiceNotRegisteredError extends McpActorError {
  /** Always `SERVICE_NOT_REGISTERED`. */
  override readonly code = 'SERVICE_NOT_REGISTERED';
  /** The fleet key of the service (`name`, or `agent/name`). */
  override readonly service: string;
  constructor(
    /** The same fleet key as `service`. */
    readonly serviceKey: string,
  ) {
    super(`no transport registered for service ${serviceKey}`);
    this.service = serviceKey;
  }
}

/** The server's reply was larger than one message may be; it was skipped, not read. */
export class MessageTooLargeError extends McpActorError {
  /** Always `MESSAGE_TOO_LARGE`. */
  override readonly code = 'MESSAGE_TOO_LARGE';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
    /** The size of the reply, in bytes. */
    readonly bytes: number,
    /** The largest message accepted, in bytes. */
    readonly limitBytes: number,
  ) {
    super(
      `${operation} failed: the server's reply was ${formatBytes(bytes)}, over the ${formatBytes(limitBytes)} limit of one message; ` +
        'ask for less at a time (the server may offer paging or resource links)',
    );
  }
}

/** The supervisor's process ran out of file descriptors (EMFILE / ENFILE). */
export class TooManyOpenFilesError extends McpActorError {
  /** Always `TOO_MANY_OPEN_FILES`. */
  override readonly code = 'TOO_MANY_OPEN_FILES';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
    /** `EMFILE` (this process's limit) or `ENFILE` (the system's). */
    readonly systemCode: string,
  ) {
    super(
      `${operation} failed: too many open files (${systemCode}); raise the limit of open files (ulimit -n, LimitNOFILE= in systemd) ` +
        'or supervise fewer services in this process',
    );
  }
}

/** The server answered with a JSON-RPC error. */
export class McpRequestError extends McpActorError {
  /** Always `MCP_REQUEST_FAILED`. */
  override readonly code = 'MCP_REQUEST_FAILED';
  constructor(
    /** The operation that failed (`connect`, `ping`, `tools/list`, `tools/call <tool>`). */
    readonly operation: string,
    /** The JSON-RPC error code of the answer (e.g. -32602, invalid params). */
    readonly jsonRpcCode: number,
    /** The server's own message (secrets redacted). */
    readonly detail: string,
    /** The `data` of the server's error answer, for whoever passes the error on (a gateway). */
    readonly data?: unknown,
  ) {
    super(`${operation} failed: ${detail} (JSON-RPC error ${jsonRpcCode})`);
  }
}

/** What an operation was doing when it failed; enough to phrase the failure for a user. */
export interface FailureContext {
  operation: string;
  /** The fleet key of the service (`name`, or `agent/name`). */
  serviceKey: string;
  serviceName: string;
  transport: TransportConfig;
  timeoutMs: number;
}

/**
 * `error` with the fleet key of the service it concerns as its `service`, as the supervisor's own
 * errors have it; an error that already names a service keeps it.
 */
export function concerning<E extends McpActorError>(error: E, serviceKey: string): E {
  if (error.service === undefined) Object.assign(error, { service: serviceKey });
  return error;
}

/** Any failure, as the most specific typed error with a secret-free message, naming its service. */
export function toActionableError(error: unknown, context: FailureContext): McpActorError {
  return concerning(classify(error, context), context.serviceKey);
}

function classify(error: unknown, context: FailureContext): McpActorError {
  if (error instanceof McpActorError) return error;
  const { transport } = context;
  const code = errorCode(error);
  if (transport.type === 'stdio' && code === 'ENOENT') {
    // Node reports a missing working directory as the command's ENOENT.
    if (transport.cwd !== undefined && !existsSync(transport.cwd)) return new WorkingDirectoryNotFoundError(transport.cwd);
    return new CommandNotFoundError(transport.command);
  }
  if (transport.type !== 'stdio' && code === 'ECONNREFUSED') return new ConnectionRefusedError(redactUrl(transport.url));
  if (code === 'EMFILE' || code === 'ENFILE') return new TooManyOpenFilesError(context.operation, code);
  const status = httpStatus(error);
  if (status === 401 || status === 403) return new UnauthorizedError(context.serviceName, status);
  if (status !== undefined && transport.type !== 'stdio') {
    const onlySse = transport.type === 'streamable-http' && status >= 400 && status < 500;
    const hint = onlySse ? ' (if the server only speaks the older SSE transport, set `transport: sse`)' : '';
    return new HttpStatusError(context.operation, status, redactUrl(transport.url), hint);
  }
  if (error instanceof ProtocolError) {
    if (isMessageTooLarge(error.data)) return new MessageTooLargeError(context.operation, error.data.bytes, error.data.limitBytes);
    return new McpRequestError(context.operation, error.code, redact(error.message, transport), error.data);
  }
  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.RequestTimeout) return new OperationTimeoutError(context.operation, maxTotalTimeoutOf(error) ?? context.timeoutMs);
    if (error.code === SdkErrorCode.ConnectionClosed) return new ConnectionLostError('connection closed');
  }
  const detail = error instanceof Error ? describeError(error) : String(error);
  return new McpActorError(`${context.operation} failed: ${redact(detail, transport)}`, { cause: error });
}

/** The total bound a request ran past, when the SDK's timeout was its `maxTotalTimeout` rather than its `timeout`. */
export function maxTotalTimeoutOf(error: SdkError): number | undefined {
  const data: unknown = error.data;
  const bound = typeof data === 'object' && data !== null ? (data as { maxTotalTimeout?: unknown }).maxTotalTimeout : undefined;
  return typeof bound === 'number' ? bound : undefined;
}

/** Text of an error and its causes (fetch hides the useful part, "connect ECONNRESET", in `cause`). */
export function describeError(error: Error): string {
  const parts = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth += 1) {
    if (!parts.includes(cause.message)) parts.push(cause.message);
    cause = cause.cause;
  }
  return parts.join(': ');
}

/** The first system error code (ENOENT, ECONNREFUSED, …) on the error or its causes. */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    // The SDK's own errors carry a code of their own (REQUEST_TIMEOUT, …), not a system one; their
    // cause may (a failed version negotiation over a refused connection).
    const code = current instanceof SdkError ? undefined : (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    if (current instanceof AggregateError) {
      const inner = current.errors.map(errorCode).find((found) => found !== undefined);
      if (inner) return inner;
    }
    current = current.cause;
  }
  // The SSE transport keeps only the text of the network error ("… connect ECONNREFUSED 127.0.0.1:…").
  return error instanceof Error ? /\b(ECONNREFUSED|ECONNRESET)\b/.exec(error.message)?.[1] : undefined;
}

/** The HTTP status of a failed MCP HTTP exchange, when the error carries one. */
export function httpStatus(error: unknown): number | undefined {
  if (error instanceof SdkHttpError) return error.status;
  if (error instanceof SseError && typeof error.code === 'number' && error.code >= 100) return error.code;
  // The SSE transport's POST failures carry the status only in their text.
  const match = error instanceof Error ? /\(HTTP (\d{3})\)/.exec(error.message) : null;
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function formatBytes(bytes: number): string {
  const mib = bytes / 1024 / 1024;
  return mib >= 1 ? `${mib.toFixed(mib >= 10 ? 0 : 1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function redact(text: string, transport: TransportConfig): string {
  return redactSecrets(text, secretsOf(transport));
}
