// Measures the service statechart (issue 2, "Measured, not asserted"): transitions per second, pure and
// through a live actor, and the heap an idle service actor retains, each beside a trivial 2-state XState
// machine so every number also reads as a ratio. Prints a Markdown table and rewrites the
// `## Service statechart` section of bench/RESULTS.md, leaving the other sections as they are.
//
//   node --expose-gc --import tsx bench/machine.bench.ts      (npm run bench)

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import {
  createActor,
  createMachine,
  fromCallback,
  fromPromise,
  initialTransition,
  setup,
  SimulatedClock,
  spawnChild,
  transition,
  type ActorRefFrom,
  type AnyActorRef,
  type AnyStateMachine,
  type EventFromLogic,
  type InputFrom,
  type InspectionEvent,
  type SnapshotFrom,
} from 'xstate';
import { resolveLifecycleConfig } from '../src/machines/defaults.js';
import { initialServiceContext, type ServiceMachineInput } from '../src/machines/service.context.js';
import { serviceMachine, type ServiceState } from '../src/machines/service.machine.js';
import type { ConnectOutput, ServiceActors } from '../src/machines/service-io.js';
import { indexSchedulerBySource } from '../src/supervisor/scheduler-index.js';
import { writeResultsSection } from './support/results-file.js';

const COMMAND = 'node --expose-gc --import tsx bench/machine.bench.ts';
const SECTION = '## Service statechart';
/** Throughput rounds (after one warm-up round) and heap rounds; tables show the median and the range. */
const ROUNDS = 5;
const HEAP_ROUNDS = 3;
/** Idle actors per heap measurement. */
const ACTORS = 10_000;
/** Services spawned into one actor system (the supervisor's topology); start-up grows faster than linearly. */
const SPAWNED = [1_000, 2_000] as const;
const TARGET_TRANSITIONS_PER_SECOND = 100_000;
const TARGET_KIB_PER_ACTOR = 10;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error(`run with --expose-gc: ${COMMAND}`);

// ---------------------------------------------------------------------------------------------------
// Fixtures

const serviceInput = (i: number): ServiceMachineInput => ({
  serviceName: `svc-${i}`,
  transport: { type: 'stdio', command: 'node', args: ['server.js'], env: { API_TOKEN: 'secret' } },
});

const connected = (): ConnectOutput => ({
  connectionId: 'conn-1',
  serverInfo: { name: 'bench', version: '1.0.0' },
  protocol: { era: 'legacy', version: '2025-11-25' },
  tools: [
    { name: 'echo', inputSchema: { type: 'object' } },
    { name: 'add', inputSchema: { type: 'object' } },
  ],
});

const refused = new Error('connection refused at http://127.0.0.1:1/mcp');

/** Actors that settle at once (in a microtask); pings follow `pingOutcomes` round-robin (true = answered). */
function instantActors(pingOutcomes: readonly boolean[] = [true]) {
  const calls = { ping: 0 };
  const actors: ServiceActors = {
    connect: fromPromise(() => Promise.resolve(connected())),
    connection: fromCallback(({ sendBack, receive }) => {
      receive(() => {
        const answered = pingOutcomes[calls.ping++ % pingOutcomes.length];
        void Promise.resolve().then(() =>
          sendBack(answered ? { type: 'PROBE_OK', responseTime: 0 } : { type: 'PROBE_FAILED', error: refused }),
        );
      });
    }),
    listTools: fromPromise(() => Promise.resolve(connected().tools)),
    disconnect: fromPromise(() => Promise.resolve()),
  };
  return { actors, calls };
}

/** The baselines: two states and one event. */
const toggleMachine = createMachine({
  id: 'toggle',
  initial: 'off',
  states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
});

/** The same toggle with the shape of a health check: leaving `idle` starts an actor that answers at once. */
const toggleWithPromise = setup({ actors: { work: fromPromise(() => Promise.resolve()) } }).createMachine({
  id: 'toggleWithPromise',
  initial: 'idle',
  states: {
    idle: { on: { GO: 'busy' } },
    busy: { invoke: { src: 'work', onDone: 'idle' } },
  },
});

