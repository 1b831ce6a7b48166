// The I/O actors the service statechart invokes (src/machines/service-io.ts), implemented against real
// MCP servers through a connection registry: `serviceMachine.provide({ actors: createMcpActors(connections) })`.

import { fromPromise } from 'xstate';
import type {
  ConnectInput,
  ConnectOutput,
  DisconnectInput,
  ListToolsInput,
  ServiceActors,
  ToolDescriptor,
} from '../machines/service-io.js';
import { connectionActor } from './connection-actor.js';
import type { McpConnections } from './connection-registry.js';

export function createMcpActors(connections: McpConnections): ServiceActors {
  return {
    /** Closes the previous connection, opens a fresh one, negotiates the protocol era, lists every tool. */
    connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) =>
      connections.connect(input.serviceKey, { timeoutMs: input.timeoutMs, closeTimeoutMs: input.closeTimeoutMs, signal }),
    ),
    /** Health probes on request; reports loss, tool-list changes and failing tool calls of that connection. */
    connection: connectionActor((serviceKey, connectionId) => connections.liveConnection(serviceKey, connectionId)),
    /** The full, paginated tools/list of that connection. */
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) =>
      connections.listTools(input.serviceKey, input.connectionId, signal),
    ),
    /** Graceful close within `timeoutMs`; resolves when the connection is already gone or null. */
    disconnect: fromPromise<void, DisconnectInput>(({ input }) =>
      // Not aborted with the actor: a close once begun runs to its end (its own budget bounds it).
      connections.disconnect(input.serviceKey, input.timeoutMs),
    ),
  };
}
