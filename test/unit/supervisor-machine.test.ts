// The parent actor's decisions, on its own: what it does to its service actors, and what it emits,
// for a removal, a replacement, a crash, the cleanup sweep and the supervisor stopping; in virtual time.

import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/machines/defaults.js';
import type { ServiceMachineInput } from '../../src/machines/service.context.js';
import { lifecycleState, serviceMachine } from '../../src/machines/service.machine.js';
import { STOP_GRACE_MS, supervisorMachine, type ServiceActorRef, type SupervisorEmitted } from '../../src/supervisor/supervisor.machine.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import type { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const SECOND = 1000;
const HOUR = 3_600_000;

const input = (serviceName: string, config: ServiceMachineInput['config'] = {}): ServiceMachineInput => ({
  serviceName,
  transport: { type: 'stdio', command: 'node', args: [`${serviceName}.js`], env: {} },
  config: { jitter: 0, ...config },
});

function startParent(options: { setup?: (io: InMemoryConnections) => void; breakForcedDisconnect?: boolean; closeNeverGivesUp?: boolean } = {}) {
  const clock = new VirtualClock(1_700_000_000_000);
  const io = inMemoryLayer(clock);
  options.setup?.(io);
  const service = serviceMachine.provide({
    actors: io.actors,
    // A defect in the chart's own code: the actor crashes when its close runs out of time.
    ...(options.breakForcedDisconnect
      ? {
          actions: {
            recordForcedDisconnect: () => {
              throw new Error('forced disconnect exploded');
            },
          },
        }
      : {}),
    // A defect in the chart's own bound: its close is never abandoned.
    ...(options.closeNeverGivesUp ? { delays: { disconnectTimeout: 1_000 * HOUR } } : {}),
  });
  const root = createActor(supervisorMachine.provide({ actors: { service } }), { clock, input: { settings: { maxRestarts: 2 } } });
  const emitted: SupervisorEmitted[] = [];
  const starts: { key: string; firstState: string }[] = [];
  root.on('*', (event) => {
    emitted.push(event);
    // What the Supervisor does on `service.spawned`: register the connection, and follow the actor from its first snapshot.
    if (event.type === 'service.spawned') {
      io.register(event.key, input(event.key).transport);
      const child = root.getSnapshot().children[event.key] as ServiceActorRef | undefined;
      const seen: string[] = [];
      child?.subscribe({ next: (snapshot) => seen.push(lifecycleState(snapshot.value)), error: () => undefined });
      starts.push({
        key: event.key,
        get firstState() {
          return seen[0] ?? 'none';
        },
      });
    }
  });
  root.start();
  const time = clock;
  const child = (key: string) => root.getSnapshot().children[key] as ServiceActorRef | undefined;
  const stateOf = (key: string) => {
    const actor = child(key);
    return actor ? lifecycleState(actor.getSnapshot().value) : 'none';
  };
  return { root, io, clock, emitted, starts, child, stateOf, time };
}

type Parent = ReturnType<typeof startParent>;

async function withHealthy(parent: Parent, keys: string[], config: ServiceMachineInput['config'] = {}) {
  parent.root.send({ type: 'services.add', services: keys.map((key) => ({ key, input: input(key, config) })) });
  await parent.time.advanceUntil(() => keys.every((key) => parent.stateOf(key) === 'HEALTHY'), 10 * SECOND);
}

const ofType = <T extends SupervisorEmitted['type']>(parent: Parent, type: T) =>
  parent.emitted.filter((event): event is Extract<SupervisorEmitted, { type: T }> => event.type === type);

describe('spawning', () => {
  it('emits service.spawned before the actor starts, so its follower sees the first snapshot (INITIALIZING)', async () => {
    const parent = startParent();
    parent.root.send({ type: 'services.add', services: [{ key: 'a', input: input('a') }] });
    await flush();
    expect(ofType(parent, 'service.spawned')).toEqual([{ type: 'service.spawned', key: 'a', why: null }]);
    expect(parent.starts.map((start) => start.firstState)).toEqual(['INITIALIZING']);
    parent.root.stop();
  });
});