/** The toggle with one invoked (idle) callback actor, like the service's connection watcher. */
const toggleWithChild = createMachine({
  id: 'toggleWithChild',
  invoke: { src: fromCallback(() => undefined) },
  initial: 'off',
  states: { off: { on: { TOGGLE: 'on' } }, on: { on: { TOGGLE: 'off' } } },
});

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
 * `count` services in one actor system on a SimulatedClock, all connected; `startupMs` until then. The
 * system's delayed events are indexed by source actor, as the supervisor does (src/supervisor/scheduler-index.ts).
 */
async function startFleet(count: number, actors: ServiceActors) {
  const started = performance.now();
  const root = createActor(fleetRoot(actors), { clock: new SimulatedClock() });
  indexSchedulerBySource(root.system);
  root.start();
  for (let index = 0; index < count; index++) root.send({ type: 'ADD', index });
  await settle();
  const startupMs = performance.now() - started;
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

/** Runs `round` once to warm up, then `ROUNDS` times; each returns events/s. */
async function rate(round: () => number | Promise<number>): Promise<Stat> {
  await round();
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) samples.push(await round());
  return stat(samples);
}

function eventsPerSecond(events: number, started: number) {
  return (events / (performance.now() - started)) * 1000;
}

/** Lets settled promises deliver their results to the actors. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

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
const pingAnswered = xstateEvent('xstate.done.actor.ping', { output: undefined });
const pingFailed = xstateEvent('xstate.error.actor.ping', { error: refused });
const connectDone = xstateEvent('xstate.done.actor.connect', { output: connected() });
const connectFailed = xstateEvent('xstate.error.actor.connect', { error: refused });
const healthCheckDue = after('healthCheck', 'HEALTHY.health.waiting');
const warningCheckDue = after('warningCheck', 'WARNING.health.waiting');

/**
 * One lifecycle round from HEALTHY back to HEALTHY, with the top-level state each event leads to: a good
 * ping, three failures (→ WARNING), a recovery, three failures again, two more (→ RECONNECTING), a failed
 * attempt, the backoff timer, a successful reconnect.
 */
const PURE_CYCLE: readonly [ServiceEventAny, ServiceState][] = [
  [healthCheckDue, 'HEALTHY'], [pingAnswered, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [pingAnswered, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'HEALTHY'],
  [healthCheckDue, 'HEALTHY'], [pingFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [pingFailed, 'WARNING'],
  [warningCheckDue, 'WARNING'], [pingFailed, 'RECONNECTING'],
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
    const started = performance.now();
    for (let c = 0; c < PURE_CYCLES_PER_ROUND; c++) for (const [event] of PURE_CYCLE) [snapshot] = transition(serviceMachine, snapshot, event);
    return eventsPerSecond(PURE_EVENTS, started);
  });
  const baseline = await rate(() => {
    let snapshot = toggleStart;
    const started = performance.now();
    for (let i = 0; i < PURE_EVENTS; i++) [snapshot] = transition(toggleMachine, snapshot, toggle);
    return eventsPerSecond(PURE_EVENTS, started);
  });
  const serviceReused = await rate(() => {
    let snapshot = start;
    const started = performance.now();
    for (let c = 0; c < PURE_CYCLES_PER_ROUND; c++) for (const [event] of PURE_CYCLE) snapshot = serviceMachine.transition(snapshot, event, serviceScope);
    return eventsPerSecond(PURE_EVENTS, started);
  });
  const baselineReused = await rate(() => {
    let snapshot = toggleStart;
    const started = performance.now();
    for (let i = 0; i < PURE_EVENTS; i++) snapshot = toggleMachine.transition(snapshot, toggle, toggleScope);
    return eventsPerSecond(PURE_EVENTS, started);
  });
  return { service, baseline, serviceReused, baselineReused };
}

// ---------------------------------------------------------------------------------------------------
// 2. Through a live actor: CHECK_NOW, the (instant) ping outcome, and a reconnect when one is due

/** Ten health checks: an answer, three failures (→ WARNING), a recovery, five failures (→ RECONNECTING). */
const LIVE_PINGS = [true, false, false, false, true, false, false, false, false, false] as const;
const LIVE_CYCLES_PER_ROUND = 1_000;
/** Fewer in a fleet, where each event is much slower. */
const FLEET_CYCLES_PER_ROUND = 100;

