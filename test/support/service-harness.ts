// Drives one service statechart in virtual time (XState's SimulatedClock) against scriptable test
// doubles of its I/O actors, so every lifecycle path runs in milliseconds with no real sleeps.

import { createActor, fromCallback, fromPromise, SimulatedClock, type Actor } from 'xstate';
import { flush, virtualTime } from './virtual-time.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { lifecycleState, serviceMachine, type ServiceState } from '../../src/machines/service.machine.js';
import type { ServiceMachineInput } from '../../src/machines/service.context.js';
import type {
  ConnectInput,
  ConnectionActorInput,
  ConnectionCommand,
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

/** A connection actor that is running: what it was started with, and how it answers. */
interface LiveConnection {
  input: ConnectionActorInput;
  sendBack: (event: ConnectionEvent) => void;
  /** Successful tool calls counted when the last probe was asked for (passive health). */
  callsAtLastProbe: number;
  probe: AbortController | null;
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
 * Scriptable doubles of the four actors; each records its calls (with their abort signals). The
 * connection actor answers probes as `ping` says, gives a probe up at its `timeoutMs` (as the SDK
 * does), and follows passive health from the tool calls reported with `callSucceeded` / `callFailed`.
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
  /** A broken watcher implementation: throws when started (the service actor then crashes). */
  watchThrows = false;
  /** Pings in flight at once, at most; pings must never overlap. */
  maxConcurrentPings = 0;
  private pingsInFlight = 0;
  /** Per-service overrides of the behaviours above, by service key. */
  readonly perService = new Map<string, Partial<Record<'connect' | 'ping' | 'listTools' | 'disconnect', Behaviour>>>();
  private readonly live = new Set<LiveConnection>();
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
      connection: fromCallback<ConnectionCommand, ConnectionActorInput>(({ input, sendBack, receive }) => {
        if (this.watchThrows) throw new Error('watcher exploded');
        const live: LiveConnection = { input, sendBack, callsAtLastProbe: this.callsOf(input.serviceKey), probe: null };
        this.live.add(live);
        receive((command) => this.probe(live, command));
        return () => {
          live.probe?.abort(new Error('the connection actor stopped'));
          this.live.delete(live);
        };
      }),
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
    this.succeededCalls.set(serviceKey, this.callsOf(serviceKey) + 1);
  }

  /** A tool call on the service's connection failed at the transport level. */
  callFailed(serviceKey: string, error: Error = new Error('tools/call timed out after 60000 ms')) {
    for (const live of [...this.live]) {
      if (live.input.serviceKey === serviceKey && live.input.passiveHealth) live.sendBack({ type: 'CALL_FAILED', error });
    }
  }

  private report(event: ConnectionEvent, serviceKey?: string) {
    for (const live of [...this.live]) if (serviceKey === undefined || live.input.serviceKey === serviceKey) live.sendBack(event);
  }

  private callsOf(serviceKey: string): number {
    return this.succeededCalls.get(serviceKey) ?? 0;
  }

  private probe(live: LiveConnection, command: ConnectionCommand) {
    const { input, sendBack } = live;
    live.probe?.abort(new Error('superseded by the next probe'));
    live.probe = null;
    const calls = this.callsOf(input.serviceKey);
    const answeredByCalls = input.passiveHealth && calls !== live.callsAtLastProbe;
    live.callsAtLastProbe = calls;
    if (answeredByCalls) {
      sendBack({ type: 'PROBE_OK', responseTime: null });
      return;
    }
    const controller = new AbortController();
    live.probe = controller;
    const at = this.clock.now();
    this.calls.ping.push({
      input: { serviceKey: input.serviceKey, serviceName: input.serviceName, agentId: input.agentId, connectionId: input.connectionId, timeoutMs: command.timeoutMs },
      signal: controller.signal,
      at,
    });
    this.pingsInFlight++;
    this.maxConcurrentPings = Math.max(this.maxConcurrentPings, this.pingsInFlight);
    const timer = this.clock.setTimeout(() => controller.abort(new Error(`ping timed out after ${command.timeoutMs} ms`)), command.timeoutMs);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      this.pingsInFlight--;
      this.clock.clearTimeout(timer);
    };
    controller.signal.addEventListener('abort', settle, { once: true });
    this.perform(this.behaviour('ping', input.serviceKey), controller.signal, () => undefined).then(
      () => {
        if (controller.signal.aborted) return;
        settle();
        sendBack({ type: 'PROBE_OK', responseTime: this.clock.now() - at });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        settle();
        sendBack({ type: 'PROBE_FAILED', error });
      },
    );
  }

  private behaviour(kind: 'connect' | 'ping' | 'listTools' | 'disconnect', serviceKey: string): Behaviour {
    return this.perService.get(serviceKey)?.[kind] ?? this[kind];
  }

  /** Connection actors running (one per service while it is HEALTHY or WARNING). */
  get activeWatchers() {
    return this.live.size;
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
