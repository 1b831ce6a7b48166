// The MCP actors against real stdio servers, one behaviour of the test server at a time, invoked as the
// statechart invokes them (promise actors to completion, the watcher under a parent machine).

import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ConnectionLostError, NotConnectedError, OperationTimeoutError } from '../../src/actors/errors.js';
import type { ConnectionLayer } from '../../src/supervisor/connection-layer.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

const BASE_TOOLS = ['echo', 'add', 'sleep', 'forget_sessions', 'exit'];

let harness = new ActorHarness({ closeTimeoutMs: 1_000, listToolsTimeoutMs: 2_000 });
let connections = harness.connections;

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness({ closeTimeoutMs: 1_000, listToolsTimeoutMs: 2_000 });
  connections = harness.connections;
  await eventually(() => descendantsOf().length === 0, 2_000, 'every server process is gone');
});

const connect = (transport: Parameters<ActorHarness['connect']>[0]) => harness.connect(transport);
const watch = (connectionId: string) => harness.watch(connectionId);
const ping = (connectionId: string, timeoutMs: number) => harness.ping(connectionId, timeoutMs);

it('McpConnections is the ConnectionLayer the supervisor takes', () => {
  const layer: ConnectionLayer = connections;
  expect(Object.keys(layer.actors).sort()).toEqual(['connect', 'disconnect', 'listTools', 'ping', 'watchConnection']);
});

describe('a normal server', () => {
  it('connects, initializes and lists its tools', async () => {
    const output = await connect(stdioServer());
    expect(output.serverInfo).toEqual({ name: 'mcp-test-server', version: '1.0.0' });
    expect(output.tools.map((tool) => tool.name)).toEqual(BASE_TOOLS);
    expect(output.tools[0]).toMatchObject({ name: 'echo', description: 'Returns its text.', inputSchema: { type: 'object' } });
  });

  it('answers ping, and calls tools with progress', async () => {
    const { connectionId } = await connect(stdioServer());
    await ping(connectionId, 1_000);
    const progress: number[] = [];
    const result = await connections.callTool('svc', 'sleep', { ms: 60, steps: 3 }, {
      timeoutMs: 2_000,
      onProgress: (update) => progress.push(update.progress),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'slept 60 ms' }]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('keeps at most one live connection per service: a new connect closes the previous process', async () => {
    const first = await connect(stdioServer());
    const firstPid = connections.connection('svc')?.pid;
    const second = await connect(stdioServer());
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(descendantsOf().map((entry) => entry.pid)).not.toContain(firstPid);
    await expect(ping(first.connectionId, 500)).rejects.toBeInstanceOf(NotConnectedError);
    await ping(second.connectionId, 1_000);
  });

  it('closes what an aborted connect had opened', async () => {
    connections.register('svc', stdioServer());
    const actor = createActor(connections.actors.connect, {
      input: { serviceKey: 'svc', serviceName: 'svc', agentId: null, attempt: 0, timeoutMs: 5_000, priority: 'normal', closeTimeoutMs: 1_000 },
    }).start();
    await eventually(() => descendantsOf().length > 0, 2_000, 'the server was spawned');
    actor.stop();
    await eventually(() => descendantsOf().length === 0, 2_000, 'the aborted connect closed its server');
    expect(connections.connection('svc')).toBeNull();
  });
});

describe('crash', () => {
  it('reports CONNECTION_LOST within 250 ms of the server exiting, with its exit code', async () => {
    const { connectionId } = await connect(stdioServer(['--crash-after', '150']));
    const watcher = watch(connectionId);
    const lost = await watcher.next('CONNECTION_LOST', 3_000);
    const receivedAt = Date.now();
    expect(lost.type === 'CONNECTION_LOST' && lost.reason).toMatch(/^the server process exited with code 1 \(last stderr: crash-at=\d+\)$/);
    const crashedAt = Number(/crash-at=(\d+)/.exec(lost.type === 'CONNECTION_LOST' ? lost.reason : '')?.[1]);
    expect(receivedAt - crashedAt).toBeLessThan(250);
    expect(watcher.events).toHaveLength(1);
  });

  it('rejects a tool call in flight with ConnectionLostError, not a hang', async () => {
    await connect(stdioServer());
    const started = performance.now();
    const error = await connections.callTool('svc', 'exit', { code: 3 }, { timeoutMs: 5_000 }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toBe('connection lost: the server process exited with code 3 (last stderr: fixture: exiting mid-call)');
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('reports a loss that happened before the watcher started, at once', async () => {
    const { connectionId } = await connect(stdioServer());
    await connections.callTool('svc', 'exit', {}, { timeoutMs: 5_000 }).catch(() => undefined);
    const lost = await watch(connectionId).next('CONNECTION_LOST', 500);
    expect(lost).toMatchObject({ type: 'CONNECTION_LOST', reason: expect.stringContaining('exited with code 3') as string });
  });

  it('a stale watcher does not report a newer connection’s loss', async () => {
    const first = await connect(stdioServer());
    const stale = watch(first.connectionId);
    const second = await connect(stdioServer());
    const current = watch(second.connectionId);
    await connections.callTool('svc', 'exit', {}, { timeoutMs: 5_000 }).catch(() => undefined);
    await current.next('CONNECTION_LOST', 2_000);
    expect(stale.events).toEqual([]);
  });

  it('stopping the watcher removes its handlers', async () => {
    const { connectionId } = await connect(stdioServer());
    const received: string[] = [];
    const unwatch = connections.watch('svc', connectionId, (event) => received.push(event.type));
    unwatch();
    await connections.callTool('svc', 'exit', {}, { timeoutMs: 5_000 }).catch(() => undefined);
    await eventually(() => connections.connection('svc')?.lost !== null, 1_000, 'the loss is known');
    expect(received).toEqual([]);
  });
});

describe('ping behaviours', () => {
  it('rejects on timeout when the server never answers', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'hang']));
    const started = performance.now();
    await expect(ping(connectionId, 200)).rejects.toBeInstanceOf(OperationTimeoutError);
    expect(performance.now() - started).toBeLessThan(600);
  });

  it('resolves after the delay of a slow server', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'delay:200']));
    const started = performance.now();
    await ping(connectionId, 2_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('resolves when the server answers -32601 (method not found): it is alive', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'unsupported']));
    await expect(ping(connectionId, 1_000)).resolves.toBeUndefined();
  });
});

