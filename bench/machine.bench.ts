// Measures the service statechart: the probe cycle (check timer due → PROBE to the connection actor →
// PROBE_OK → waiting again) through a live actor, beside a 2-state XState toggle with the same shape (a
// delayed transition, a PROBE sent to an invoked callback child that answers), on a virtual clock and on
// Node's timers; pure transitions; and the heap an idle service actor retains. Prints a Markdown table
// and rewrites the `## Service statechart` section of bench/RESULTS.md, leaving the other sections.
//
//   node --expose-gc --import tsx bench/machine.bench.ts      (npm run bench)

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import {
  assign,
  createActor,
  createMachine,
  fromCallback,
  fromPromise,
  initialTransition,
  sendTo,
  setup,
  spawnChild,
  transition,
  type ActorRefFrom,
  type AnyActorRef,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { resolveLifecycleConfig } from '../src/machines/defaults.js';
import { initialServiceContext, type ServiceMachineInput } from '../src/machines/service.context.js';
import { serviceMachine, type ServiceState } from '../src/machines/service.machine.js';
import type { ConnectionActorInput, ConnectionCommand, ConnectOutput, ServiceActors } from '../src/machines/service-io.js';
import { indexSchedulerBySource } from '../src/supervisor/scheduler-index.js';
import { VirtualClock } from '../src/supervisor/virtual-clock.js';
import { profiled, type Profile } from './support/cpu-profile.js';
import { writeResultsSection } from './support/results-file.js';

const COMMAND = 'node --expose-gc --import tsx bench/machine.bench.ts';
const SECTION = '## Service statechart';
/** Rounds (after one warm-up round) and heap rounds; tables show the median and the range. */
const ROUNDS = 5;
const HEAP_ROUNDS = 2;
/** Idle actors per heap measurement. */
const ACTORS = 10_000;
/** Services spawned into one actor system (the supervisor's topology); start-up grows faster than linearly. */
const SPAWNED = [1_000, 2_000] as const;
/** The probe cycle's rate, service ÷ toggle, driven the same way. */
const TARGET_CYCLE_RATIO = 0.8;
/** Virtual clock: probe cycles per round, each actor alone on its own clock. */
const VIRTUAL_CYCLES = 10_000;
/** Real clock: this many actors of a kind at once, each probing every interval, CPU summed over the window. */
const REAL_ACTORS = 500;
const REAL_INTERVAL_MS = 100;
const REAL_WINDOW_MS = 2_000;
/** The check interval of the probe-cycle actors (virtual time, and so any value) and of the idle ones. */
const CYCLE_INTERVAL_MS = 1_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error(`run with --expose-gc: ${COMMAND}`);

// ---------------------------------------------------------------------------------------------------
// Fixtures

const serviceInput = (i: number, config?: ServiceMachineInput['config']): ServiceMachineInput => ({
  serviceName: `svc-${i}`,
  transport: { type: 'stdio', command: 'node', args: ['server.js'], env: { API_TOKEN: 'secret' } },
  ...(config ? { config } : {}),
});

const connected = (): ConnectOutput => ({
  connectionId: 'conn-1',
  serverInfo: { name: 'bench', version: '1.0.0' },
  protocol: { era: 'modern', version: '2026-07-28' },
  tools: [
    { name: 'echo', inputSchema: { type: 'object' } },
    { name: 'add', inputSchema: { type: 'object' } },
  ],
});

const refused = new Error('connection refused at http://127.0.0.1:1/mcp');

/** Counts the probes a connection actor was sent. */
interface ProbeCount {
  probes: number;
}

/** Actors that settle at once; the connection actor answers every PROBE with PROBE_OK in a microtask. */
function instantActors(): { actors: ServiceActors; calls: ProbeCount } {
  const calls: ProbeCount = { probes: 0 };
  const actors: ServiceActors = {
    connect: fromPromise(() => Promise.resolve(connected())),
    connection: fromCallback<ConnectionCommand, ConnectionActorInput>(({ sendBack, receive }) => {
      receive(() => {
        calls.probes += 1;
        void Promise.resolve().then(() => sendBack({ type: 'PROBE_OK', responseTime: 0 }));
      });
    }),
    listTools: fromPromise(() => Promise.resolve(connected().tools)),
    disconnect: fromPromise(() => Promise.resolve()),
  };
  return { actors, calls };
}

/** The baseline of pure transitions and of heap: two states and one event. */
const toggleMachine = createMachine({
  id: 'toggle',
  initial: 'off',
  states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
});

/** The toggle with one invoked (idle) callback actor, as an available service holds its connection actor. */
const toggleWithChild = createMachine({
  id: 'toggleWithChild',
  invoke: { src: fromCallback(() => undefined) },
  initial: 'off',
  states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
});

/**
 * How far a probe machine goes toward the service's shape. With none of it, the baseline of the probe
 * cycle: a 2-state toggle driven as the service's health check is (`waiting` leaves on a delayed
 * transition; `probing` sends PROBE to an invoked callback child, which answers PROBE_OK in a microtask,
 * as the service's connection actor above does; PROBE_OK returns to `waiting`).
 */
interface ProbeShape {
  /** `probing` also has the ping timeout's delayed transition (scheduled, then cancelled, each cycle). */
  timeout: boolean;
  /** Entering `probing` and PROBE_OK each assign to the context, as startPing and recordPingSuccess do. */
  assigns: boolean;
  /** The health loop is one region of a parallel state, beside a tools region with an eventless guard. */
  parallel: boolean;
}
const TOGGLE: ProbeShape = { timeout: false, assigns: false, parallel: false };
/** Each rung adds one trait of the service's chart (HEALTHY's probe cycle) to the one before. */
const LADDER: readonly [string, ProbeShape][] = [
  ['the 2-state probe toggle', TOGGLE],
  ['+ the ping timeout as a delayed transition of `probing`', { ...TOGGLE, timeout: true }],
  ['+ an assign on entering `probing` and one on PROBE_OK', { timeout: true, assigns: true, parallel: false }],
  ['+ a parallel tools region whose state has an eventless guard', { timeout: true, assigns: true, parallel: true }],
];
const PING_TIMEOUT_MS = 3_000;
const TOOLS_REFRESH_MS = 2 * 60 * 60_000;

function probeMachine(shape: ProbeShape, calls: ProbeCount, intervalMs: number) {
  const probe = setup({
    types: { context: {} as { health: { lastPingTime: number; checks: number } }, events: {} as { type: 'PROBE_OK' } },
    actors: {
      connection: fromCallback<{ type: 'PROBE' }>(({ sendBack, receive }) => {
        receive(() => {
          calls.probes += 1;
          void Promise.resolve().then(() => sendBack({ type: 'PROBE_OK' }));
        });
      }),
    },
    delays: { interval: intervalMs, pingTimeout: PING_TIMEOUT_MS, toolsRefresh: TOOLS_REFRESH_MS },
    guards: { toolsStale: () => false },
    actions: {
      sendProbe: sendTo('connection', { type: 'PROBE' }),
      startPing: assign(({ context }) => ({ health: { ...context.health, lastPingTime: performance.now() } })),
      recordSuccess: assign(({ context }) => ({ health: { ...context.health, checks: context.health.checks + 1 } })),
    },
  });
  type ProbeAction = 'startPing' | 'sendProbe' | 'recordSuccess';
  const entry: ProbeAction[] = shape.assigns ? ['startPing', 'sendProbe'] : ['sendProbe'];
  const onAnswer: ProbeAction[] = shape.assigns ? ['recordSuccess'] : [];
  const health = {
    initial: 'waiting' as const,
    states: {
      waiting: { after: { interval: 'probing' as const } },
      probing: { entry, on: { PROBE_OK: { target: 'waiting' as const, actions: onAnswer } }, after: shape.timeout ? { pingTimeout: 'waiting' as const } : {} },
    },
  };
  const tools = {
    initial: 'current',
    states: { current: { always: { guard: 'toolsStale', target: 'current' }, after: { toolsRefresh: 'current' } } },
  } as const;
  const common = { id: 'probe', context: { health: { lastPingTime: 0, checks: 0 } }, invoke: { id: 'connection', src: 'connection' } } as const;
  return shape.parallel ? probe.createMachine({ ...common, type: 'parallel', states: { health, tools } }) : probe.createMachine({ ...common, ...health });
}

const topState = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]) as ServiceState;