describe('removal', () => {
  it('stops an active service with the removal cause, and removes it once it is DISCONNECTED', async () => {
    const parent = startParent();
    await withHealthy(parent, ['a', 'b']);
    const a = parent.child('a');
    parent.root.send({ type: 'service.remove', key: 'a', cause: 'removed', reason: 'removed on request' });
    expect(a?.getSnapshot().context.cause).toBe('removed');
    await parent.time.advanceUntil(() => ofType(parent, 'service.removed').length > 0, 20 * SECOND);
    expect(ofType(parent, 'service.removed')).toMatchObject([{ key: 'a', cause: 'removed', reason: 'removed on request' }]);
    expect(a?.getSnapshot().status).toBe('stopped');
    expect(lifecycleState(a?.getSnapshot().value ?? '')).toBe('DISCONNECTED');
    expect(parent.child('a')).toBeUndefined();
    expect(parent.root.getSnapshot().context.services).not.toHaveProperty('a');
    expect(parent.stateOf('b')).toBe('HEALTHY');
    expect(parent.root.getSnapshot().context.stopsPending).toBe(0);
    parent.root.stop();
  });

  it('removes a service whose close hangs once its disconnect timeout and the grace period have passed', async () => {
    const parent = startParent({
      closeNeverGivesUp: true,
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a']);
    const a = parent.child('a');
    parent.root.send({ type: 'service.remove', key: 'a', cause: 'removed', reason: 'removed on request' });
    const waited = await parent.time.advanceUntil(() => ofType(parent, 'service.removed').length > 0, HOUR);
    expect(waited).toBe(DEFAULT_LIFECYCLE_CONFIG.disconnectTimeout + STOP_GRACE_MS);
    expect(lifecycleState(a?.getSnapshot().value ?? '')).toBe('DISCONNECTING');
    expect(a?.getSnapshot().status).toBe('stopped');
    expect(parent.root.getSnapshot().context.stopsPending).toBe(0);
    parent.root.stop();
  });

  it('removes a service whose actor crashes while it stops, without restarting it', async () => {
    const parent = startParent({
      breakForcedDisconnect: true,
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a']);
    parent.root.send({ type: 'service.remove', key: 'a', cause: 'removed', reason: 'removed on request' });
    await parent.time.advanceUntil(() => ofType(parent, 'service.removed').length > 0, HOUR);
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
    expect(ofType(parent, 'service.gave_up')).toHaveLength(0);
    expect(parent.child('a')).toBeUndefined();
    expect(parent.root.getSnapshot().context.stopsPending).toBe(0);
    parent.root.stop();
  });
});

describe('replacement (a config change)', () => {
  it('spawns the new actor only once the old one is DISCONNECTED, with the config change as its cause', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a']);
    const old = parent.child('a');
    parent.root.send({ type: 'service.replace', key: 'a', input: input('a', { pingTimeout: 7 * SECOND }) });
    await parent.time.advance(1 * SECOND);
    expect(lifecycleState(old?.getSnapshot().value ?? '')).toBe('DISCONNECTING');
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
    await parent.time.advanceUntil(() => ofType(parent, 'service.spawned').length === 2, 20 * SECOND);
    expect(lifecycleState(old?.getSnapshot().value ?? '')).toBe('DISCONNECTED');
    expect(ofType(parent, 'service.spawned')[1]).toEqual({
      type: 'service.spawned',
      key: 'a',
      why: { cause: 'config_changed', reason: 'restarted with the changed config' },
    });
    expect(parent.child('a')).not.toBe(old);
    expect(parent.child('a')?.getSnapshot().context.config.pingTimeout).toBe(7 * SECOND);
    expect(parent.starts[1]?.firstState).toBe('INITIALIZING');
    parent.root.stop();
  });

  it('removes the service when its new config disables it', async () => {
    const parent = startParent();
    await withHealthy(parent, ['a']);
    parent.root.send({ type: 'service.replace', key: 'a', input: null });
    await parent.time.advanceUntil(() => ofType(parent, 'service.removed').length > 0, 20 * SECOND);
    expect(ofType(parent, 'service.removed')).toMatchObject([{ key: 'a', cause: 'config_changed', reason: 'disabled in the config' }]);
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
    parent.root.stop();
  });

  it('keeps a removal a removal when a replacement arrives while it stops', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a']);
    parent.root.send({ type: 'service.remove', key: 'a', cause: 'removed', reason: 'removed on request' });
    parent.root.send({ type: 'service.replace', key: 'a', input: input('a') });
    await parent.time.advanceUntil(() => ofType(parent, 'service.removed').length > 0, 20 * SECOND);
    await parent.time.advance(10 * SECOND);
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
    expect(parent.child('a')).toBeUndefined();
    parent.root.stop();
  });

  it('starts a service that had no actor (it was disabled) at once', async () => {
    const parent = startParent();
    parent.root.send({ type: 'service.replace', key: 'a', input: input('a') });
    await flush();
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
    expect(parent.stateOf('a')).not.toBe('none');
    parent.root.stop();
  });
});

describe('crashes', () => {
  it('restarts a crashed actor within the budget, saying why, then gives up and says so', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.crashWatcher = true;
      },
    });
    parent.root.send({ type: 'services.add', services: [{ key: 'a', input: input('a') }] });
    await parent.time.advanceUntil(() => ofType(parent, 'service.gave_up').length > 0, 10 * SECOND);
    const restarts = ofType(parent, 'service.spawned').slice(1);
    expect(restarts).toHaveLength(2);
    expect(restarts[0]?.why).toEqual({ cause: 'crashed', reason: expect.stringMatching(/^restarted after a crash: .*a scripted crash/) as string });
    expect(ofType(parent, 'service.gave_up')[0]?.reason).toMatch(/^restart budget exhausted: crashed 3 times within 60000 ms \(last: .*a scripted crash/);
    expect(parent.child('a')).toBeUndefined();
    expect(parent.root.getSnapshot().context.crashed).toHaveProperty('a');
    parent.root.stop();
  });

  it('spawns a service the budget gave up on again when it is restarted', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.crashWatcher = true;
      },
    });
    parent.root.send({ type: 'services.add', services: [{ key: 'a', input: input('a') }] });
    await parent.time.advanceUntil(() => ofType(parent, 'service.gave_up').length > 0, 10 * SECOND);
    parent.io.defaults.crashWatcher = false;
    parent.root.send({ type: 'service.restart', key: 'a' });
    await parent.time.advanceUntil(() => parent.stateOf('a') === 'HEALTHY', 10 * SECOND);
    expect(parent.root.getSnapshot().context.crashed).not.toHaveProperty('a');
  });
});

