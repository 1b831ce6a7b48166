// One `services$` value: every service's snapshot, in the order the services were added, as an immutable
// ReadonlyMap. Each emission shares the bulk of the one before: a view is a base map plus the snapshots
// changed since it was built, so emitting after a handful of changes costs those changes, not a copy of
// the whole fleet (at 10,000 services a full copy took 4 ms, twenty times a second). The changes are
// folded into a new base once they outgrow √(2 · fleet size · changes per emission), which keeps the
// average cost of an emission near its minimum. Neither map is written once a view holds it.

import type { ServiceSnapshot } from './service-snapshot.js';

export class FleetView implements ReadonlyMap<string, ServiceSnapshot> {
  private constructor(
    private readonly base: ReadonlyMap<string, ServiceSnapshot>,
    /** Snapshots changed since `base` was built; keys not in `base` are services added since, in order. */
    private readonly changes: ReadonlyMap<string, ServiceSnapshot>,
    readonly size: number,
  ) {}

  /** A view of exactly these snapshots, in this order. */
  static of(snapshots: Iterable<readonly [string, ServiceSnapshot]>): FleetView {
    const base = new Map(snapshots);
    return new FleetView(base, new Map(), base.size);
  }

  /** This view with `changed` applied (changed services, and services added since, none removed). */
  with(changed: ReadonlyMap<string, ServiceSnapshot>): FleetView {
    if (changed.size === 0) return this;
    const changes = new Map(this.changes);
    let size = this.size;
    for (const [key, snapshot] of changed) {
      if (!this.has(key)) size++;
      changes.set(key, snapshot);
    }
    // Folding costs the whole fleet once; carrying the changes costs them at every emission.
    if (changes.size * changes.size > 2 * size * changed.size) return FleetView.of(new FleetView(this.base, changes, size));
    return new FleetView(this.base, changes, size);
  }

  get(key: string): ServiceSnapshot | undefined {
    return this.changes.get(key) ?? this.base.get(key);
  }

  has(key: string): boolean {
    return this.changes.has(key) || this.base.has(key);
  }

  entries(): MapIterator<[string, ServiceSnapshot]> {
    return this.changes.size === 0 ? this.base.entries() : this.mergedEntries();
  }

  keys(): MapIterator<string> {
    return this.changes.size === 0 ? this.base.keys() : this.mergedKeys();
  }

  values(): MapIterator<ServiceSnapshot> {
    return this.changes.size === 0 ? this.base.values() : this.mergedValues();
  }

  [Symbol.iterator](): MapIterator<[string, ServiceSnapshot]> {
    return this.entries();
  }

  forEach(callback: (value: ServiceSnapshot, key: string, map: ReadonlyMap<string, ServiceSnapshot>) => void, thisArg?: unknown): void {
    for (const [key, snapshot] of this.entries()) callback.call(thisArg, snapshot, key, this);
  }

  private *mergedEntries(): MapIterator<[string, ServiceSnapshot]> {
    const { base, changes } = this;
    for (const [key, snapshot] of base) yield [key, changes.get(key) ?? snapshot];
    for (const [key, snapshot] of changes) if (!base.has(key)) yield [key, snapshot];
  }

  private *mergedKeys(): MapIterator<string> {
    const { base, changes } = this;
    yield* base.keys();
    for (const key of changes.keys()) if (!base.has(key)) yield key;
  }

  private *mergedValues(): MapIterator<ServiceSnapshot> {
    const { base, changes } = this;
    // A snapshot carries its own key: no entry pair to build per service.
    for (const snapshot of base.values()) yield changes.get(snapshot.key) ?? snapshot;
    for (const snapshot of changes.values()) if (!base.has(snapshot.key)) yield snapshot;
  }
}