/** HEALTHY or WARNING, waiting for the next health check. */
const waitingForCheck = (snapshot: SnapshotFrom<typeof serviceMachine>) =>
  snapshot.matches({ HEALTHY: { health: 'waiting' } }) || snapshot.matches({ WARNING: { health: 'waiting' } });

/** A root actor that spawns services as the supervisor machine does (`spawnChild` with an id; no `systemId` here). */
const fleetRoot = (actors: ServiceActors) =>
  setup({
    types: { events: {} as { type: 'ADD'; index: number } },
    actors: { service: serviceMachine.provide({ actors }) },
  }).createMachine({
    on: {
      ADD: {
        actions: spawnChild('service', { id: ({ event }) => `svc-${event.index}`, input: ({ event }) => serviceInput(event.index) }),
      },
    },
  });

/**
 * `count` services in one actor system on a VirtualClock, all connected; `startupMs` of CPU until then. The
 * system's delayed events are indexed by source actor, as the supervisor does (src/supervisor/scheduler-index.ts).
 */
async function startFleet(count: number, actors: ServiceActors) {
  const started = process.cpuUsage();
  const root = createActor(fleetRoot(actors), { clock: new VirtualClock() });
  indexSchedulerBySource(root.system);
  root.start();
  for (let index = 0; index < count; index++) root.send({ type: 'ADD', index });
  await settle();
  const used = process.cpuUsage(started);
  const startupMs = (used.user + used.system) / 1000;
  const services = Object.values(root.getSnapshot().children) as unknown as ActorRefFrom<typeof serviceMachine>[];
  const healthy = services.filter((service) => waitingForCheck(service.getSnapshot())).length;
  if (healthy !== count) throw new Error(`${healthy} of ${count} spawned services reached HEALTHY`);
  return { root, services, startupMs };
}

