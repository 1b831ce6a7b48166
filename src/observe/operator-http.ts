// The operators' listener wired to a supervisor: its metrics on `/metrics`, the event-loop watch on
// `/healthz`, the readiness policy on `/readyz` (not ready once the supervisor is stopping), and the web
// dashboard at `/` when a supervisor is given for it (read-only without a token).

import type { HttpSettings } from '../config/model.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import { EventLoopWatch, type EventLoopWatchOptions } from './event-loop-watch.js';
import { OperatorListener } from './operator-listener.js';
import { readinessOf } from './readiness.js';
import type { SupervisorMetrics } from './supervisor-metrics.js';
import { mountDashboard, type DashboardFleet } from '../web/dashboard.js';

/** What {@link startOperatorHttp} serves: the listener's settings, the fleet, its metrics and its critical services. */
export interface OperatorHttpOptions {
  settings: HttpSettings;
  fleet: { listServices(): ServiceSnapshot[] };
  metrics: SupervisorMetrics;
  /** The keys of the services marked `critical` now (a reload may change them). */
  critical: () => ReadonlySet<string>;
  eventLoop?: EventLoopWatchOptions;
  /** The supervisor the web dashboard shows and acts on; none: no dashboard. */
  dashboard?: DashboardFleet;
}

/** The running operators' endpoints of one supervisor. */
export interface OperatorHttp {
  listener: OperatorListener;
  /** From now on `/readyz` says not ready: the supervisor is stopping. */
  draining(): void;
  close(): Promise<void>;
}

/**
 * Starts the operators' listener for a supervisor: its metrics on `/metrics`, an event-loop watch on
 * `/healthz`, the readiness policy on `/readyz`. Rejects with OperatorListenerError when it cannot listen.
 */
export async function startOperatorHttp(options: OperatorHttpOptions): Promise<OperatorHttp> {
  const watch = new EventLoopWatch(options.eventLoop);
  let stopping = false;
  try {
    const listener = await OperatorListener.start({
      listen: options.settings.listen,
      token: options.settings.token,
      metrics: options.metrics.registry,
      liveness: watch,
      readiness: () =>
        stopping
          ? { ready: false, waitingFor: [] }
          : readinessOf(options.settings.readiness, options.fleet.listServices(), options.critical()),
    });
    const dashboard = options.dashboard ? mountDashboard(listener, options.dashboard, { readOnly: (options.settings.token ?? null) === null }) : null;
    return {
      listener,
      draining: () => {
        stopping = true;
      },
      close: async () => {
        watch.stop();
        dashboard?.close();
        await listener.close();
      },
    };
  } catch (error) {
    watch.stop();
    throw error;
  }
}

/** The keys of a config's services marked `critical`. */
export function criticalServices(services: readonly { key: string; critical?: boolean }[]): ReadonlySet<string> {
  return new Set(services.filter((service) => service.critical === true).map((service) => service.key));
}
