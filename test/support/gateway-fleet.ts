// A fleet of real test servers behind a gateway served over Streamable HTTP on 127.0.0.1, for the
// gateway's integration tests: started with quick reconnects, and torn down after each test (clients,
// listener, gateway, supervisor), waiting until no server process is left.

import type { Client } from '@modelcontextprotocol/client';
import { afterEach } from 'vitest';
import { McpConnections } from '../../src/actors/connection-registry.js';
import type { TransportConfig } from '../../src/config/transport.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { createGatewayHttpHandler } from '../../src/gateway/http-handler.js';
import { listenGateway, type GatewayListener } from '../../src/gateway/http-listener.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually } from '../fixtures/test-servers.js';

/** Budgets far above what a loaded machine needs, so only a broken behaviour can exhaust them. */
export const PATIENT_MS = 15_000;

/** Quick reconnects; a ping timeout far above a loaded machine's round trip. */
export const QUICK_LIFECYCLE: Partial<LifecycleConfig> = {
  healthCheckInterval: 5_000,
  startupWaitTime: 0,
  pingTimeout: 5_000,
  reconnectBaseDelay: 100,
  reconnectMaxDelay: 400,
  maxReconnectAttempts: 50,
  jitter: 0,
};

export interface HttpGatewayFleet {
  supervisor: Supervisor;
  gateway: Gateway;
  /** The gateway's `/mcp` URL. */
  url: string;
  /** Closed after the test. */
  track<C extends Client>(client: C): C;
}

let current: { supervisor: Supervisor; gateway: Gateway | null; listener: GatewayListener | null; clients: Client[] } | null = null;

afterEach(async () => {
  const fleet = current;
  current = null;
  if (!fleet) return;
  await Promise.all(fleet.clients.map((client) => client.close().catch(() => undefined)));
  await fleet.listener?.close();
  await fleet.gateway?.close();
  await fleet.supervisor.stop();
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

/**
 * Starts `services` (all HEALTHY before it resolves) behind a gateway over HTTP. `relayServerRequests`
 * makes the supervisor's connections offer their servers sampling, elicitation and roots.
 */
export async function startHttpGatewayFleet(
  services: Record<string, TransportConfig>,
  options: { gateway?: GatewayOptions; relayServerRequests?: boolean } = {},
): Promise<HttpGatewayFleet> {
  const supervisor = new Supervisor(
    { services: Object.entries(services).map(([name, transport]) => ({ name, transport, lifecycle: QUICK_LIFECYCLE })) },
    options.relayServerRequests ? { connections: new McpConnections({ relayServerRequests: true }) } : {},
  );
  const fleet: NonNullable<typeof current> = { supervisor, gateway: null, listener: null, clients: [] };
  current = fleet;
  supervisor.start();
  await Promise.all(supervisor.listServices().map((service) => supervisor.waitForService(service.key, { timeoutMs: PATIENT_MS })));
  const gateway = createGateway(supervisor, { listChangedDelayMs: 20, ...options.gateway });
  fleet.gateway = gateway;
  const listener = await listenGateway(createGatewayHttpHandler(gateway), { host: '127.0.0.1', port: 0 });
  fleet.listener = listener;
  return {
    supervisor,
    gateway,
    url: listener.url,
    track: (client) => {
      fleet.clients.push(client);
      return client;
    },
  };
}

/** The text of a tool result's content. */
export const textOf = (result: { content?: unknown }) => ((result.content as { text?: string }[] | undefined) ?? []).map((part) => part.text ?? '').join('');

/** Polls an asynchronous condition (requests to the gateway) until it holds. */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + PATIENT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${PATIENT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
