// The fleet's lifecycle metrics, one snapshot: an empty fleet has a health rate of 0 (not a division by
// zero), and failures/reconnections are lifetime totals rather than counters that reset on every recovery.

import { SERVICE_STATES, type ServiceState } from '../machines/service.machine.js';
import type { ServiceSnapshot } from './service-snapshot.js';

/** The fleet's lifecycle metrics at one moment (`metrics()`, `metrics$`). */
export interface FleetMetrics {
  /** Services known to the supervisor, in any state. */
  totalServices: number;
  /** Services in each lifecycle state (every state present, zero or more). */
  states: Readonly<Record<ServiceState, number>>;
  /** Services HEALTHY. */
  healthyServices: number;
  /** Services WARNING. */
  warningServices: number;
  /** Services RECONNECTING. */
  reconnectingServices: number;
  /** Services UNREACHABLE. */
  unreachableServices: number;
  /** HEALTHY + WARNING: services whose tools can be called. */
  availableServices: number;
  /** Percentage of services HEALTHY, 0–100 (0 for an empty fleet). */
  healthRate: number;
  /** Mean of the latest successful response time over services that have one, in ms; null if none. */
  averageResponseTime: number | null;
  /** Ping failures and failed connects over the services' lives. */
  totalFailures: number;
  /** Reconnect attempts over the services' lives. */
  totalReconnections: number;
}

export function collectFleetMetrics(services: Iterable<ServiceSnapshot>): FleetMetrics {
  const states = Object.fromEntries(SERVICE_STATES.map((state) => [state, 0])) as Record<ServiceState, number>;
  let total = 0;
  let responseSum = 0;
  let responseCount = 0;
  let totalFailures = 0;
  let totalReconnections = 0;
  for (const service of services) {
    total++;
    states[service.state]++;
    totalFailures += service.metadata.totalFailures;
    totalReconnections += service.metadata.totalReconnectAttempts;
    if (service.available && service.metadata.lastResponseTime !== null) {
      responseSum += service.metadata.lastResponseTime;
      responseCount++;
    }
  }
  return {
    totalServices: total,
    states,
    healthyServices: states.HEALTHY,
    warningServices: states.WARNING,
    reconnectingServices: states.RECONNECTING,
    unreachableServices: states.UNREACHABLE,
    availableServices: states.HEALTHY + states.WARNING,
    healthRate: total === 0 ? 0 : (states.HEALTHY / total) * 100,
    averageResponseTime: responseCount === 0 ? null : responseSum / responseCount,
    totalFailures,
    totalReconnections,
  };
}
