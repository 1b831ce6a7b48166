// The streams' running metrics agree with the metrics of every service's snapshot, whatever the
// sequence of updates and removals; services$ emits one value per batch, none repeated in metrics$.

import { describe, expect, it } from 'vitest';
import { initialServiceContext } from '../../src/machines/service.context.js';
import { AVAILABLE_STATES, SERVICE_STATES, type ServiceState } from '../../src/machines/service.machine.js';
import { collectFleetMetrics, type FleetMetrics } from '../../src/supervisor/fleet-metrics.js';
import { FleetStreams } from '../../src/supervisor/fleet-streams.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';

/** A deterministic sequence of draws (a linear congruential generator). */
function draws(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % below;
  };
}

function reading(name: string, state: ServiceState, numbers: { failures: number; reconnects: number; response: number | null }) {
  const base = initialServiceContext({ serviceName: name, transport: { type: 'stdio', command: 'node', args: [], env: {} } }, 0);
  const context = {
    ...base,
    health: { ...base.health, totalFailures: numbers.failures, lastResponseTime: numbers.response },
    retry: { ...base.retry, totalReconnectAttempts: numbers.reconnects },
  };
  return { state, available: AVAILABLE_STATES.includes(state), context };
}

describe('FleetStreams metrics', () => {
  it('keeps running totals equal to the metrics of every snapshot, through 2,000 updates and removals', () => {
    const clock = new VirtualClock();
    const streams = new FleetStreams({ batchWindowMs: 10, timers: clock });
    const draw = draws(7);
    for (let step = 0; step < 2_000; step++) {
      const name = `s${draw(40)}`;
      if (draw(10) === 0) {
        streams.remove(name, step, { cause: 'removed', reason: 'removed on request' });
      } else {
        const state = SERVICE_STATES[draw(SERVICE_STATES.length)] as ServiceState;
        streams.update(reading(name, state, { failures: draw(50), reconnects: draw(20), response: draw(3) === 0 ? null : draw(900) }), step);
      }
      if (step % 97 === 0) expect(streams.metrics()).toEqual(collectFleetMetrics(streams.list()));
    }
    expect(streams.metrics()).toEqual(collectFleetMetrics(streams.list()));
    expect(streams.metrics().totalServices).toBe(streams.list().length);
  });

  it('emits metrics$ only when they change, and services$ once per batch window', async () => {
    const clock = new VirtualClock();
    const streams = new FleetStreams({ batchWindowMs: 10, timers: clock });
    const metrics: FleetMetrics[] = [];
    let emissions = 0;
    streams.metrics$.subscribe((value) => metrics.push(value));
    streams.services$.subscribe(() => emissions++);
    const numbers = { failures: 1, reconnects: 0, response: 12 };
    streams.update(reading('a', 'HEALTHY', numbers), 0);
    streams.update(reading('b', 'HEALTHY', numbers), 0);
    await clock.advance(10);
    // A new context with the same numbers: services$ emits (the snapshot is new), metrics$ does not.
    streams.update(reading('a', 'HEALTHY', numbers), 10);
    await clock.advance(10);
    streams.update(reading('a', 'WARNING', numbers), 20);
    await clock.advance(10);
    expect(emissions).toBe(3);
    expect(metrics.map((value) => [value.healthyServices, value.warningServices])).toEqual([
      [2, 0],
      [1, 1],
    ]);
  });
});
