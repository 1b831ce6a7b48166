// The scheduler index keeps XState's delayed-event semantics: a stopped actor's events are cancelled,
// nobody else's are, and XState's own record of scheduled events stays the ground truth.

import { describe, expect, it } from 'vitest';
import { createActor, createMachine, SimulatedClock, assign, setup, stopChild, type ActorRefFrom } from 'xstate';
import { indexSchedulerBySource } from '../../src/supervisor/scheduler-index.js';

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
  const clock = new SimulatedClock();
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
    clock.increment(1000);
    expect([ticks('a'), ticks('b')]).toEqual([1, 1]);
    const a = tickerActor('a');
    root.send({ type: 'STOP_A' });
    expect(scheduledSources()).toEqual(['b']);
    for (let i = 0; i < 3; i++) clock.increment(1000);
    expect(a?.getSnapshot().context.ticks).toBe(1);
    expect(ticks('b')).toBe(4);
    root.stop();
    expect(scheduledSources()).toEqual([]);
    expect((clock as unknown as { timeouts: Map<number, unknown> }).timeouts.size).toBe(0);
  });

  it('is installed once per system', () => {
    const { root } = start(true);
    const installed = { ...root.system.scheduler };
    indexSchedulerBySource(root.system);
    expect({ ...root.system.scheduler }).toStrictEqual(installed);
    root.stop();
  });
});
