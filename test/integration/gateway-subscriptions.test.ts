// Resource subscriptions through the gateway, to servers of both eras: a 2025-era server gets
// `resources/subscribe`, a 2026-07-28 server a notification stream whose filter names the URI; and when
// the server is killed mid-subscription and comes back, the gateway subscribes its new connection
// again, so an update still reaches the client.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import type { Gateway } from '../../src/gateway/gateway.js';
import { descendantsOf, eventually, modernStdioServer, stdioServer, TEST_SERVER } from '../fixtures/test-servers.js';
import { REPO_ROOT } from '../support/cli-process.js';
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

/** A 2026-07-28 client over HTTP: it subscribes through `subscriptions/listen`, and notes each update. */
async function connectModern(url: string): Promise<Client & { updates: string[] }> {
  const client = new Client({ name: 'listener', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  const updates: string[] = [];
  client.setNotificationHandler('notifications/resources/updated', (notification) => {
    updates.push(notification.params.uri);
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  expect(client.getProtocolEra()).toBe('modern');
  fleet?.track(client);
  return Object.assign(client, { updates });
}

/** The URIs the 2025-era test server holds subscriptions to, as its `touch` tool says (touching each). */
async function subscribedAtServer(client: Client): Promise<string[]> {
  const text = textOf(await client.callTool({ name: 'docs__touch', arguments: {} }));
  return text.replace(/^touched\s*/, '').split(' ').filter((uri) => uri !== '');
}

/** Counts the listen streams whose subscriptions the gateway let go of (it still does all it did). */
function countReleases(gateway: Gateway | undefined): { count: number } {
  const releases = { count: 0 };
  if (!gateway) return releases;
  const hold = gateway.holdSubscriptions.bind(gateway);
  gateway.holdSubscriptions = (uris, options) => {
    const release = hold(uris, options);
    let released = false;
    return () => {
      release();
      if (!released) releases.count += 1;
      released = true;
    };
  };
  return releases;
}

describe('a 2026-07-28 client’s subscriptions/listen over HTTP', () => {
  it.each(['legacy', 'modern'] as const)('subscribes a %s server to the URIs of its filter, so that updates reach the stream, again after the server was killed and came back', async (era) => {
    const url = await startFleet({ docs: SERVERS[era], other: stdioServer() });
    const client = await connectModern(url);
    await until(async () => (await client.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');
    const listen = await client.listen({ resourceSubscriptions: ['test://greeting'] });
    expect(listen.honoredFilter.resourceSubscriptions).toEqual(['test://greeting']);
    await until(async () => {
      await client.callTool({ name: 'docs__touch', arguments: {} });
      return client.updates.length >= 1;
    }, 'an update reached the listen stream');

    const pid = fleet?.supervisor.getServiceInfo('docs')?.diagnostics?.pid;
    expect(pid).toBeTypeOf('number');
    const seen = client.updates.length;
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
      return client.updates.length > seen;
    }, 'an update after the restart reached the listen stream');
    expect(new Set(client.updates)).toEqual(new Set(['test://greeting']));
    await listen.close();
  });

  it('keeps the server subscribed while a 2025-era session or a listen stream still holds the URI, and unsubscribes it when the last one goes', async () => {
    const url = await startFleet({ docs: SERVERS.legacy, other: stdioServer() });
    const modern = await connectModern(url);
    const legacy = await connect(url);
    await until(async () => (await modern.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');

    // A listen stream, then a 2025-era session: the session letting go leaves the stream's subscription.
    const first = await modern.listen({ resourceSubscriptions: ['test://greeting'] });
    await until(async () => (await subscribedAtServer(modern)).includes('test://greeting'), 'the server is subscribed for the listen stream');
    await legacy.subscribeResource({ uri: 'test://greeting' });
    await legacy.unsubscribeResource({ uri: 'test://greeting' });
    expect(await subscribedAtServer(modern)).toEqual(['test://greeting']);
    await first.close();
    await until(async () => (await subscribedAtServer(modern)).length === 0, 'the server is unsubscribed when the stream ends');

    // A 2025-era session, then a listen stream: the stream ending leaves the session's subscription.
    const releases = countReleases(fleet?.gateway);
    await legacy.subscribeResource({ uri: 'test://greeting' });
    const second = await modern.listen({ resourceSubscriptions: ['test://greeting'] });
    await second.close();
    await eventually(() => releases.count === 1, PATIENT_MS, 'the gateway let go of the second stream’s subscriptions');
    expect(await subscribedAtServer(modern)).toEqual(['test://greeting']);
    await legacy.unsubscribeResource({ uri: 'test://greeting' });
    expect(await subscribedAtServer(modern)).toEqual([]);
  });

  it('unsubscribes the server when a 2025-era session that held the URI closes without unsubscribing', async () => {
    const url = await startFleet({ docs: SERVERS.legacy, other: stdioServer() });
    const legacy = new Client({ name: 'subscriber', version: '1.0.0' }, { versionNegotiation: { mode: 'legacy' } });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await legacy.connect(transport);
    const modern = await connectModern(url);
    await until(async () => (await legacy.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');
    await legacy.subscribeResource({ uri: 'test://greeting' });
    expect(await subscribedAtServer(modern)).toEqual(['test://greeting']);
    // Ends the session at the gateway (a DELETE), as a client that is done should.
    await transport.terminateSession();
    await legacy.close();
    await until(async () => (await subscribedAtServer(modern)).length === 0, 'the server is unsubscribed when the session ends');
  });

  it('tells a stream that asked for the fleet status when the fleet changes', async () => {
    const url = await startFleet({ docs: SERVERS.legacy, other: stdioServer() });
    const client = await connectModern(url);
    const listen = await client.listen({ resourceSubscriptions: ['mcp-supervisor://fleet'] });
    const pid = fleet?.supervisor.getServiceInfo('other')?.diagnostics?.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid as number, 'SIGKILL');
    await eventually(() => client.updates.includes('mcp-supervisor://fleet'), PATIENT_MS, 'a fleet status update reached the stream');
    await listen.close();
  });

  it('subscribes nothing for URIs the client may not see or no service owns, and at most 100 URIs of one stream', async () => {
    fleet = await startHttpGatewayFleet(
      { docs: SERVERS.legacy, hidden: stdioServer(['--catalogue', '--subscribable']) },
      { gateway: { expose: { hidden: { prefix: null, tools: { allow: null, deny: [] }, resources: false, prompts: true } } } },
    );
    const client = await connectModern(fleet.url);
    await until(async () => (await client.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');
    const many = Array.from({ length: 150 }, (_, index) => `test://greeting/n${index}`);
    const listen = await client.listen({ resourceSubscriptions: [...many, 'test://nobody-has-this'] });
    await until(async () => (await subscribedAtServer(client)).length === 100, 'the first 100 URIs are subscribed');
    expect(new Set(await subscribedAtServer(client))).toEqual(new Set(many.slice(0, 100)));
    const hidden = textOf(await client.callTool({ name: 'hidden__touch', arguments: {} }));
    expect(hidden.trim()).toBe('touched');
    await listen.close();
    await until(async () => (await subscribedAtServer(client)).length === 0, 'the server is unsubscribed when the stream ends');
  });
});

describe('a 2026-07-28 client’s subscriptions/listen over stdio (mcp-supervisor serve)', () => {
  it('subscribes the server while the stream lasts, so that updates reach it, again after the server was killed and came back', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-listen-'));
    const pidFile = path.join(dir, 'pid.json');
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      `services:\n  docs:\n    command: ${process.execPath}\n    args: [${TEST_SERVER}, --catalogue, --subscribable, --pid-file, ${pidFile}]\n` +
        `  other:\n    command: ${process.execPath}\n    args: [${TEST_SERVER}]\n` +
        'defaults:\n  startup_wait_time: 0s\n  reconnect_base_delay: 100ms\n  reconnect_max_delay: 400ms\n  jitter: 0\n',
    );
    const client = new Client({ name: 'stdio-listener', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    const updates: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      updates.push(notification.params.uri);
    });
    const args = ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), 'serve', file, '--no-watch'];
    await client.connect(new StdioClientTransport({ command: process.execPath, args, cwd: REPO_ROOT, stderr: 'ignore' }));
    try {
      expect(client.getProtocolEra()).toBe('modern');
      await until(async () => (await client.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resource is listed');
      const listen = await client.listen({ resourceSubscriptions: ['test://greeting'] });
      await until(async () => (await subscribedAtServer(client)).includes('test://greeting'), 'the server is subscribed');
      await eventually(() => updates.length >= 1, PATIENT_MS, 'an update reached the listen stream');

      const pid = (JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid;
      process.kill(pid, 'SIGKILL');
      const seen = updates.length;
      await until(async () => {
        const back = await client.callTool({ name: 'docs__touch', arguments: {} }).catch(() => null);
        return back !== null && back.isError !== true && updates.length > seen;
      }, 'an update after the restart reached the listen stream');
      expect(new Set(updates)).toEqual(new Set(['test://greeting']));

      await listen.close();
      await until(async () => (await subscribedAtServer(client)).length === 0, 'the server is unsubscribed when the stream ends');
    } finally {
      await client.close();
      // The gateway stops its fleet and exits when its client closes stdin.
      await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'the gateway and its servers are gone');
    }
  });
});
