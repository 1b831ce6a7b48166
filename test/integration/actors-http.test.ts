// The MCP actors against real HTTP servers on 127.0.0.1: Streamable HTTP, legacy SSE, the fallback from
// one to the other, and the ways a session is lost (server killed, restarted, session forgotten).

import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLostError, HttpStatusError } from '../../src/actors/errors.js';
import type { TransportConfig } from '../../src/config/transport.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { eventually, startHttpServer, stopHttpServers } from '../fixtures/test-servers.js';

let harness = new ActorHarness();

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness();
  await stopHttpServers();
});

function streamable(url: string, sseFallback = false): TransportConfig {
  return { type: 'streamable-http', url, headers: { 'x-api-key': 'right-key' }, sseFallback };
}

const connect = (transport: TransportConfig) => harness.connect(transport);
const watch = (connectionId: string) => harness.watch(connectionId);
const ping = (connectionId: string) => harness.ping(connectionId, 10_000);

describe('Streamable HTTP', () => {
  it('connects with the configured headers, pings, lists and calls tools', async () => {
    const server = await startHttpServer(['--require-header', 'x-api-key=right-key', '--tools', '6', '--page-size', '5']);
    const { connectionId, tools } = await connect(streamable(server.url));
    expect(tools).toHaveLength(11);
    await ping(connectionId);
    const result = await harness.connections.callTool('svc', 'echo', { text: 'over http' }, { timeoutMs: 10_000 });
    expect(result.content).toEqual([{ type: 'text', text: 'over http' }]);
  });

  it('reports TOOLS_CHANGED over the event stream', async () => {
    const server = await startHttpServer(['--tools-change-every', '100']);
    const { connectionId } = await connect(streamable(server.url));
    await watch(connectionId).next('TOOLS_CHANGED', 10_000);
  });

  it('reports CONNECTION_LOST when the server is killed, and a restarted server gives a new session', async () => {
    const server = await startHttpServer();
    const first = await connect(streamable(server.url));
    const watcher = watch(first.connectionId);
    await server.kill();
    const lost = await watcher.next('CONNECTION_LOST', 10_000);
    expect(lost.type === 'CONNECTION_LOST' && lost.reason).toMatch(/event stream from http:\/\/127\.0\.0\.1:\d+\/mcp dropped|connection refused/);

    const restarted = await startHttpServer([], { port: server.port });
    const second = await connect(streamable(restarted.url));
    expect(second.connectionId).not.toBe(first.connectionId);
    await ping(second.connectionId);
  });

  it('treats a session the server no longer knows (404) as a lost connection', async () => {
    const server = await startHttpServer();
    const { connectionId } = await connect(streamable(server.url));
    const watcher = watch(connectionId);
    await harness.connections.callTool('svc', 'forget_sessions', {}, { timeoutMs: 10_000 });
    const error = await ping(connectionId).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConnectionLostError);
    const lost = await watcher.next('CONNECTION_LOST', 10_000);
    expect(lost).toEqual({
      type: 'CONNECTION_LOST',
      reason: `the server at ${server.url} no longer knows this session (HTTP 404)`,
    });
  });

  it('rejects a tool call in flight with ConnectionLostError when the server dies, not at its timeout', async () => {
    const server = await startHttpServer();
    await connect(streamable(server.url));
    // Neither the tool (30 s) nor the call's timeout (15 s) ends first: only the loss can settle it in time.
    const call = harness.connections.callTool('svc', 'sleep', { ms: 30_000 }, { timeoutMs: 15_000 }).catch((failure: unknown) => failure);
    await eventually(() => server.stderr().includes('sleep-started='), 10_000, 'the call reached the server');
    await server.kill();
    expect(await call).toBeInstanceOf(ConnectionLostError);
  });

  it('ends the session on disconnect', async () => {
    const server = await startHttpServer();
    const { connectionId } = await connect(streamable(server.url));
    await harness.disconnect(connectionId);
    await eventually(() => server.stderr().includes('session-closed='), 10_000, 'the server saw the session end');
    expect(harness.connections.connection('svc')).toBeNull();
  });
});

describe('SSE', () => {
  it('connects over SSE, and reports CONNECTION_LOST when the server dies', async () => {
    const server = await startHttpServer([], { transport: 'sse' });
    const { connectionId, tools } = await connect({ type: 'sse', url: server.url, headers: {} });
    expect(tools.map((tool) => tool.name)).toContain('echo');
    await ping(connectionId);
    const watcher = watch(connectionId);
    await server.kill();
    const lost = await watcher.next('CONNECTION_LOST', 10_000);
    expect(lost.type === 'CONNECTION_LOST' && lost.reason).toContain('the SSE stream from');
  });

  it('is the fallback when Streamable HTTP answers the initialize with a 4xx (sseFallback)', async () => {
    const server = await startHttpServer([], { transport: 'sse' });
    const { connectionId } = await connect(streamable(server.url, true));
    await ping(connectionId);
    const result = await harness.connections.callTool('svc', 'add', { a: 40, b: 2 }, { timeoutMs: 10_000 });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
  });

  it('is not tried without sseFallback: the 4xx is reported', async () => {
    const server = await startHttpServer([], { transport: 'sse' });
    const error = await connect(streamable(server.url)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toBe(
      `connect failed: HTTP 405 from ${server.url} (if the server only speaks the older SSE transport, set \`transport: sse\`)`,
    );
  });
});
