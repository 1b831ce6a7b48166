// The I/O actors the service statechart invokes (src/machines/service-io.ts), implemented against real
// MCP servers through a connection registry: `serviceMachine.provide({ actors: createMcpActors(connections) })`.

import { fromCallback, fromPromise } from 'xstate';
import type {
  ConnectionEvent,
  ConnectInput,
  ConnectOutput,
  DisconnectInput,
  ListToolsInput,
  PingInput,
  ServiceActors,
  ToolDescriptor,
  WatchConnectionInput,
} from '../machines/service-io.js';
import type { McpConnections } from './connection-registry.js';

export function createMcpActors(connections: McpConnections): ServiceActors {
  return {
    /** Closes the previous connection, opens a fresh one, negotiates the protocol era, lists every tool. */
    connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) =>
      connections.connect(input.serviceKey, { timeoutMs: input.timeoutMs, closeTimeoutMs: input.closeTimeoutMs, signal }),
    ),
    /** One health probe of the era (`ping`, or `server/discover`) within `timeoutMs`; -32601 counts as alive. */
    ping: fromPromise<void, PingInput>(({ input, signal }) =>
      connections.ping(input.serviceKey, input.connectionId, { timeoutMs: input.timeoutMs, signal }),
    ),
    /** The full, paginated tools/list of that connection. */
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) =>
      connections.listTools(input.serviceKey, input.connectionId, signal),
    ),
    /** Sends CONNECTION_LOST / TOOLS_CHANGED for exactly that connection; stopping it removes its handlers. */
    watchConnection: fromCallback<ConnectionEvent, WatchConnectionInput>(({ input, sendBack }) =>
      connections.watch(input.serviceKey, input.connectionId, sendBack),
    ),
    /** Graceful close within `timeoutMs`; resolves when the connection is already gone or null. */
    disconnect: fromPromise<void, DisconnectInput>(({ input }) =>
      // Not aborted with the actor: a close once begun runs to its end (its own budget bounds it).
      connections.disconnect(input.serviceKey, input.timeoutMs),
    ),
  };
}
