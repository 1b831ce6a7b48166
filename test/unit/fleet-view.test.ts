// A `services$` value shares most of the one before it, yet reads as a plain, immutable, ordered map.

import { describe, expect, it } from 'vitest';
import { FleetView } from '../../src/supervisor/fleet-view.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import { snapshot } from '../support/cli-snapshots.js';

const healthy = (name: string, responseTime = 10): ServiceSnapshot => snapshot(name, 'HEALTHY', { responseTime });
const fleet = (count: number) => Array.from({ length: count }, (_, index) => healthy(`s${index}`));
const asMap = (view: ReadonlyMap<string, ServiceSnapshot>) => new Map([...view].map(([key, value]) => [key, value.metadata.responseTime]));

describe('FleetView', () => {
  it('reads like the map it stands for: order, size, get, has, keys, values, forEach', () => {
    const services = fleet(5);
    const first = FleetView.of(services.map((service) => [service.key, service]));
    const changedS2 = healthy('s2', 99);
    const added = healthy('late');
    const next = first.with(new Map([['s2', changedS2], ['late', added]]));
    expect([...next.keys()]).toEqual(['s0', 's1', 's2', 's3', 's4', 'late']);
    expect(next.size).toBe(6);
    expect(next.get('s2')).toBe(changedS2);
    expect(next.has('late')).toBe(true);
    expect(next.has('nobody')).toBe(false);
    expect([...next.values()].map((service) => service.key)).toEqual([...next.keys()]);
    const seen: string[] = [];
    next.forEach((value, key, map) => {
      expect(map).toBe(next);
      seen.push(`${key}=${value.metadata.responseTime}`);
    });
    expect(seen).toEqual(['s0=10', 's1=10', 's2=99', 's3=10', 's4=10', 'late=10']);
  });

  it('leaves every earlier view as it was, through many emissions and the folds between them', () => {
    const services = fleet(50);
    let view = FleetView.of(services.map((service) => [service.key, service]));
    const reference = new Map(services.map((service) => [service.key, service]));
    const history: { view: FleetView; expected: Map<string, number | null> }[] = [];
    for (let emission = 1; emission <= 200; emission++) {
      const changed = new Map<string, ServiceSnapshot>();
      for (let change = 0; change < 3; change++) {
        const key = emission % 40 === 0 && change === 0 ? `added${emission}` : `s${(emission * 7 + change * 13) % 50}`;
        const next = healthy(key, emission);
        changed.set(key, next);
        reference.set(key, next);
      }
      view = view.with(changed);
      history.push({ view, expected: asMap(reference) });
    }
    for (const { view: earlier, expected } of history) {
      expect(asMap(earlier)).toEqual(expected);
      expect(earlier.size).toBe(expected.size);
    }
  });

  it('returns itself when nothing changed', () => {
    const view = FleetView.of(fleet(3).map((service) => [service.key, service]));
    expect(view.with(new Map())).toBe(view);
  });
});
