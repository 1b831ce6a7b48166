// The web dashboard on the operators' listener: the page and its assets at `/` (no token: they hold
// no fleet data), and under `/api` (behind the listener's token) the live stream, a service's detail,
// the statechart's layout and the actions.
//
//   GET  /api/events                     text/event-stream of StreamMessage
//   GET  /api/services/<key>             the service's snapshot, diagnostics, tally and transitions
//   GET  /api/statechart                 the service machine laid out
//   POST /api/services/<key>/<action>    check | reconnect | restart | stop | start

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceTallies, type TalliedSupervisor } from '../observe/service-tallies.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import type { OperatorListener } from '../observe/operator-listener.js';
import { isAction, runAction, type ActionTarget } from './dashboard-actions.js';
import { serveEventStream, type EventStreamOptions } from './event-stream.js';
import { PageAssets } from './page-assets.js';
import { serviceStatechart } from './statechart-layout.js';
import { TransitionHistory } from './transition-history.js';

/** What the dashboard reads and does of a supervisor. */
export type DashboardFleet = Pick<Supervisor, 'services$' | 'transitions$' | 'getServiceInfo'> & TalliedSupervisor & ActionTarget;

export interface DashboardOptions {
  /** No token is configured on the listener: the page may look, not act. */
  readOnly: boolean;
  stream?: EventStreamOptions;
  /** Where the built page is (default dist/web-assets). */
  assetsDir?: string;
  now?: () => number;
}

export interface Dashboard {
  /** Ends the live streams and stops keeping transitions. */
  close(): void;
}

/** Mounts the dashboard at `/` and `/api` of `listener`. */
export function mountDashboard(listener: OperatorListener, fleet: DashboardFleet, options: DashboardOptions): Dashboard {
  const now = options.now ?? Date.now;
  const history = new TransitionHistory(fleet.transitions$);
  const tallies = new ServiceTallies(fleet, { now });
  const assets = new PageAssets(options.assetsDir);
  const streams = new Set<() => void>();

  listener.mount(
    '/',
    (request, response) => {
      const pathname = new URL(request.url ?? '/', 'http://listener').pathname;
      if ((request.method === 'GET' || request.method === 'HEAD') && assets.serve(pathname, response)) return;
      json(response, 404, { error: `no such path: ${pathname}; the dashboard is at /` });
    },
    { tokenFree: true },
  );

  listener.mount('/api', async (request: IncomingMessage, response: ServerResponse) => {
    const segments = new URL(request.url ?? '/', 'http://listener').pathname.split('/').slice(2).map(decodeURIComponent);
    const [resource, key, action] = segments;
    if (request.method === 'GET' && resource === 'events' && segments.length === 1) {
      const stop = serveEventStream(response, { services$: fleet.services$, transitions$: fleet.transitions$, history, tallies, readOnly: options.readOnly, now }, options.stream);
      streams.add(stop);
      response.once('close', () => streams.delete(stop));
      return;
    }
    if (request.method === 'GET' && resource === 'statechart' && segments.length === 1) return json(response, 200, serviceStatechart());
    if (resource === 'services' && key !== undefined && key !== '') {
      if (request.method === 'GET' && segments.length === 2) return serviceDetail(fleet, history, tallies, key, response);
      if (segments.length === 3 && action !== undefined) {
        if (request.method !== 'POST') {
          response.setHeader('Allow', 'POST');
          return json(response, 405, { ok: false, message: `${request.method ?? ''} is not allowed here: an action is a POST` });
        }
        request.resume();
        if (!isAction(action)) return json(response, 404, { ok: false, message: `no action "${action}": use check, reconnect, restart, stop or start` });
        const { status, ...outcome } = await runAction(fleet, key, action, options.readOnly);
        return json(response, status, outcome);
      }
    }
    json(response, 404, { error: 'no such dashboard resource: use /api/events, /api/statechart, /api/services/<key>' });
  });

  return {
    close: () => {
      for (const stop of streams) stop();
      streams.clear();
      history.close();
      tallies.close();
    },
  };
}

function serviceDetail(fleet: DashboardFleet, history: TransitionHistory, tallies: ServiceTallies, key: string, response: ServerResponse) {
  let info;
  try {
    info = fleet.getServiceInfo(key);
  } catch {
    return json(response, 404, { error: `no service "${key}" in this fleet` });
  }
  json(response, 200, { service: info, tally: tallies.get(info.key) ?? null, transitions: history.recent(info.key) });
}

function json(response: ServerResponse, status: number, body: unknown) {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
}
