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

/** One service's part in the fleet's metrics. */
export interface MetricsPart {
  state: ServiceState;
  available: boolean;
  totalFailures: number;
  totalReconnectAttempts: number;
  lastResponseTime: number | null;
}

/**
 * The fleet's metrics kept as running totals: a service's part is added when it appears or changes and
 * taken away when it changes or goes, so reading the metrics costs the same at any fleet size. Response
 * times are whole milliseconds, so their sum stays exact.
 */
export class FleetMetricsTally {
  private readonly states = Object.fromEntries(SERVICE_STATES.map((state) => [state, 0])) as Record<ServiceState, number>;
  private total = 0;
  private responseSum = 0;
  private responseCount = 0;
  private failures = 0;
  private reconnections = 0;

  /** Counts a service's part (`sign` 1), or takes it away (`sign` -1). */
  count(part: MetricsPart, sign: 1 | -1 = 1): void {
    this.total += sign;
    this.states[part.state] += sign;
    this.failures += sign * part.totalFailures;
    this.reconnections += sign * part.totalReconnectAttempts;
    if (part.available && part.lastResponseTime !== null) {
      this.responseSum += sign * part.lastResponseTime;
      this.responseCount += sign;
    }
  }

  metrics(): FleetMetrics {
    const { states, total } = this;
    return {
      totalServices: total,
      states: { ...states },
      healthyServices: states.HEALTHY,
      warningServices: states.WARNING,
      reconnectingServices: states.RECONNECTING,
      unreachableServices: states.UNREACHABLE,
      availableServices: states.HEALTHY + states.WARNING,
      healthRate: total === 0 ? 0 : (states.HEALTHY / total) * 100,
      averageResponseTime: this.responseCount === 0 ? null : this.responseSum / this.responseCount,
      totalFailures: this.failures,
      totalReconnections: this.reconnections,
    };
  }
}

/** The metrics of these services' snapshots. */
export function collectFleetMetrics(services: Iterable<ServiceSnapshot>): FleetMetrics {
  const tally = new FleetMetricsTally();
  for (const service of services) {
    const { totalFailures, totalReconnectAttempts, lastResponseTime } = service.metadata;
    tally.count({ state: service.state, available: service.available, totalFailures, totalReconnectAttempts, lastResponseTime });
  }
  return tally.metrics();
}
