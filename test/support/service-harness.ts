// Drives one service statechart in virtual time (XState's SimulatedClock) against scriptable test
// doubles of its I/O actors, so every lifecycle path runs in milliseconds with no real sleeps.

import { createActor, fromPromise, SimulatedClock, type Actor } from 'xstate';
import { flush, virtualTime } from './virtual-time.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { lifecycleState, serviceMachine, type ServiceState } from '../../src/machines/service.machine.js';
import type { ServiceMachineInput } from '../../src/machines/service.context.js';
import { connectionActor, type ProbedConnection } from '../../src/actors/connection-actor.js';
import type {
  ConnectInput,
  ConnectionEvent,
  ConnectOutput,
  DisconnectInput,
  ListToolsInput,
  ServiceRef,
  ToolDescriptor,
} from '../../src/machines/service-io.js';

/** One health probe the machine asked a connection actor for. */
export interface PingCall extends ServiceRef {
  connectionId: string;
  timeoutMs: number;
}

/** A connection actor's subscription to the double of its connection. */
interface Watch {
  serviceKey: string;
  listener: (event: ConnectionEvent) => void;
}

export type Behaviour = 'succeed' | 'fail' | 'hang' | 'methodNotFound' | { respondAfterMs: number };

export interface Call<I> {
  input: I;
  signal: AbortSignal;
  /** Virtual time of the call. */
  at: number;
}

export const tool = (name: string): ToolDescriptor => ({ name, inputSchema: { type: 'object' } });

/**
 * Scriptable doubles of the promise actors, each recording its calls (with their abort signals), and
 * the real connection actor over a double of the connection: its probes answer as `ping` says and give
 * up at their `timeoutMs` (as the SDK does); tool calls are reported with `callSucceeded` / `callFailed`.
 */
export class FakeIO {
  connect: Behaviour = 'succeed';
  ping: Behaviour = 'succeed';
  disconnect: Behaviour = 'succeed';
  listTools: Behaviour = 'succeed';
  tools: ToolDescriptor[] = [tool('echo'), tool('add')];
  readonly calls = {
    connect: [] as Call<ConnectInput>[],
    ping: [] as Call<PingCall>[],
    listTools: [] as Call<ListToolsInput>[],
    disconnect: [] as Call<DisconnectInput>[],
  };
  /** A broken watcher implementation: throws when started (the service actor then crashes); `'once'`: the next start only. */
  watchThrows: boolean | 'once' = false;
  /** Pings in flight at once, at most; pings must never overlap. */
  maxConcurrentPings = 0;
  private pingsInFlight = 0;
  /** Per-service overrides of the behaviours above, by service key. */
  readonly perService = new Map<string, Partial<Record<'connect' | 'ping' | 'listTools' | 'disconnect', Behaviour>>>();
  private readonly watches = new Set<Watch>();
  private readonly succeededCalls = new Map<string, number>();
  private connections = 0;

  constructor(private readonly clock: SimulatedClock) {}

  /** The actor implementations to `provide` to the machine. */
  actors() {
    return {
      connect: fromPromise<ConnectOutput, ConnectInput>(({ input, signal }) => {
        this.calls.connect.push({ input, signal, at: this.clock.now() });
        return this.perform(this.behaviour('connect', input.serviceKey), signal, () => ({
          connectionId: `conn-${++this.connections}`,
          serverInfo: { name: 'fake', version: '1.0.0' },
          protocol: { era: 'legacy', version: '2025-11-25' },
          tools: [...this.tools],
        }));
      }),
      connection: connectionActor(
        (serviceKey, connectionId) => this.connectionDouble(serviceKey, connectionId),
        () => this.clock.now(),
      ),
      listTools: fromPromise<ToolDescriptor[], ListToolsInput>(({ input, signal }) => {
        this.calls.listTools.push({ input, signal, at: this.clock.now() });
        return this.perform(this.behaviour('listTools', input.serviceKey), signal, () => [...this.tools]);
      }),
      disconnect: fromPromise<void, DisconnectInput>(({ input, signal }) => {
        this.calls.disconnect.push({ input, signal, at: this.clock.now() });
        return this.perform(this.behaviour('disconnect', input.serviceKey), signal, () => undefined);
      }),
    };
  }

  /** What a real watcher reports when the transport closes (of one service, or of all). */
  loseConnection(reason = 'process exited with code 1', serviceKey?: string) {
    this.report({ type: 'CONNECTION_LOST', reason }, serviceKey);
  }

  toolsChanged(serviceKey?: string) {
    this.report({ type: 'TOOLS_CHANGED' }, serviceKey);
  }

  /** A tool call on the service's connection was answered (passive health counts it). */
  callSucceeded(serviceKey: string) {
    this.succeededCalls.set(serviceKey, (this.succeededCalls.get(serviceKey) ?? 0) + 1);
  }

  /** A tool call on the service's connection failed at the transport level. */
  callFailed(serviceKey: string, error: Error = new Error('tools/call timed out after 60000 ms')) {
    this.report({ type: 'CALL_FAILED', error }, serviceKey);
  }