describe('cleanup sweep', () => {
  it('removes services DISCONNECTED for longer than their max age, and only those', async () => {
    const parent = startParent();
    await withHealthy(parent, ['old', 'young', 'up'], { maxDisconnectedAgeHours: 24 });
    parent.root.send({ type: 'service.stop', key: 'old' });
    await parent.time.advance(1 * HOUR);
    parent.root.send({ type: 'service.stop', key: 'young' });
    await parent.time.advance(1 * HOUR);
    parent.root.send({ type: 'cleanup.sweep' });
    expect(ofType(parent, 'service.removed')).toEqual([]);
    await parent.time.advance(22 * HOUR + 30 * 60_000);
    parent.root.send({ type: 'cleanup.sweep' });
    expect(ofType(parent, 'service.removed')).toMatchObject([
      { key: 'old', cause: 'cleanup', reason: 'removed by the cleanup sweep: disconnected for more than 24 h' },
    ]);
    expect(parent.child('old')).toBeUndefined();
    expect(parent.stateOf('young')).toBe('DISCONNECTED');
    expect(parent.stateOf('up')).toBe('HEALTHY');
    parent.root.stop();
  });
});

describe('the supervisor stopping', () => {
  it('stops every service with the shutdown cause and ends once all are DISCONNECTED', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a', 'b']);
    const [a, b] = [parent.child('a'), parent.child('b')];
    parent.root.send({ type: 'fleet.stop' });
    expect(parent.root.getSnapshot().value).toBe('stopping');
    expect(a?.getSnapshot().context.cause).toBe('shutdown');
    await parent.time.advanceUntil(() => parent.root.getSnapshot().status === 'done', 20 * SECOND);
    for (const actor of [a, b]) expect(lifecycleState(actor?.getSnapshot().value ?? '')).toBe('DISCONNECTED');
  });

  it('does not spawn the replacement of a service whose config change was under way', async () => {
    const parent = startParent({
      setup: (io) => {
        io.defaults.disconnect = 'hang';
      },
    });
    await withHealthy(parent, ['a']);
    parent.root.send({ type: 'service.replace', key: 'a', input: input('a') });
    parent.root.send({ type: 'fleet.stop' });
    await parent.time.advanceUntil(() => parent.root.getSnapshot().status === 'done', 20 * SECOND);
    expect(ofType(parent, 'service.spawned')).toHaveLength(1);
  });

  it('ends at once when every service is already DISCONNECTED', async () => {
    const parent = startParent();
    await withHealthy(parent, ['a']);
    parent.root.send({ type: 'service.stop', key: 'a' });
    await parent.time.advanceUntil(() => parent.stateOf('a') === 'DISCONNECTED', 10 * SECOND);
    parent.root.send({ type: 'fleet.stop' });
    expect(parent.root.getSnapshot().status).toBe('done');
  });
});