/** Calls `kick` `times` times, each time once `idle()` holds again (the actors it started have settled). */
async function drive(actor: AnyActorRef, kick: () => void, idle: () => boolean, times: number) {
  let wake: (() => void) | undefined;
  const subscription = actor.subscribe(() => {
    if (wake && idle()) {
      const resume = wake;
      wake = undefined;
      resume();
    }
  });
  try {
    for (let i = 0; i < times; i++) {
      const settled = new Promise<void>((resolve) => (wake = resolve));
      kick();
      await settled;
    }
  } finally {
    subscription.unsubscribe();
  }
}

/** A service actor in HEALTHY (virtual time: its timers never fire, only CHECK_NOW starts a ping). */
async function liveService(inspect?: (event: InspectionEvent) => void) {
  const io = instantActors(LIVE_PINGS);
  const actor = createActor(serviceMachine.provide({ actors: io.actors }), {
    clock: new SimulatedClock(),
    input: serviceInput(0),
    ...(inspect ? { inspect } : {}),
  }).start();
  await settle();
  if (!waitingForCheck(actor.getSnapshot())) throw new Error('the live service did not reach HEALTHY');
  return { actor, io };
}

const checkNow = (actor: AnyActorRef) => () => actor.send({ type: 'CHECK_NOW' });

/** Events the service actor itself receives in one cycle of LIVE_PINGS, counted by XState's inspection. */
async function liveEventsPerCycle() {
  let counted = 0;
  const { actor, io } = await liveService((event) => {
    if (event.type === '@xstate.event' && event.actorRef.sessionId === event.rootId) counted++;
  });
  counted = 0; // only the cycle's events, not the start-up's
  await drive(actor, checkNow(actor), () => waitingForCheck(actor.getSnapshot()), LIVE_PINGS.length);
  const reconnected = actor.getSnapshot().context.retry.totalReconnectAttempts === 1;
  actor.stop();
  if (io.calls.ping !== LIVE_PINGS.length || !reconnected) throw new Error('the live cycle did not run as scripted');
  return counted;
}

