// Resource subscriptions through the gateway, to servers of both eras: a 2025-era server gets
// `resources/subscribe`, a 2026-07-28 server a notification stream whose filter names the URI; and when
// the server is killed mid-subscription and comes back, the gateway subscribes its new connection
// again, so an update still reaches the client.

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import { createGateway, type Gateway } from '../../src/gateway/gateway.js';
import { createGatewayHttpHandler } from '../../src/gateway/http-handler.js';
import { listenGateway, type GatewayListener } from '../../src/gateway/http-listener.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, modernStdioServer, stdioServer } from '../fixtures/test-servers.js';

const PATIENT_MS = 15_000;
const QUICK: Partial<LifecycleConfig> = {
  healthCheckInterval: 5_000,
  startupWaitTime: 0,
  pingTimeout: 5_000,
  reconnectBaseDelay: 100,
  reconnectMaxDelay: 400,
  maxReconnectAttempts: 50,
  jitter: 0,
};

let supervisor: Supervisor | null = null;
let gateway: Gateway | null = null;
let listener: GatewayListener | null = null;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await listener?.close();
  listener = null;
  await gateway?.close();
  gateway = null;
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

async function startFleet(services: Record<string, TransportConfig>): Promise<string> {
  supervisor = new Supervisor({ services: Object.entries(services).map(([name, transport]) => ({ name, transport, lifecycle: QUICK })) });
  const started = supervisor.start();
  await Promise.all(started.listServices().map((service) => started.waitForService(service.key, { timeoutMs: PATIENT_MS })));
  gateway = createGateway(supervisor, { listChangedDelayMs: 20 });
  listener = await listenGateway(createGatewayHttpHandler(gateway), { host: '127.0.0.1', port: 0 });
  return listener.url;
}

/** A 2025-era client (its session's standalone stream carries the updates), noting each update. */
async function connect(url: string): Promise<Client & { updates: string[] }> {
  const client = new Client({ name: 'subscriber', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  const updates: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updates.push(notification.params.uri);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(client);
  return Object.assign(client, { updates });
}

/** Polls an asynchronous condition (requests to the gateway) until it holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + PATIENT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${PATIENT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const textOf = (result: { content?: unknown }) => ((result.content as { text?: string }[] | undefined) ?? []).map((part) => part.text ?? '').join('');

const SERVERS: Record<'legacy' | 'modern', TransportConfig> = {
  legacy: stdioServer(['--catalogue', '--subscribable']),
  modern: modernStdioServer(['--catalogue']),
};

describe.each(['legacy', 'modern'] as const)('a %s server', (era) => {
  it('sends a subscribed resource’s updates to the client, and again after it was killed and came back', async () => {
    const url = await startFleet({ docs: SERVERS[era], other: stdioServer() });
    const client = await connect(url);
    await until(async () => (await client.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');
    await client.subscribeResource({ uri: 'test://greeting' });
    expect(textOf(await client.callTool({ name: 'docs__touch', arguments: {} }))).toContain('test://greeting');
    await eventually(() => client.updates.length === 1, PATIENT_MS, 'the update reached the client');

    const before = supervisor?.getServiceInfo('docs');
    const pid = before?.diagnostics?.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await eventually(
      () => {
        const after = supervisor?.getServiceInfo('docs');
        return after?.available === true && after.diagnostics?.pid !== pid;
      },
      PATIENT_MS,
      'the server is back, in a new process',
    );
    await until(async () => {
      await client.callTool({ name: 'docs__touch', arguments: {} });
      return client.updates.length >= 2;
    }, 'an update after the restart reached the client');
    expect(new Set(client.updates)).toEqual(new Set(['test://greeting']));
  });
});