describe('tools', () => {
  it('reports TOOLS_CHANGED, and listTools returns the new list', async () => {
    const { connectionId, tools } = await connect(stdioServer(['--tools-change-every', '100']));
    expect(tools.map((tool) => tool.name)).toEqual(BASE_TOOLS);
    const watcher = watch(connectionId);
    await watcher.next('TOOLS_CHANGED', 2_000);
    const listed = await harness.listTools(connectionId);
    expect(listed.map((tool) => tool.name)).toEqual([...BASE_TOOLS, expect.stringMatching(/^dynamic_\d+$/) as string]);
  });

  it('follows nextCursor pages to list every tool', async () => {
    const { connectionId, tools } = await connect(stdioServer(['--tools', '25', '--page-size', '4']));
    const expected = [...BASE_TOOLS, ...Array.from({ length: 25 }, (_, index) => `tool_${String(index + 1).padStart(3, '0')}`)];
    expect(tools.map((tool) => tool.name)).toEqual(expected);
    const listed = await harness.listTools(connectionId);
    expect(listed.map((tool) => tool.name)).toEqual(expected);
  });
});

describe('garbage on stdout', () => {
  it('is skipped: the connection keeps working', async () => {
    const { connectionId } = await connect(stdioServer(['--garbage']));
    for (let round = 0; round < 5; round += 1) {
      await ping(connectionId, 1_000);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await connections.callTool('svc', 'add', { a: 2, b: 3 }, { timeoutMs: 1_000 });
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(connections.connection('svc')?.lost).toBeNull();
  });
});

describe('disconnect', () => {
  it('closes the connection and its process', async () => {
    const { connectionId } = await connect(stdioServer());
    const started = performance.now();
    await harness.disconnect(connectionId, { timeoutMs: 2_000 });
    // The server leaves as soon as its stdin closes: no signal needed.
    expect(performance.now() - started).toBeLessThan(500);
    expect(descendantsOf()).toEqual([]);
    expect(connections.connection('svc')).toBeNull();
  });

  it('resolves when the connection is already gone, and is a no-op for null', async () => {
    const { connectionId } = await connect(stdioServer());
    await connections.callTool('svc', 'exit', {}, { timeoutMs: 5_000 }).catch(() => undefined);
    await harness.disconnect(connectionId);
    await harness.disconnect(connectionId);
    await harness.disconnect(null);
  });
});
