// The root of every error mcp-supervisor throws, importable by every layer: a stable `code` to branch on,
// and a brand that `isMcpSupervisorError` recognises even on an error from another copy of the package.

/**
 * Every error code mcp-supervisor uses, one per error class. A code never changes meaning once
 * released; branch on it (`error.code === 'SERVICE_UNAVAILABLE'`) rather than on the message text.
 */
export const MCP_SUPERVISOR_ERROR_CODES = [
  // The supervisor's API
  'SERVICE_NOT_FOUND',
  'DUPLICATE_SERVICE',
  'SERVICE_UNAVAILABLE',
  'TOOL_NOT_FOUND',
  'TOOL_CALL_TIMEOUT',
  'WAIT_TIMEOUT',
  'HEALTH_CHECK_TIMEOUT',
  'SUPERVISOR_STOPPED',
  'REDACTED_TRANSPORT',
  'CONFIG_FILE_REQUIRED',
  'INSPECTOR_PORT_IN_USE',
  'SIMULATION_FAILED',
  'OPERATOR_LISTENER_FAILED',
  // Configuration
  'CONFIG_INVALID',
  // The statechart
  'ACTOR_NOT_PROVIDED',
  // MCP connections and their servers
  'MCP_OPERATION_FAILED',
  'COMMAND_NOT_FOUND',
  'WORKING_DIRECTORY_NOT_FOUND',
  'SERVER_EXITED',
  'CONNECTION_REFUSED',
  'UNAUTHORIZED',
  'HTTP_STATUS',
  'OPERATION_TIMEOUT',
  'OPERATION_ABORTED',
  'CONNECTION_LOST',
  'NOT_CONNECTED',
  'SERVICE_NOT_REGISTERED',
  'MESSAGE_TOO_LARGE',
  'TOO_MANY_OPEN_FILES',
  'MCP_REQUEST_FAILED',
] as const;

/**
 * The code of an mcp-supervisor error: one of {@link MCP_SUPERVISOR_ERROR_CODES}.
 */
export type McpSupervisorErrorCode = (typeof MCP_SUPERVISOR_ERROR_CODES)[number];

// A registered symbol is the same in every copy of the package (and every realm), where a class is not.
const BRAND = Symbol.for('mcp-supervisor.error');

/**
 * The base class of every error mcp-supervisor throws. `code` is stable and machine-readable; the message
 * says what happened, where, and what to do next. Test with {@link isMcpSupervisorError} rather than
 * `instanceof`, which fails when two copies of the package are installed.
 */
export abstract class McpSupervisorError extends Error {
  /** What went wrong, as a stable identifier (see {@link MCP_SUPERVISOR_ERROR_CODES}). */
  abstract readonly code: McpSupervisorErrorCode;
  /** The fleet key (`name` or `agent/name`) of the service the error concerns, when it concerns one. */
  declare readonly service?: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

// On the prototype, not on each error: invisible to equality checks and serialisation, inherited by every subclass.
Object.defineProperty(McpSupervisorError.prototype, BRAND, { value: true });

/**
 * Whether `value` is an error thrown by mcp-supervisor — by any copy of the package, which `instanceof`
 * cannot tell when an application ends up with two.
 */
export function isMcpSupervisorError(value: unknown): value is McpSupervisorError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
