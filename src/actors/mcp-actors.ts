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
import { connectionActor, type ProbedConnection } from './connection-actor.js';
import type { McpConnections } from './connection-registry.js';

/**
 * Sees each invocation of the actors before it runs: test doubles record them, with the signal XState
 * aborts when the state is left. `connection` may also stand in for the live connection (to watch it),
 * or throw, which fails the actor the way a broken implementation would.
 */
export interface ActorObserver {
  connect?(input: ConnectInput, signal: AbortSignal): void;
  listTools?(input: ListToolsInput, signal: AbortSignal): void;
  disconnect?(input: DisconnectInput, signal: AbortSignal): void;
  /** The connection a starting connection actor is given (null when none is live); returns the one to use. */
  connection?(serviceKey: string, connectionId: string, live: ProbedConnection | null): ProbedConnection | null;
}

export interface McpActorsOptions {
  /** The clock the connection actor times probes with (milliseconds; monotonic by default). */
  now?: () => number;
  observe?: ActorObserver;
}

export function createMcpActors(connections: McpConnections, options: McpActorsOptions = {}): ServiceActors {
  const { observe = {}, now } = options;
  return {
    /** Closes the previous connection, opens a fresh one, negotiates the protocol era, lists every tool. */
    connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) => {
      observe.connect?.(input, signal);
      return connections.connect(input.serviceKey, { timeoutMs: input.timeoutMs, closeTimeoutMs: input.closeTimeoutMs, signal });
    }),
    /** Health probes on request; reports loss, tool-list changes and failing tool calls of that connection. */
    connection: connectionActor((serviceKey, connectionId) => {
      const live = connections.liveConnection(serviceKey, connectionId);
      return observe.connection ? observe.connection(serviceKey, connectionId, live) : live;
    }, now),
    /** The full, paginated tools/list of that connection. */
    listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) => {
      observe.listTools?.(input, signal);
      return connections.listTools(input.serviceKey, input.connectionId, signal);
    }),
    /** Graceful close within `timeoutMs`; resolves when the connection is already gone or null. */
    disconnect: fromPromise<void, DisconnectInput>(({ input, signal }) => {
      observe.disconnect?.(input, signal);
      // Not aborted with the actor: a close once begun runs to its end (its own budget bounds it).
      return connections.disconnect(input.serviceKey, input.timeoutMs);
    }),
  };
}