// ---------------------------------------------------------------------------------------------------
// Statistics and measurement helpers

interface Stat {
  median: number;
  min: number;
  max: number;
}

function stat(samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** Runs `round` once to warm up, then `ROUNDS` times; each returns a rate. */
async function rate(round: () => number | Promise<number>): Promise<Stat> {
  await round();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) samples.push(await round());
  return stat(samples);
}

/**
 * Events per CPU-second since `started` (a `process.cpuUsage()`): on a machine shared with other work,
 * time the process spent waiting for a core does not count against it.
 */
function perCpuSecond(events: number, started: NodeJS.CpuUsage) {
  const used = process.cpuUsage(started);
  return events / ((used.user + used.system) / 1e6);
}

/** Lets settled promises deliver their results to the actors. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function heapUsedAfterGc() {
  await settle();
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap retained per object: creates `count` with `make`, keeps them all referenced, and compares
 * heapUsed after a full GC before and after. `check` runs while they are alive; `release` ends them.
 */
async function retainedBytes<T>(
  count: number,
  make: (i: number) => T,
  check: (items: T[]) => void = () => undefined,
  release: (items: T[]) => void = () => undefined,
): Promise<number> {
  const items: T[] = new Array<T>(count);
  const before = await heapUsedAfterGc();
  for (let i = 0; i < count; i++) items[i] = make(i);
  const after = await heapUsedAfterGc();
  check(items);
  release(items);
  return (after - before) / count;
}

async function heapRounds(measure: () => Promise<number>): Promise<Stat> {
  await measure(); // warm-up: code compiled, shared maps and caches created
  const samples: number[] = [];
  for (let i = 0; i < HEAP_ROUNDS; i++) samples.push(await measure());
  return stat(samples);
}

// ---------------------------------------------------------------------------------------------------
// 1. Pure transitions: XState's `transition(machine, snapshot, event)`, no actor, no I/O

type ServiceEventAny = EventFromLogic<typeof serviceMachine>;
/** Done/error/after events are XState's own; the machine's event type does not list them. */
const xstateEvent = (type: string, fields: Record<string, unknown> = {}) => ({ type, ...fields }) as unknown as ServiceEventAny;
const after = (delay: string, stateId: string) => xstateEvent(`xstate.after.${delay}.service.${stateId}`);
const probeAnswered: ServiceEventAny = { type: 'PROBE_OK', responseTime: 1 };
const probeFailed: ServiceEventAny = { type: 'PROBE_FAILED', error: refused };
const connectDone = xstateEvent('xstate.done.actor.connect', { output: connected() });
const connectFailed = xstateEvent('xstate.error.actor.connect', { error: refused });
const healthCheckDue = after('healthCheck', 'HEALTHY.health.waiting');
const warningCheckDue = after('warningCheck', 'WARNING.health.waiting');

/**
 * One lifecycle round from HEALTHY back to HEALTHY, with the top-level state each event leads to: a good
 * probe, three failures (→ WARNING), a recovery, three failures again, two more (→ RECONNECTING), a failed
 * attempt, the backoff timer, a successful reconnect.
 */
