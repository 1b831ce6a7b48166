// Opens in-memory connections without a supervisor: each service registered on the layer and connected
// by the layer's own `connect` actor (the product's connect: era negotiation, the full tools/list), so
// that a bench can time the connections alone, or probe them without the statechart.

import { createActor, toPromise } from 'xstate';
import type { ProbedConnection } from '../../src/actors/connection-actor.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';

const CONNECT_TIMEOUT_MS = 30_000;

/** Registers and connects each of `keys` on `layer`, `batch` at a time; resolves with their connections. */
export async function openConnections(layer: InMemoryConnections, keys: string[], batch = 500): Promise<ProbedConnection[]> {
  for (let first = 0; first < keys.length; first += batch) {
    await Promise.all(
      keys.slice(first, first + batch).map((serviceKey) => {
        layer.register(serviceKey, { type: 'stdio', command: 'in-memory', args: [], env: {} });
        const actor = createActor(layer.actors.connect, {
          input: { serviceKey, serviceName: serviceKey, agentId: null, attempt: 0, timeoutMs: CONNECT_TIMEOUT_MS, priority: 'normal', closeTimeoutMs: 1_000 },
        });
        const connected = toPromise(actor);
        actor.start();
        return connected;
      }),
    );
  }
  return layer.liveConnections();
}
