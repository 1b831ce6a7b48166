// What a config reload changes, service by service (by fleet key). Services compare by their effective
// settings, so an edit to `defaults` or a profile touches only the services whose outcome it changes.

import type { SupervisorSettings } from '../machines/defaults.js';
import type { FleetConfig, ServiceConfig } from './model.js';

/** A service in both configs whose settings changed: it restarts with `after`. */
export interface ServiceChange {
  /** As it runs now. */
  before: ServiceConfig;
  /** As the new config has it. */
  after: ServiceConfig;
}

/** What applying a new config changes, service by service. */
export interface FleetDiff {
  /** In the new config only: start them. */
  added: ServiceConfig[];
  /** In the old config only: DISCONNECTING → removed. */
  removed: ServiceConfig[];
  /** Effective settings differ: restart with `after`. */
  changed: ServiceChange[];
  /** Same effective settings: keep their actor and connection untouched. */
  unchanged: ServiceConfig[];
  /** The `supervisor:` settings differ. */
  supervisorChanged: boolean;
}

type FleetShape = Pick<FleetConfig, 'services'> & { supervisor: SupervisorSettings };

export function diffFleetConfig(before: FleetShape, after: FleetShape): FleetDiff {
  const old = new Map(before.services.map((service) => [service.key, service]));
  const next = new Set(after.services.map((service) => service.key));
  const diff: FleetDiff = {
    added: [],
    removed: before.services.filter((service) => !next.has(service.key)),
    changed: [],
    unchanged: [],
    supervisorChanged: !deepEqual(before.supervisor, after.supervisor),
  };
  for (const service of after.services) {
    const previous = old.get(service.key);
    if (previous === undefined) diff.added.push(service);
    else if (sameEffectiveConfig(previous, service)) diff.unchanged.push(service);
    else diff.changed.push({ before: previous, after: service });
  }
  return diff;
}

/** True when a reload has nothing to do. */
export function isEmptyDiff(diff: FleetDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0 && !diff.supervisorChanged;
}

/** What decides a service's behaviour; the profile's name alone does not. */
function sameEffectiveConfig(a: ServiceConfig, b: ServiceConfig): boolean {
  return a.enabled === b.enabled && deepEqual(a.transport, b.transport) && deepEqual(a.lifecycle, b.lifecycle);
}

/** Structural equality of plain data (config values are acyclic JSON-like trees). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const bKeys = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