async function measureLive() {
  const eventsPerCycle = await liveEventsPerCycle();
  const events = eventsPerCycle * LIVE_CYCLES_PER_ROUND;
  const service = await rate(async () => {
    const { actor } = await liveService();
    const started = performance.now();
    await drive(actor, checkNow(actor), () => waitingForCheck(actor.getSnapshot()), LIVE_PINGS.length * LIVE_CYCLES_PER_ROUND);
    const perSecond = eventsPerSecond(events, started);
    actor.stop();
    return perSecond;
  });
  const baseline = await rate(async () => {
    const actor = createActor(toggleWithPromise).start();
    const started = performance.now();
    // GO and the promise's done event: two events per round.
    await drive(actor, () => actor.send({ type: 'GO' }), () => actor.getSnapshot().value === 'idle', events / 2);
    const perSecond = eventsPerSecond(events, started);
    actor.stop();
    return perSecond;
  });
  const fleetSize = SPAWNED[SPAWNED.length - 1]!;
  const io = instantActors(LIVE_PINGS);
  const fleet = await startFleet(fleetSize, io.actors);
  const inFleet = await rate(async () => {
    const service = fleet.services[0]!; // its idle siblings never ping: their clock does not move
    const started = performance.now();
    await drive(service, checkNow(service), () => waitingForCheck(service.getSnapshot()), LIVE_PINGS.length * FLEET_CYCLES_PER_ROUND);
    return eventsPerSecond(eventsPerCycle * FLEET_CYCLES_PER_ROUND, started);
  });
  fleet.root.stop();
  return { service, baseline, inFleet, fleetSize, eventsPerCycle };
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
function idleServices(clock: 'real' | 'simulated') {
  return async () => {
    const io = instantActors();
    const machine = serviceMachine.provide({ actors: io.actors });
    const shared = new SimulatedClock();
    const bytes = await retainedBytes(
      ACTORS,
      (i) => {
        const input = { ...serviceInput(i), config: IDLE_CONFIG };
        return createActor(machine, { input, ...(clock === 'simulated' ? { clock: shared } : {}) }).start();
      },
      (actors) => {
        if (!actors.every((actor) => waitingForCheck(actor.getSnapshot()))) throw new Error('not every service is idle in HEALTHY');
        if (io.calls.ping > 0) throw new Error(`${io.calls.ping} health checks ran during the measurement: not idle`);
      },
      stopAll,
    );
    return bytes / 1024;
  };
}

const idleActors = (machine: AnyStateMachine) => async () =>
  (await retainedBytes(ACTORS, () => createActor(machine).start(), () => undefined, stopAll)) / 1024;

/** `count` services spawned into one system: KiB per service and the time until all are HEALTHY. */
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
    simulatedClock: await heapRounds(idleServices('simulated')),
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

type Pure = Awaited<ReturnType<typeof measurePure>>;
type Live = Awaited<ReturnType<typeof measureLive>>;
type Heap = Awaited<ReturnType<typeof measureHeap>>;

async function xstateVersion() {
  const manifest = await readFile(new URL('../node_modules/xstate/package.json', import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

/** What the numbers point at; each line only while its cause still shows in this run's measurements. */
function findings(heap: Heap, live: Live, xstate: string) {
  const { parts } = heap;
  const dictionaryCost = parts.contextAssigned.median - parts.contextSpread.median;
  const child = (heap.toggleWithChild.median - heap.toggle.median) * 1024;
  const [small, large] = [heap.spawned[0]!, heap.spawned[heap.spawned.length - 1]!];
  const superlinear = large.startupMs.median / small.startupMs.median > (large.count / small.count) * 1.25;
  return [
    dictionaryCost > 256 &&
      `- XState's \`assign\` copies the context with \`Object.assign({}, context, update)\`, and V8 keeps such a copy in dictionary mode` +
        ` once it has 20 properties or more (Node 20: 19 stay fast): the ${parts.contextKeys}-key context costs ${bytes(dictionaryCost)} bytes more per service than a` +
        ' fast copy, and that copying is the largest single cost in a CPU profile of `machine.transition`. At most 19 top-level keys (identity, `config`, `transport`, and the' +
        ' metadata, connection and tools fields grouped in nested objects) would avoid both.',
    child > 256 &&
      `- Each HEALTHY/WARNING service holds an invoked \`watchConnection\` actor: ${bytes(child)} bytes. One fleet-wide watcher in the` +
        ' connection layer, sending CONNECTION_LOST / TOOLS_CHANGED to the service by its system id, would save it.',
    superlinear &&
      `- In one actor system, start-up for ${count(large.count)} services takes ${ratio(large.startupMs.median, small.startupMs.median)}` +
        ` the time of ${count(small.count)}: XState ${xstate} copies the root's \`children\` object on every spawn. A health check there` +
        ` runs at ${ratio(live.inFleet.median, live.service.median)} of its standalone rate (XState's scan of every scheduled event on each` +
        ' stopped actor is indexed away here, as in the supervisor).',
  ].filter((line): line is string => typeof line === 'string');
}

function report(pure: Pure, live: Live, heap: Heap, xstate: string, loadAtStart: number) {
  const cpus = os.cpus();
  const { parts } = heap;
  const child = (heap.toggleWithChild.median - heap.toggle.median) * 1024;
  const idleKib = heap.realClock.median;
  const memoryMet = idleKib <= TARGET_KIB_PER_ACTOR;
  const rateMet = pure.service.median >= TARGET_TRANSITIONS_PER_SECOND && live.service.median >= TARGET_TRANSITIONS_PER_SECOND;
  const checksPerSecond = live.service.median / (live.eventsPerCycle / LIVE_PINGS.length);
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, XState ${xstate}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}` +
      ` (${cpus.length} cores), ${os.platform()} ${os.arch()}. Command: \`${COMMAND}\` (\`npm run bench\`).`,
    `Load average (1 min) ${loadAtStart.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end.` +
      ` Throughput: median of ${ROUNDS} rounds after a warm-up round, (min–max); heap: median of ${HEAP_ROUNDS} rounds after a warm-up round.`,
    '',
    row(['measurement', 'service machine', 'baseline: 2-state toggle', 'service ÷ baseline', 'target']),
    row(['---', '---', '---', '---', '---']),
    row([
      'pure `transition(machine, snapshot, event)`, events/s',
      range(pure.service, thousands),
      range(pure.baseline, thousands),
      ratio(pure.service.median, pure.baseline.median),
      `≥ 100 k: ${verdict(pure.service.median >= TARGET_TRANSITIONS_PER_SECOND)}`,
    ]),
    row([
      'pure `machine.transition(snapshot, event, scope)` with one reused scope, events/s',
      range(pure.serviceReused, thousands),
      range(pure.baselineReused, thousands),
      ratio(pure.serviceReused.median, pure.baselineReused.median),
      '—',
    ]),
    row([
      'live actor: CHECK_NOW and instant ping/connect outcomes, events/s',
      range(live.service, thousands),
      `${range(live.baseline, thousands)} (entering its 2nd state invokes an instant promise)`,
      ratio(live.service.median, live.baseline.median),
      `≥ 100 k: ${verdict(live.service.median >= TARGET_TRANSITIONS_PER_SECOND)}`,
    ]),
    row([
      `the same, the service one of ${count(live.fleetSize)} spawned into one actor system, events/s`,
      range(live.inFleet, thousands),
      'as above',
      ratio(live.inFleet.median, live.baseline.median),
      '—',
    ]),
    row([
      `heap per idle actor, ${count(ACTORS)} standalone actors, real clock, KiB`,
      range(heap.realClock, kib),
      range(heap.toggle, kib),
      ratio(heap.realClock.median, heap.toggle.median),
      `≤ 10: ${verdict(memoryMet)}`,
    ]),
    row([
      `heap per idle actor, ${count(ACTORS)} standalone actors, one shared SimulatedClock, KiB`,
      range(heap.simulatedClock, kib),
      range(heap.toggle, kib),
      ratio(heap.simulatedClock.median, heap.toggle.median),
      `≤ 10: ${verdict(heap.simulatedClock.median <= TARGET_KIB_PER_ACTOR)}`,
    ]),
    ...heap.spawned.map(({ count: services, kib: perService, startupMs }) =>
      row([
        `${count(services)} services spawned into one root actor (the supervisor's topology): heap each; time until all are HEALTHY`,
        `${range(perService, kib)} KiB; ${range(startupMs, bytes)} ms`,
        '—',
        '—',
        '—',
      ]),
    ),
    '',
    'A transition here is one event the service actor processes (a macrostep, with the eventless steps it triggers).',
    `The pure cycle is ${PURE_CYCLE.length} events: HEALTHY, three failed pings to WARNING, a recovery, five failures to RECONNECTING,`,
    `a failed attempt, its backoff timer, a reconnect. The live cycle is ${LIVE_PINGS.length} CHECK_NOWs whose pings answer or fail`,
    `in a microtask, including a reconnect: ${live.eventsPerCycle} events, counted with XState's inspection. Idle actors are connected`,
    '(two tools) and wait for their first health check, moved 10 min away by one shared config (the bench fails',
    'if a ping starts); a shared SimulatedClock never fires it. Heap is `heapUsed` after forced GCs, before and',
    'after creating the actors, divided by their number.',
    '',
    row(['part of an idle service actor, measured alone', 'bytes']),
    row(['---', '---']),
    row(["XState's standalone actor with its own system (the toggle above)", bytes(heap.toggle.median * 1024)]),
    row(['one invoked idle callback actor, like the connection watcher (toggle with one − toggle)', bytes(child)]),
    row([
      `the context (${parts.contextKeys} keys, with config and transport) as XState's \`assign\` stores it: \`Object.assign({}, context, update)\``,
      bytes(parts.contextAssigned.median),
    ]),
    row(['the same context copied with object spread', bytes(parts.contextSpread.median)]),
    row(['of which its config, from `resolveLifecycleConfig()` (one per service)', bytes(parts.config.median)]),
    '',
    `Interpretation: ${rateMet && memoryMet ? 'both targets met' : rateMet ? 'throughput met, memory missed' : memoryMet ? 'memory met, throughput missed' : 'both targets missed'}` +
      ` — an idle service retains ${kib(idleKib)} KiB (${kib(heap.toggle.median)} of it XState's bare actor) and the chart runs` +
      ` ${thousands(pure.service.median)} events/s through \`transition()\`, ${thousands(live.service.median)}/s through a live actor;` +
      ` that is still ≈ ${thousands(checksPerSecond)} health checks/s on one core, where 1,000 services pinging every 30 s need 33/s.`,
    '',
    'Findings:',
    '',
    ...(findings(heap, live, xstate).length ? findings(heap, live, xstate) : ['- none: every cause looked for is gone.']),
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
const pure = await phase('pure transitions', measurePure);
const live = await phase('live actors', measureLive);
const heap = await phase('heap', measureHeap);
const section = report(pure, live, heap, await xstateVersion(), loadAtStart);
console.log(`\n${section}`);
await writeResultsSection(SECTION, section);
console.log(`wrote the '${SECTION}' section of bench/RESULTS.md`);
