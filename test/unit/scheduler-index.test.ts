// The scheduler index keeps XState's delayed-event semantics: a stopped actor's events are cancelled,
// nobody else's are, and XState's own record of scheduled events stays the ground truth.

import { describe, expect, it } from 'vitest';
import { createActor, createMachine, assign, setup, stopChild, type ActorRefFrom, type AnyActorRef } from 'xstate';
import { indexSchedulerBySource, isSchedulerIndexed } from '../../src/supervisor/scheduler-index.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const ticker = createMachine({
  types: {} as { context: { ticks: number } },
  context: { ticks: 0 },
  initial: 'waiting',
  states: { waiting: { after: { 1000: { target: 'waiting', reenter: true, actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } } } },
});

const parent = setup({ actors: { ticker } }).createMachine({
  invoke: [
    { id: 'a', src: 'ticker', systemId: 'a' },
    { id: 'b', src: 'ticker', systemId: 'b' },
  ],
  on: { STOP_A: { actions: stopChild('a') } },
});

function start(indexed: boolean) {
  const clock = new VirtualClock();
  const root = createActor(parent, { clock });
  if (indexed) indexSchedulerBySource(root.system);
  root.start();
  // The system does not know its actors' types; 'a' and 'b' are tickers.
  const tickerActor = (id: string) => root.system.get(id) as ActorRefFrom<typeof ticker> | undefined;
  const ticks = (id: string) => tickerActor(id)?.getSnapshot().context.ticks;
  const scheduledSources = () => Object.values(root.system.getSnapshot()._scheduledEvents).map((event) => event.source.id);
  return { clock, root, tickerActor, ticks, scheduledSources };
}

describe('scheduler index', () => {
  it.each([false, true])('cancels only the stopped actor’s delayed events (indexed: %s)', (indexed) => {
    const { clock, root, tickerActor, ticks, scheduledSources } = start(indexed);
    clock.advanceTo(clock.now() + 1000);
    expect([ticks('a'), ticks('b')]).toEqual([1, 1]);
    const a = tickerActor('a');
    root.send({ type: 'STOP_A' });
    expect(scheduledSources()).toEqual(['b']);
    for (let i = 0; i < 3; i++) clock.advanceTo(clock.now() + 1000);
    expect(a?.getSnapshot().context.ticks).toBe(1);
    expect(ticks('b')).toBe(4);
    root.stop();
    expect(scheduledSources()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('is installed once per system', () => {
    const { root } = start(true);
    const installed = { ...root.system.scheduler };
    indexSchedulerBySource(root.system);
    expect({ ...root.system.scheduler }).toStrictEqual(installed);
    root.stop();
  });
});

describe('the supervisor', () => {
  // Health checks no longer stop an actor, but every connect, tools refresh and stop still does:
  // without the index, bringing 10,000 services up costs 2.5× the CPU (bench/RESULTS.md).
  it('installs the index on its actor system before any service starts', async () => {
    const clock = new VirtualClock();
    let indexedNow: () => boolean = () => false;
    let indexedAtFirstEvent: boolean | undefined;
    const supervisor = new Supervisor(
      { services: [{ name: 'a', transport: { type: 'stdio', command: 'node', args: [], env: {} } }] },
      {
        connections: inMemoryLayer(clock),
        clock,
        inspect: (event) => {
          const { actorRef } = event;
          indexedNow = () => isSchedulerIndexed((actorRef as AnyActorRef).system);
          // The first event an actor processes: nothing can have been scheduled before it.
          if (event.type === '@xstate.event') indexedAtFirstEvent ??= indexedNow();
        },
      },
    );
    supervisor.start();
    await flush();
    expect(indexedNow()).toBe(true);
    expect(indexedAtFirstEvent).toBe(true);
    await supervisor.stop();
  });
});
