// Drives one service statechart in virtual time (the VirtualClock) over the in-memory MCP layer: the
// product's own connection code talking to an in-process server whose faults the test scripts, so every
// lifecycle path runs in milliseconds with no real sleeps.

import { afterEach } from 'vitest';
import { createActor, type Actor } from 'xstate';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { lifecycleState, serviceMachine, type ServiceState } from '../../src/machines/service.machine.js';
import type { ServiceMachineInput } from '../../src/machines/service.context.js';
import { settle, VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { InMemoryConnections } from '../../src/testing/in-memory-connections.js';

export { tool } from '../../src/testing/service-script.js';
/** Lets every settled promise deliver its result to the actors before time moves on. */
export const flush = settle;

/** Layers still open at the end of a test are closed then, so that no connection outlives its test. */
const open = new Set<InMemoryConnections>();
afterEach(async () => {
  const layers = [...open];
  open.clear();
  await Promise.all(layers.map((layer) => layer.closeAll()));
});

/** An in-memory layer on `clock` (the real one when none is given), closed at the end of the test. */
export function inMemoryLayer(clock?: VirtualClock, options: ConstructorParameters<typeof InMemoryConnections>[0] = {}): InMemoryConnections {
  const layer = new InMemoryConnections({ clock, ...options });
  open.add(layer);
  return layer;
}

export interface ServiceHarness {
  actor: Actor<typeof serviceMachine>;
  clock: VirtualClock;
  /** The I/O: its `defaults` script what the service's server does; `calls` records what the chart asked. */
  io: InMemoryConnections;
  /** Top-level lifecycle state (or REMOVED). */
  readonly state: ServiceState | 'REMOVED';
  /** Every top-level state entered, in order, starting with INITIALIZING. */
  readonly path: string[];
  /** Moves virtual time forward by `ms`, firing each due timer in order and letting I/O settle. */
  advance(ms: number): Promise<void>;
  /** Advances until `predicate` holds (checked after each timer), up to `limitMs` of virtual time. */
  advanceUntil(predicate: () => boolean, limitMs: number): Promise<number>;
  /** A tool call on the service's connection that the server answers (passive health counts it). */
  callSucceeds(): Promise<void>;
  /** A tool call on the service's connection that times out at the transport level after `timeoutMs`. */
  callFails(tool?: string, timeoutMs?: number): Promise<void>;
  send: Actor<typeof serviceMachine>['send'];
  stop(): void;
}

export interface HarnessOptions {
  config?: Partial<LifecycleConfig>;
  input?: Partial<ServiceMachineInput>;
  setup?: (io: InMemoryConnections) => void;
}

export async function startService(options: HarnessOptions = {}): Promise<ServiceHarness> {
  const clock = new VirtualClock(1_700_000_000_000);
  const io = inMemoryLayer(clock);
  options.setup?.(io);
  const input: ServiceMachineInput = {
    serviceName: 'svc',
    transport: { type: 'stdio', command: 'node', args: ['server.js'], env: { TOKEN: 'secret' } },
    config: options.config,
    ...options.input,
  };
  const actor = createActor(serviceMachine.provide({ actors: io.actors }), { clock, input });
  const serviceKey = actor.getSnapshot().context.serviceKey;
  io.register(serviceKey, input.transport);
  const path: string[] = [];
  const topState = () => lifecycleState(actor.getSnapshot().value);
  actor.subscribe({
    next: () => {
      const state = topState();
      if (path[path.length - 1] !== state) path.push(state);
    },
    error: () => undefined,
  });
  actor.start();
  await flush();

  const call = async (tool: string, timeoutMs: number) => {
    await io.callTool(serviceKey, tool, {}, { timeoutMs }).catch(() => undefined);
    await flush();
  };
  const harness: ServiceHarness = {
    actor,
    clock,
    io,
    get state() {
      return topState();
    },
    path,
    advance: (ms) => clock.advance(ms),
    advanceUntil: async (predicate, limitMs) => {
      try {
        return await clock.advanceUntil(predicate, limitMs);
      } catch (error) {
        throw new Error(`${(error as Error).message} (state ${topState()})`, { cause: error });
      }
    },
    callSucceeds: () => call('echo', 60_000),
    callFails: async (tool = 'slow', timeoutMs = 60_000) => {
      const behaviour = io.defaults.call;
      io.defaults.call = 'timeOut';
      await call(tool, timeoutMs);
      io.defaults.call = behaviour;
    },
    send: (event) => actor.send(event),
    stop: () => actor.stop(),
  };
  return harness;
}
