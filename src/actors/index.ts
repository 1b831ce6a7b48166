// The public surface of the MCP actors: the registry the supervisor holds, the actors it provides to
// each service machine, and the typed errors they reject with.

export { McpConnections, type McpConnectionsOptions } from './connection-registry.js';
export { createMcpActors } from './mcp-actors.js';
export type { CallToolOptions, ConnectionListener, McpConnection, RequestOptions } from './connection.js';
export {
  CommandNotFoundError,
  ConnectionLostError,
  ConnectionRefusedError,
  HttpStatusError,
  McpActorError,
  McpRequestError,
  MessageTooLargeError,
  NotConnectedError,
  OperationAbortedError,
  OperationTimeoutError,
  ServerExitedError,
  ServiceNotRegisteredError,
  TooManyOpenFilesError,
  UnauthorizedError,
  WorkingDirectoryNotFoundError,
} from './errors.js';
export { readProcessTable, type ProcessEntry } from './process-group.js';
export type { ProcessExit } from './process-exit.js';