  private report(event: ConnectionEvent, serviceKey?: string) {
    for (const watch of [...this.watches]) if (serviceKey === undefined || watch.serviceKey === serviceKey) watch.listener(event);
  }

  /** What the connection actor sees of the service's connection. */
  private connectionDouble(serviceKey: string, connectionId: string): ProbedConnection {
    if (this.watchThrows) {
      if (this.watchThrows === 'once') this.watchThrows = false;
      throw new Error('watcher exploded');
    }
    const calls = this.succeededCalls;
    return {
      get succeededCalls() {
        return calls.get(serviceKey) ?? 0;
      },
      ping: ({ timeoutMs }) => this.probe(serviceKey, connectionId, timeoutMs),
      watch: (listener) => {
        const watch = { serviceKey, listener };
        this.watches.add(watch);
        return () => this.watches.delete(watch);
      },
    };
  }

  private probe(serviceKey: string, connectionId: string, timeoutMs: number): Promise<void> {
    const controller = new AbortController();
    const at = this.clock.now();
    this.calls.ping.push({ input: { serviceKey, serviceName: serviceKey, agentId: null, connectionId, timeoutMs }, signal: controller.signal, at });
    this.pingsInFlight++;
    this.maxConcurrentPings = Math.max(this.maxConcurrentPings, this.pingsInFlight);
    const timer = this.clock.setTimeout(() => controller.abort(new Error(`ping timed out after ${timeoutMs} ms`)), timeoutMs);
    const answered = this.perform(this.behaviour('ping', serviceKey), controller.signal, () => undefined);
    // Like the SDK's own timeout: the request is given up (its signal aborts) and rejects.
    const timedOut = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }),
    );
    return Promise.race([answered, timedOut]).finally(() => {
      this.pingsInFlight--;
      this.clock.clearTimeout(timer);
    });
  }

  private behaviour(kind: 'connect' | 'ping' | 'listTools' | 'disconnect', serviceKey: string): Behaviour {
    return this.perService.get(serviceKey)?.[kind] ?? this[kind];
  }

  /** Connection actors running (one per service while it is HEALTHY or WARNING). */
  get activeWatchers() {
    return this.watches.size;
  }

  private perform<T>(behaviour: Behaviour, signal: AbortSignal, value: () => T): Promise<T> {
    if (behaviour === 'succeed') return Promise.resolve(value());
    if (behaviour === 'fail') return Promise.reject(new Error('connection refused at http://127.0.0.1:1/mcp'));
    if (behaviour === 'methodNotFound') {
      return Promise.reject(Object.assign(new Error('Method not found'), { code: -32601 }));
    }
    return new Promise<T>((resolve) => {
      if (behaviour === 'hang') return;
      const timer = this.clock.setTimeout(() => resolve(value()), behaviour.respondAfterMs);
      signal.addEventListener('abort', () => this.clock.clearTimeout(timer), { once: true });
    });
  }
}

export { flush } from './virtual-time.js';

export interface ServiceHarness {
  actor: Actor<typeof serviceMachine>;
  clock: SimulatedClock;
  io: FakeIO;
  /** Top-level lifecycle state (or REMOVED). */
  readonly state: ServiceState | 'REMOVED';
  /** Every top-level state entered, in order, starting with INITIALIZING. */
  readonly path: string[];
  /** Moves virtual time forward by `ms`, firing each due timer in order and letting I/O settle. */
  advance(ms: number): Promise<void>;
  /** Advances until `predicate` holds (checked after each timer), up to `limitMs` of virtual time. */
  advanceUntil(predicate: () => boolean, limitMs: number): Promise<number>;
  send: Actor<typeof serviceMachine>['send'];
  stop(): void;
}

export interface HarnessOptions {
  config?: Partial<LifecycleConfig>;
  input?: Partial<ServiceMachineInput>;
  setup?: (io: FakeIO) => void;
}

export async function startService(options: HarnessOptions = {}): Promise<ServiceHarness> {
  const clock = new SimulatedClock();
  clock.set(1_700_000_000_000);
  const io = new FakeIO(clock);
  options.setup?.(io);
  const actor = createActor(serviceMachine.provide({ actors: io.actors() }), {
    clock,
    input: {
      serviceName: 'svc',
      transport: { type: 'stdio', command: 'node', args: ['server.js'], env: { TOKEN: 'secret' } },
      config: options.config,
      ...options.input,
    },
  });
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

  const time = virtualTime(clock);

  const harness: ServiceHarness = {
    actor,
    clock,
    io,
    get state() {
      return topState();
    },
    path,
    advance: time.advance,
    advanceUntil: async (predicate, limitMs) => {
      try {
        return await time.advanceUntil(predicate, limitMs);
      } catch (error) {
        throw new Error(`${(error as Error).message} (state ${topState()})`, { cause: error });
      }
    },
    send: (event) => actor.send(event),
    stop: () => actor.stop(),
  };
  return harness;
}
