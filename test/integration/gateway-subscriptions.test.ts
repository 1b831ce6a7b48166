// Resource subscriptions through the gateway, to servers of both eras: a 2025-era server gets
// `resources/subscribe`, a 2026-07-28 server a notification stream whose filter names the URI; and when
// the server is killed mid-subscription and comes back, the gateway subscribes its new connection
// again, so an update still reaches the client.

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import { eventually, modernStdioServer, stdioServer } from '../fixtures/test-servers.js';
import { PATIENT_MS, startHttpGatewayFleet, textOf, until, type HttpGatewayFleet } from '../support/gateway-fleet.js';

let fleet: HttpGatewayFleet | null = null;

async function startFleet(services: Record<string, TransportConfig>): Promise<string> {
  fleet = await startHttpGatewayFleet(services);
  return fleet.url;
}

/** A 2025-era client (its session's standalone stream carries the updates), noting each update. */
async function connect(url: string): Promise<Client & { updates: string[] }> {
  const client = new Client({ name: 'subscriber', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
  const updates: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updates.push(notification.params.uri);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  fleet?.track(client);
  return Object.assign(client, { updates });
}

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

    const before = fleet?.supervisor.getServiceInfo('docs');
    const pid = before?.diagnostics?.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await eventually(
      () => {
        const after = fleet?.supervisor.getServiceInfo('docs');
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
