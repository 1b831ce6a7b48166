// The `connection` actor the service statechart invokes while a service is available: one per visit to
// HEALTHY or WARNING, for one live connection. It sends the health probes the machine asks for, and
// reports the connection's loss, its tool-list changes and (with passive health) its failing tool calls.
// The machine keeps every timer: the probe's deadline is its `pingTimeout`, not this actor's.

import { fromCallback } from 'xstate';
import type { ConnectionActorInput, ConnectionCommand, ConnectionEvent } from '../machines/service-io.js';
import { NotConnectedError } from './errors.js';

/** What the actor needs of a connection (McpConnection has it; test doubles may too). */
export interface ProbedConnection {
  /** Tool calls answered with a result so far. */
  readonly succeededCalls: number;
  /** The era's health probe, given up after `timeoutMs`. */
  ping(options: { timeoutMs: number }): Promise<void>;
  /** Reports loss, tool-list changes and transport-level call failures until the returned function runs. */
  watch(listener: (event: ConnectionEvent) => void): () => void;
}

/** Finds the live connection with that id, or null when the service has no such connection any more. */
export type ConnectionLookup = (serviceKey: string, connectionId: string) => ProbedConnection | null;

/** `now` times the probes (milliseconds; a monotonic clock by default). */
export function connectionActor(lookup: ConnectionLookup, now: () => number = () => performance.now()) {
  return fromCallback<ConnectionCommand, ConnectionActorInput>(({ input, sendBack, receive }) => {
    const connection = lookup(input.serviceKey, input.connectionId);
    if (!connection) {
      // Reported once the machine is listening: the connection ended before its state was entered.
      queueMicrotask(() => sendBack({ type: 'CONNECTION_LOST', reason: `connection ${input.connectionId} is no longer open` }));
      receive(() => sendBack({ type: 'PROBE_FAILED', error: new NotConnectedError(input.serviceKey) }));
      return undefined;
    }
    let stopped = false;
    /** Only the latest probe is answered: one the machine already timed out must not answer the next. */
    let probes = 0;
    let callsAtLastProbe = connection.succeededCalls;
    const answer = (probe: number, event: ConnectionEvent) => {
      if (!stopped && probe === probes) sendBack(event);
    };

    const unwatch = connection.watch((event) => {
      if (event.type !== 'CALL_FAILED' || input.passiveHealth) sendBack(event);
    });
    receive((command) => {
      const probe = ++probes;
      const calls = connection.succeededCalls;
      const answeredByCalls = input.passiveHealth && calls !== callsAtLastProbe;
      callsAtLastProbe = calls;
      if (answeredByCalls) {
        sendBack({ type: 'PROBE_OK', responseTime: null });
        return;
      }
      const sent = now();
      // No signal: the probe ends at its own timeout (the machine's, given to the SDK), or with the
      // connection, and an answer after that is dropped. No controller is made per probe.
      connection.ping({ timeoutMs: command.timeoutMs }).then(
        () => answer(probe, { type: 'PROBE_OK', responseTime: now() - sent }),
        (error: unknown) => answer(probe, { type: 'PROBE_FAILED', error }),
      );
    });
    return () => {
      stopped = true;
      unwatch();
    };
  });
}