const PURE_CYCLE: readonly [ServiceEventAny, ServiceState][] = [
  [healthCheckDue, 'HEALTHY'], [probeAnswered, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [probeAnswered, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [probeFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [probeFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [probeFailed, 'RECONNECTING'],
  [connectFailed, 'RECONNECTING'],
  [after('reconnectBackoff', 'RECONNECTING.waiting'), 'RECONNECTING'],
  [connectDone, 'HEALTHY'],
];
const PURE_CYCLES_PER_ROUND = 1_000;
const PURE_EVENTS = PURE_CYCLE.length * PURE_CYCLES_PER_ROUND;

/**
 * What `transition()` does per call without the throwaway actor it builds each time (whose initial
 * snapshot it computes, and which for the service machine throws for want of input): one inert scope,
 * reused, passed to the machine's own `transition` method.
 */
function inertScope<T extends AnyStateMachine>(machine: T, input?: InputFrom<T>) {
  const self = createActor(machine, { input });
  const noop = () => undefined;
  const scope = { self, system: self.system, id: '', sessionId: '', logger: noop, defer: noop, emit: noop, stopChild: noop, actionExecutor: noop };
  return scope as unknown as Parameters<T['transition']>[2];
}

/** A snapshot in HEALTHY, after checking that one cycle takes the machine where the lifecycle says. */
function healthyServiceSnapshot() {
  const [initial] = initialTransition(serviceMachine, serviceInput(0));
  const [healthy] = transition(serviceMachine, initial, connectDone);
  let snapshot = healthy;
  for (const [event, expected] of PURE_CYCLE) {
    [snapshot] = transition(serviceMachine, snapshot, event);
    const reached = topState(snapshot.value);
    if (reached !== expected) throw new Error(`${event.type} led to ${reached}, expected ${expected}: the bench is out of date`);
  }
  return healthy;
}

async function measurePure() {
  const start = healthyServiceSnapshot();
  const serviceScope = inertScope(serviceMachine, serviceInput(0));
  const [toggleStart] = initialTransition(toggleMachine);
  const toggleScope = inertScope(toggleMachine);
  const toggle = { type: 'TOGGLE' } as const;

  const service = await rate(() => {
    let snapshot = start;
    const started = process.cpuUsage();
    for (let c = 0; c < PURE_CYCLES_PER_ROUND; c++) for (const [event] of PURE_CYCLE) [snapshot] = transition(serviceMachine, snapshot, event);
    return perCpuSecond(PURE_EVENTS, started);
  });
  const baseline = await rate(() => {
    let snapshot = toggleStart;
    const started = process.cpuUsage();
    for (let i = 0; i < PURE_EVENTS; i++) [snapshot] = transition(toggleMachine, snapshot, toggle);
    return perCpuSecond(PURE_EVENTS, started);
  });
  const serviceReused = await rate(() => {
    let snapshot = start;
    const started = process.cpuUsage();
    for (let c = 0; c < PURE_CYCLES_PER_ROUND; c++) for (const [event] of PURE_CYCLE) snapshot = serviceMachine.transition(snapshot, event, serviceScope);
    return perCpuSecond(PURE_EVENTS, started);
  });
  const baselineReused = await rate(() => {
    let snapshot = toggleStart;
    const started = process.cpuUsage();
    for (let i = 0; i < PURE_EVENTS; i++) snapshot = toggleMachine.transition(snapshot, toggle, toggleScope);
    return perCpuSecond(PURE_EVENTS, started);
  });
  return { service, baseline, serviceReused, baselineReused };
}

// ---------------------------------------------------------------------------------------------------
// 2. The probe cycle through a live actor: the check timer, PROBE, PROBE_OK, waiting again

/** Either side of the comparison: how to make one actor, and when it is waiting for its next check. */
interface CycleSide {
  name: string;
  start(clock: VirtualClock | null, index: number): { actor: AnyActorRef; calls: ProbeCount };
  waiting(actor: AnyActorRef): boolean;
}

const CYCLE_CONFIG = (intervalMs: number) => ({ healthCheckInterval: intervalMs, startupWaitTime: intervalMs });

const serviceSide = (intervalMs: number): CycleSide => {
  const shared = instantActors();
  const machine = serviceMachine.provide({ actors: shared.actors });
  return {
    name: 'service',
    start: (clock, index) => ({
      actor: createActor(machine, { input: serviceInput(index, CYCLE_CONFIG(intervalMs)), ...(clock ? { clock } : {}) }).start(),
      calls: shared.calls,
    }),
    waiting: (actor) => (actor.getSnapshot() as { value: { HEALTHY?: { health?: string } } }).value.HEALTHY?.health === 'waiting',
  };
};

const probeSide = (shape: ProbeShape, intervalMs: number): CycleSide => {
  const calls: ProbeCount = { probes: 0 };
  const machine = probeMachine(shape, calls, intervalMs);
  return {
    name: 'toggle',
    start: (clock) => ({ actor: createActor(machine, clock ? { clock } : {}).start(), calls }),
    waiting: (actor) => {
      const { value } = actor.getSnapshot() as { value: string | { health?: string } };
      return value === 'waiting' || (typeof value === 'object' && value.health === 'waiting');
    },
  };
};
const toggleSide = (intervalMs: number) => probeSide(TOGGLE, intervalMs);

/**
 * Virtual clock: one actor on its own clock; each cycle advances the clock to the next due timer (the
 * check) and waits, through the actor's own subscription, until it is waiting again. Returns cycles per CPU-second.
 */
async function virtualCycles(side: CycleSide, cycles: number): Promise<number> {
  const clock = new VirtualClock();
  const { actor, calls } = side.start(clock, 0);
  await settle();
  if (!side.waiting(actor)) throw new Error(`the ${side.name} is not waiting for its check after start`);
  let wake: (() => void) | undefined;
  const subscription = actor.subscribe(() => {
    if (wake && side.waiting(actor)) {
      const resume = wake;
      wake = undefined;
      resume();
    }
  });
  const probesBefore = calls.probes;
  const started = process.cpuUsage();
  for (let i = 0; i < cycles; i++) {
    const waited = new Promise<void>((resolve) => (wake = resolve));
    clock.advanceTo(clock.nextDue() as number);
    await waited;
  }
  const perSecond = perCpuSecond(cycles, started);
  subscription.unsubscribe();
  actor.stop();
  if (calls.probes - probesBefore !== cycles) throw new Error(`the ${side.name} sent ${calls.probes - probesBefore} probes in ${cycles} cycles`);
  return perSecond;
}

/**
 * Node's timers: REAL_ACTORS actors of one kind at once, each checking every REAL_INTERVAL_MS; after one
 * interval to settle, cycles per CPU-second over REAL_WINDOW_MS (CPU of the whole process).
 */
async function realCycles(side: CycleSide): Promise<number> {
  const actors = Array.from({ length: REAL_ACTORS }, (_, index) => side.start(null, index));
  const { calls } = actors[0]!;
  await sleep(REAL_INTERVAL_MS * 2);
  const probesBefore = calls.probes;
  const cpu = process.cpuUsage();
  await sleep(REAL_WINDOW_MS);
  const used = process.cpuUsage(cpu);
  const cycles = calls.probes - probesBefore;
  for (const { actor } of actors) actor.stop();
  if (cycles === 0) throw new Error(`no ${side.name} probed on the real clock`);
  return cycles / ((used.user + used.system) / 1e6);
}

/**
 * Several rates measured round by round, the order rotating each round, after one warm-up round each:
 * on a shared machine every side meets the same moments of load.
 */
async function ratesInTurn(sides: (() => Promise<number>)[]): Promise<Stat[]> {
  for (const side of sides) await side();
  const samples = sides.map((): number[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (let offset = 0; offset < sides.length; offset++) {
      const index = (round + offset) % sides.length;
      samples[index]!.push(await sides[index]!());
    }
  }
  return samples.map(stat);
}

async function measureCycles() {
  // The ladder from the toggle to the service, all on the virtual clock; its ends are the comparison.
  const virtual = await ratesInTurn([
    ...LADDER.map(([, shape]) => () => virtualCycles(probeSide(shape, CYCLE_INTERVAL_MS), VIRTUAL_CYCLES)),
    () => virtualCycles(serviceSide(CYCLE_INTERVAL_MS), VIRTUAL_CYCLES),
  ]);
  const [serviceReal, toggleReal] = await ratesInTurn([() => realCycles(serviceSide(REAL_INTERVAL_MS)), () => realCycles(toggleSide(REAL_INTERVAL_MS))]);
  const profileOf = (side: CycleSide) => profiled(async () => void (await virtualCycles(side, VIRTUAL_CYCLES)), { name: `probe-cycles-${side.name}` });
  return {
    virtual: { service: virtual[virtual.length - 1]!, toggle: virtual[0]! },
    ladder: LADDER.map(([name], index) => ({ name, rate: virtual[index]! })),
    real: { service: serviceReal!, toggle: toggleReal! },
    profiles: { service: await profileOf(serviceSide(CYCLE_INTERVAL_MS)), toggle: await profileOf(toggleSide(CYCLE_INTERVAL_MS)) },
  };
}

// ---------------------------------------------------------------------------------------------------
// 3. Retained heap per idle actor

const stopAll = (actors: AnyActorRef[]) => actors.forEach((actor) => actor.stop());

/**
 * ACTORS standalone service actors (each its own actor system), connected at once and idle in HEALTHY
 * until their first health check. One shared config object moves that check 10 min away: on the real
 * clock the default 2 s can pass while 10,000 actors are created and collected.
 */
const IDLE_CONFIG = { startupWaitTime: 10 * 60_000 };
function idleServices(clock: 'real' | 'virtual') {
  return async () => {
    const io = instantActors();
    const machine = serviceMachine.provide({ actors: io.actors });
    const shared = new VirtualClock();
    const bytes = await retainedBytes(
      ACTORS,
      (i) => createActor(machine, { input: serviceInput(i, IDLE_CONFIG), ...(clock === 'virtual' ? { clock: shared } : {}) }).start(),
      (actors) => {
        if (!actors.every((actor) => waitingForCheck(actor.getSnapshot()))) throw new Error('not every service is idle in HEALTHY');
        if (io.calls.probes > 0) throw new Error(`${io.calls.probes} health checks ran during the measurement: not idle`);
      },
      stopAll,
    );
    return bytes / 1024;
  };
}

const idleActors = (machine: AnyStateMachine) => async () =>
  (await retainedBytes(ACTORS, () => createActor(machine).start(), () => undefined, stopAll)) / 1024;

/** `count` services spawned into one system: KiB per service and the CPU until all are HEALTHY. */
async function spawnedServices(count: number) {
  const before = await heapUsedAfterGc();
  const fleet = await startFleet(count, instantActors().actors);
  const after = await heapUsedAfterGc();
  fleet.root.stop();
  return { kib: (after - before) / count / 1024, startupMs: fleet.startupMs };
}

/** What the parts of an idle service cost, each measured alone over ACTORS copies (bytes). */
async function breakdown() {
  const context = (i: number) => initialServiceContext(serviceInput(i), 0);
  const bytes = (make: (i: number) => unknown) => heapRounds(() => retainedBytes(ACTORS, make));
  return {
    contextKeys: Object.keys(context(0)).length,
    // XState's `assign` stores `Object.assign({}, context, update)`: what every service holds.
    contextAssigned: await bytes((i) => Object.assign({}, context(i), {})),
    contextSpread: await bytes((i) => ({ ...context(i) })),
    config: await bytes(() => resolveLifecycleConfig(undefined)),
  };
}

async function measureHeap() {
  const spawned: Record<number, { kib: number[]; startupMs: number[] }> = {};
  await spawnedServices(SPAWNED[0]); // warm-up
  for (const count of SPAWNED) {
    spawned[count] = { kib: [], startupMs: [] };
    for (let round = 0; round < HEAP_ROUNDS; round++) {
      const { kib, startupMs } = await spawnedServices(count);
      spawned[count].kib.push(kib);
      spawned[count].startupMs.push(startupMs);
    }
  }
  return {
    realClock: await heapRounds(idleServices('real')),
    virtualClock: await heapRounds(idleServices('virtual')),
    toggle: await heapRounds(idleActors(toggleMachine)),
    toggleWithChild: await heapRounds(idleActors(toggleWithChild)),
    spawned: SPAWNED.map((count) => ({ count, kib: stat(spawned[count]!.kib), startupMs: stat(spawned[count]!.startupMs) })),
    parts: await breakdown(),
  };
}

// ---------------------------------------------------------------------------------------------------
// Report

const thousands = (n: number) => `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)} k`;
const kib = (n: number) => n.toFixed(2);
const bytes = (n: number) => n.toFixed(0);
const range = (s: Stat, format: (n: number) => string) => `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const verdict = (met: boolean) => (met ? 'met' : 'missed');
const count = (n: number) => n.toLocaleString('en');
const ms = (n: number) => n.toFixed(n >= 100 ? 0 : 1);

type Pure = Awaited<ReturnType<typeof measurePure>>;
type Cycles = Awaited<ReturnType<typeof measureCycles>>;
type Heap = Awaited<ReturnType<typeof measureHeap>>;

async function xstateVersion() {
  const manifest = await readFile(new URL('../node_modules/xstate/package.json', import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** Self time by part of the code for the service's cycles and the toggle's (the same number of cycles). */
function profileTable(cycles: Cycles): string[] {
  const { service, toggle } = cycles.profiles;
  const msOf = (profile: Profile, part: string) => profile.parts.find((p) => p.part === part)?.ms ?? 0;
  const parts = [...new Set([...service.parts, ...toggle.parts].map((p) => p.part))]
    .filter((part) => msOf(service, part) >= service.totalMs * 0.01 || msOf(toggle, part) >= toggle.totalMs * 0.01)
    .sort((a, b) => msOf(service, b) - msOf(service, a));
  const cell = (profile: Profile, part: string) => (msOf(profile, part) === 0 ? '—' : `${ms(msOf(profile, part))} (${((msOf(profile, part) / profile.totalMs) * 100).toFixed(0)} %)`);
  const hottest = (profile: Profile) => profile.functions.map((f) => `${f.name} ${ms(f.ms)}`).join('; ');
  return [
    `Where ${count(VIRTUAL_CYCLES)} virtual-clock probe cycles go (self time, V8's sampling profiler at 0.1 ms, one extra run of each):`,
    '',
    '| self time, ms (share) | service | toggle |',
    '| --- | --- | --- |',
    ...parts.map((part) => `| ${part} | ${cell(service, part)} | ${cell(toggle, part)} |`),
    `| total sampled | ${ms(service.totalMs)} | ${ms(toggle.totalMs)} |`,
    '',
    `Hottest functions of the service's cycles (self ms): ${hottest(service)}.`,
  ];
}

/** The rungs from the toggle to the service: each adds one trait of the service's chart. */
function ladderTable(cycles: Cycles): string[] {
  const base = cycles.virtual.toggle.median;
  const rows: [string, Stat][] = [...cycles.ladder.map(({ name, rate: r }): [string, Stat] => [name, r]), ['the service machine itself', cycles.virtual.service]];
  return [
    'What separates the two, measured in the same rounds (virtual clock, cycles per CPU-second; each rung adds one trait of the',
    "service's chart to the rung above, in generic XState; the last row is the service, with its real actions, guards and delays):",
    '',
    '| machine | cycles per CPU-second | ÷ toggle | ÷ rung above |',
    '| --- | --- | --- | --- |',
    ...rows.map(([name, r], index) =>
      `| ${name} | ${range(r, thousands)} | ${ratio(r.median, base)} | ${index === 0 ? '—' : ratio(r.median, rows[index - 1]![1].median)} |`,
    ),
  ];
}

/** Which traits of the chart cost what, from the ladder. */
function ladderInWords(cycles: Cycles): string {
  const rates = [...cycles.ladder.map(({ rate: r }) => r.median), cycles.virtual.service.median];
  const step = (index: number) => ratio(rates[index]!, rates[index - 1]!);
  return (
    `The ladder says what holds the rate: XState's cost per trait of the chart — the ping timeout's delayed transition ${step(1)},` +
    ` the two assigns ${step(2)} (each \`assign\` clones the snapshot, and \`createMachineSnapshot\` recomputes its state value and tags),` +
    ` the parallel tools region ${step(3)} (every microstep walks both regions and tests the tools guard); the service's own` +
    ` actions, guards, delays and tags on top of that shape: ${step(4)}.`
  );
}

/** What the numbers point at; each line only while its cause still shows in this run's measurements. */
function findings(heap: Heap, xstate: string) {
  const { parts } = heap;
  const dictionaryCost = parts.contextAssigned.median - parts.contextSpread.median;
  const [small, large] = [heap.spawned[0]!, heap.spawned[heap.spawned.length - 1]!];
  const superlinear = large.startupMs.median / small.startupMs.median > (large.count / small.count) * 1.25;
  return [
    dictionaryCost > 256 &&
      `- XState's \`assign\` copies the context with \`Object.assign({}, context, update)\`, and V8 keeps such a copy in dictionary mode` +
        ` once it has 20 properties or more (Node 20: 19 stay fast): the ${parts.contextKeys}-key context costs ${bytes(dictionaryCost)} bytes more per service than a` +
        ' fast copy, and its copying is the largest single cost of a probe cycle (`resolveAssign` above). At most 19 top-level keys would avoid both.',
    superlinear &&
      `- In one actor system, start-up for ${count(large.count)} services takes ${ratio(large.startupMs.median, small.startupMs.median)}` +
        ` the time of ${count(small.count)}: XState ${xstate} copies the root's \`children\` object on every spawn (\`resolveSpawn\`).`,
  ].filter((line): line is string => typeof line === 'string');
}

function report(pure: Pure, cycles: Cycles, heap: Heap, xstate: string, loadAtStart: number) {
  const cpus = os.cpus();
  const { parts } = heap;
  const child = (heap.toggleWithChild.median - heap.toggle.median) * 1024;
  const virtualRatio = cycles.virtual.service.median / cycles.virtual.toggle.median;
  const realRatio = cycles.real.service.median / cycles.real.toggle.median;
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const list = findings(heap, xstate);
  return [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, XState ${xstate}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}` +
      ` (${cpus.length} cores), ${os.platform()} ${os.arch()}. Command: \`${COMMAND}\` (\`npm run bench\`).`,
    `Load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end.` +
      ` Median of ${ROUNDS} rounds after a warm-up round, (min–max); the two sides of a comparison alternate round by round; heap: median of ${HEAP_ROUNDS} rounds after a warm-up round.`,
    '',
    row(['measurement', 'service machine', 'baseline', 'service ÷ baseline', 'target']),
    row(['---', '---', '---', '---', '---']),
    row([
      '**probe cycle through a live actor, virtual clock: cycles per CPU-second** (one actor, its own clock advanced to the next due timer)',
      `**${range(cycles.virtual.service, thousands)}**`,
      `${range(cycles.virtual.toggle, thousands)} (2-state probe toggle)`,
      `**${ratio(cycles.virtual.service.median, cycles.virtual.toggle.median)}**`,
      `≥ ${TARGET_CYCLE_RATIO}×: ${verdict(virtualRatio >= TARGET_CYCLE_RATIO)}`,
    ]),
    row([
      `**probe cycle, Node's timers: cycles per CPU-second** (${count(REAL_ACTORS)} actors, each every ${REAL_INTERVAL_MS} ms, ${REAL_WINDOW_MS / 1000} s windows)`,
      `**${range(cycles.real.service, thousands)}**`,
      `${range(cycles.real.toggle, thousands)} (2-state probe toggle)`,
      `**${ratio(cycles.real.service.median, cycles.real.toggle.median)}**`,
      `≥ ${TARGET_CYCLE_RATIO}×: ${verdict(realRatio >= TARGET_CYCLE_RATIO)}`,
    ]),
    row([
      'pure `transition(machine, snapshot, event)`, events per CPU-second',
      range(pure.service, thousands),
      `${range(pure.baseline, thousands)} (2-state toggle)`,
      ratio(pure.service.median, pure.baseline.median),
      '—',
    ]),
    row([
      'pure `machine.transition(snapshot, event, scope)` with one reused scope, events per CPU-second',
      range(pure.serviceReused, thousands),
      range(pure.baselineReused, thousands),
      ratio(pure.serviceReused.median, pure.baselineReused.median),
      '—',
    ]),
    row([
      `heap per idle actor, ${count(ACTORS)} standalone actors, real clock, KiB`,
      range(heap.realClock, kib),
      `${range(heap.toggle, kib)} (2-state toggle)`,
      ratio(heap.realClock.median, heap.toggle.median),
      '—',
    ]),
    row([
      `heap per idle actor, ${count(ACTORS)} standalone actors, one shared VirtualClock, KiB`,
      range(heap.virtualClock, kib),
      range(heap.toggle, kib),
      ratio(heap.virtualClock.median, heap.toggle.median),
      '—',
    ]),
    ...heap.spawned.map(({ count: services, kib: perService, startupMs }) =>
      row([
        `${count(services)} services spawned into one root actor (the supervisor's topology): heap each; CPU until all are HEALTHY`,
        `${range(perService, kib)} KiB; ${range(startupMs, bytes)} ms`,
        '—',
        '—',
        '—',
      ]),
    ),
    '',
    'The probe cycle is what every health check of an idle, healthy service does: the check timer fires (`xstate.after.healthCheck`),',
    '`pinging` records the ping time and sends PROBE to the invoked connection actor (here one that answers PROBE_OK in a microtask),',
    'and PROBE_OK records the success and returns to `waiting`, re-arming the timer; two events a cycle.',
    'The baseline is driven the same way: a 2-state toggle whose `waiting` leaves on a delayed transition and whose `probing` sends PROBE',
    'to an invoked callback child that answers PROBE_OK in a microtask; PROBE_OK returns to `waiting`. Virtual clock: each actor has its',
    'own `src/supervisor/virtual-clock.ts`, advanced to its next due timer; a cycle ends when the actor\'s subscription sees it waiting',
    'again. Real clock: Node\'s timers and the CPU of the whole process, so the rate includes the timers\' own cost, the same for both.',
    `The pure cycle is ${PURE_CYCLE.length} events: HEALTHY, three failed probes to WARNING, a recovery, five failures to RECONNECTING,`,
    'a failed attempt, its backoff timer, a reconnect. Idle actors are connected (two tools) and wait for their first health check,',
    'moved 10 min away (the bench fails if a probe is sent); heap is `heapUsed` after forced GCs, before and after, ÷ their number.',
    '',
    ...ladderTable(cycles),
    '',
    ...profileTable(cycles),
    '',
    row(['part of an idle service actor, measured alone', 'bytes']),
    row(['---', '---']),
    row(["XState's standalone actor with its own system (the toggle above)", bytes(heap.toggle.median * 1024)]),
    row(['one invoked idle callback actor, as the connection actor (toggle with one − toggle)', bytes(child)]),
    row([
      `the context (${parts.contextKeys} keys, with config and transport) as XState's \`assign\` stores it: \`Object.assign({}, context, update)\``,
      bytes(parts.contextAssigned.median),
    ]),
    row(['the same context copied with object spread', bytes(parts.contextSpread.median)]),
    row(['of which its config, from `resolveLifecycleConfig()` (one per service)', bytes(parts.config.median)]),
    '',
    `Interpretation: the probe cycle runs at ${ratio(cycles.virtual.service.median, cycles.virtual.toggle.median)} of the toggle's rate on the virtual clock and` +
      ` ${ratio(cycles.real.service.median, cycles.real.toggle.median)} on Node's timers (target ≥ ${TARGET_CYCLE_RATIO}×: ${verdict(Math.min(virtualRatio, realRatio) >= TARGET_CYCLE_RATIO)});` +
      ` in absolute terms ${thousands(cycles.virtual.service.median)} health checks/s on one core, where 10,000 services checked every 30 s need 333/s.` +
      ` An idle service actor retains ${kib(heap.realClock.median)} KiB standalone (${kib(heap.toggle.median)} of it XState's bare actor and its system)` +
      ` and ${kib(heap.spawned[heap.spawned.length - 1]!.kib.median)} KiB spawned into one system. ${ladderInWords(cycles)}`,
    '',
    'Findings:',
    '',
    ...(list.length ? list : ['- none: every cause looked for is gone.']),
    '',
  ].join('\n');
}

const began = performance.now();
const loadAtStart = os.loadavg()[0]!;
const phase = async <T>(name: string, measure: () => Promise<T>) => {
  const result = await measure();
  console.log(`${name} measured (${((performance.now() - began) / 1000).toFixed(0)} s)`);
  return result;
};
const cycles = await phase('probe cycles', measureCycles);
const pure = await phase('pure transitions', measurePure);
const heap = await phase('heap', measureHeap);
const section = report(pure, cycles, heap, await xstateVersion(), loadAtStart);
console.log(`\n${section}`);
await writeResultsSection(SECTION, section);
console.log(`wrote the '${SECTION}' section of bench/RESULTS.md`);
