// The gateway's Prometheus metrics, beside the fleet's in the same registry: its open client sessions
// and the requests its clients made, by method and outcome. The method label is bounded: a method the
// protocol does not define counts as `other`, whatever a client sent.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { GatewayRequestOutcome } from '../gateway/observed-server.js';

/** The requests an MCP client sends a server, in both protocol generations; anything else is `other`. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'initialize',
  'ping',
  'tools/list',
  'tools/call',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'resources/subscribe',
  'resources/unsubscribe',
  'prompts/list',
  'prompts/get',
  'completion/complete',
  'logging/setLevel',
  'subscriptions/listen',
  'server/discover',
  'tasks/get',
  'tasks/result',
  'tasks/list',
  'tasks/cancel',
]);

export const OTHER_METHOD = 'other';

export interface GatewayMetricsOptions {
  registry: Registry;
  /** Open sessions per transport (`stdio`, `http`), read at each scrape. */
  sessions: () => Readonly<Record<string, number>>;
}

export class GatewayMetrics {
  private readonly requests: Counter<'method' | 'outcome'>;

  constructor(options: GatewayMetricsOptions) {
    const registers = [options.registry];
    new Gauge({
      name: 'mcp_supervisor_gateway_sessions',
      help: 'Client sessions the gateway serves now (stdio, 2025-era Streamable HTTP sessions; a 2026-07-28 HTTP client is stateless and holds none)',
      labelNames: ['transport'],
      registers,
      collect() {
        for (const [transport, count] of Object.entries(options.sessions())) this.set({ transport }, count);
      },
    });
    this.requests = new Counter({
      name: 'mcp_supervisor_gateway_requests_total',
      help: 'Requests the gateway answered, by method (`other` for one the protocol does not define) and outcome',
      labelNames: ['method', 'outcome'],
      registers,
    });
  }

  /** The observer to give the gateway (`onRequest`). */
  readonly recordRequest = (method: string, outcome: GatewayRequestOutcome): void => {
    this.requests.inc({ method: KNOWN_METHODS.has(method) ? method : OTHER_METHOD, outcome });
  };
}
