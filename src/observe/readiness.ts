// The readiness policy `/readyz` reports: which services must be available for the supervisor to be
// ready. Pure: from the policy, the services' snapshots and the keys marked `critical`.

import type { ReadinessPolicy } from '../config/model.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';

/** What `/readyz` answers: whether the supervisor is ready, and what it still waits for. */
export interface Readiness {
  ready: boolean;
  /** The services the policy still waits for (not available, or not known yet), by key. */
  waitingFor: string[];
}

type ReadinessView = Pick<ServiceSnapshot, 'key' | 'available'>;

/** Whether the readiness policy (`any`, `all`, `critical`, or named services) holds for these services now. */
export function readinessOf(policy: ReadinessPolicy, services: readonly ReadinessView[], critical: ReadonlySet<string>): Readiness {
  const available = new Set(services.filter((service) => service.available).map((service) => service.key));
  if (policy === 'any') {
    const ready = available.size > 0;
    return { ready, waitingFor: ready ? [] : services.map((service) => service.key) };
  }
  const required = policy === 'all' ? services.map((service) => service.key) : policy === 'critical' ? [...critical] : policy.services;
  const waitingFor = required.filter((key) => !available.has(key));
  return { ready: waitingFor.length === 0, waitingFor };
}
