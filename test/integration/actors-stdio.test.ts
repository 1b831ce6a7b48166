// The MCP actors against real stdio servers, one behaviour of the test server at a time, invoked as the
// statechart invokes them (promise actors to completion, the watcher under a parent machine).

import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ConnectionLostError, NotConnectedError, OperationAbortedError, OperationTimeoutError } from '../../src/actors/errors.js';
import type { ConnectionLayer } from '../../src/supervisor/connection-layer.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

const BASE_TOOLS = ['echo', 'add', 'sleep', 'forget_sessions', 'exit'];
/** Budgets far above what a loaded machine needs, so only a broken behaviour can exhaust them. */
const HARNESS_OPTIONS = { closeTimeoutMs: 5_000, listToolsTimeoutMs: 10_000 };
const PATIENT_MS = 10_000;

let harness = new ActorHarness(HARNESS_OPTIONS);
let connections = harness.connections;

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness(HARNESS_OPTIONS);
  connections = harness.connections;
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

const connect = (transport: Parameters<ActorHarness['connect']>[0]) => harness.connect(transport);
const watch = (connectionId: string) => harness.watch(connectionId);
const ping = (connectionId: string, timeoutMs: number) => harness.ping(connectionId, timeoutMs);

it('McpConnections is the ConnectionLayer the supervisor takes', () => {
  const layer: ConnectionLayer = connections;
  expect(Object.keys(layer.actors).sort()).toEqual(['connect', 'connection', 'disconnect', 'listTools']);
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
    await ping(connectionId, PATIENT_MS);
    const progress: number[] = [];
    const result = await connections.callTool('svc', 'sleep', { ms: 60, steps: 3 }, {
      timeoutMs: PATIENT_MS,
      onProgress: (update) => progress.push(update.progress),
    });
    expect(result.content).toEqual([{ type: 'text', text: 'slept 60 ms' }]);
    expect(progress).toEqual([1, 2, 3]);
  });

  it('reports the start of each server process, with its pid', async () => {
    const started: [string, number | null][] = [];
    const stop = connections.onProcessStarted((service, pid) => started.push([service, pid]));
    await connect(stdioServer());
    const firstPid = connections.connection('svc')?.pid ?? null;
    await connect(stdioServer());
    const secondPid = connections.connection('svc')?.pid ?? null;
    stop();
    expect(started).toEqual([
      ['svc', firstPid],
      ['svc', secondPid],
    ]);
    expect(firstPid).not.toBe(secondPid);
  });

  it('keeps at most one live connection per service: a new connect closes the previous process', async () => {
    const first = await connect(stdioServer());
    const firstPid = connections.connection('svc')?.pid;
    const second = await connect(stdioServer());
    expect(second.connectionId).not.toBe(first.connectionId);
    expect(descendantsOf().map((entry) => entry.pid)).not.toContain(firstPid);
    await expect(ping(first.connectionId, 500)).rejects.toBeInstanceOf(NotConnectedError);
    await ping(second.connectionId, PATIENT_MS);
  });

  it('a newer connect aborts the one in progress: the first rejects and its server process is ended', async () => {
    // The slow server reads nothing for a minute: only the abort can end the first connect before then.
    connections.register('svc', stdioServer(['--start-delay', '60000']));
    let firstOutcome: unknown = null;
    const first = connections.connect('svc', { timeoutMs: 60_000, closeTimeoutMs: 1_000 }).then(
      () => (firstOutcome = 'connected'),
      (error: unknown) => (firstOutcome = error),
    );
    await eventually(() => descendantsOf().length === 1, PATIENT_MS, 'the slow server was spawned');
    const slowPid = descendantsOf()[0]?.pid;
    connections.register('svc', stdioServer());
    const second = await connections.connect('svc', { timeoutMs: PATIENT_MS, closeTimeoutMs: 1_000 });
    await eventually(() => firstOutcome !== null, PATIENT_MS, 'the first connect was aborted');
    await first;
    expect(firstOutcome).toBeInstanceOf(OperationAbortedError);
    await eventually(() => !descendantsOf().some((entry) => entry.pid === slowPid), PATIENT_MS, 'the slow server was ended');
    expect(connections.connection('svc')?.id).toBe(second.connectionId);
    await ping(second.connectionId, PATIENT_MS);
  });

  it('closes what an aborted connect had opened', async () => {
    connections.register('svc', stdioServer());
    const actor = createActor(connections.actors.connect, {
      input: { serviceKey: 'svc', serviceName: 'svc', agentId: null, attempt: 0, timeoutMs: 5_000, priority: 'normal', closeTimeoutMs: 1_000 },
    }).start();
    await eventually(() => descendantsOf().length > 0, PATIENT_MS, 'the server was spawned');
    actor.stop();
    await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'the aborted connect closed its server');
    expect(connections.connection('svc')).toBeNull();
  });
});

describe('crash', () => {
  it('reports CONNECTION_LOST from the exit itself, with its exit code, before a pending ping could time out', async () => {
    // The server never answers ping: only the exit can end the ping before its 15 s timeout.
    const { connectionId } = await connect(stdioServer(['--crash-after', '150', '--ping', 'hang']));
    const watcher = watch(connectionId);
    const pending = harness.ping(connectionId, 15_000).catch((failure: unknown) => failure);
    const lost = await watcher.next('CONNECTION_LOST', PATIENT_MS);
    expect(lost.type === 'CONNECTION_LOST' && lost.reason).toMatch(/^the server process exited with code 1 \(last stderr: crash-at=\d+\)$/);
    expect(await pending).toBeInstanceOf(ConnectionLostError);
    expect(watcher.events).toHaveLength(1);
  });

  it('rejects a tool call in flight with ConnectionLostError, not a hang or a timeout', async () => {
    await connect(stdioServer());
    const error = await connections.callTool('svc', 'exit', { code: 3 }, { timeoutMs: 15_000 }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toBe('connection lost: the server process exited with code 3 (last stderr: fixture: exiting mid-call)');
  });

  it('reports a loss that happened before the watcher started, at once', async () => {
    const { connectionId } = await connect(stdioServer());
    await connections.callTool('svc', 'exit', {}, { timeoutMs: PATIENT_MS }).catch(() => undefined);
    const watcher = watch(connectionId);
    // "At once" is a queued microtask: delivered before the next turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(watcher.events).toMatchObject([{ type: 'CONNECTION_LOST', reason: expect.stringContaining('exited with code 3') as string }]);
  });

  it('a stale watcher does not report a newer connection’s loss', async () => {
    const first = await connect(stdioServer());
    const stale = watch(first.connectionId);
    const second = await connect(stdioServer());
    const current = watch(second.connectionId);
    await connections.callTool('svc', 'exit', {}, { timeoutMs: PATIENT_MS }).catch(() => undefined);
    await current.next('CONNECTION_LOST', PATIENT_MS);
    expect(stale.events).toEqual([]);
  });

  it('stopping the connection actor removes its handlers', async () => {
    const { connectionId } = await connect(stdioServer());
    const watcher = watch(connectionId);
    watcher.stop();
    await connections.callTool('svc', 'exit', {}, { timeoutMs: PATIENT_MS }).catch(() => undefined);
    await eventually(() => connections.connection('svc')?.lost !== null, PATIENT_MS, 'the loss is known');
    expect(watcher.events).toEqual([]);
  });
});

describe('ping behaviours', () => {
  it('rejects with its own timeout when the server never answers', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'hang']));
    const error = await ping(connectionId, 200).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect((error as Error).message).toBe('ping timed out after 200 ms');
  });

  it('waits for the answer of a slow server within its timeout', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'delay:200']));
    const started = performance.now();
    await ping(connectionId, PATIENT_MS);
    // A lower bound only (a slower machine only adds to it): the ping did not settle before the answer.
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('resolves when the server answers -32601 (method not found): it is alive', async () => {
    const { connectionId } = await connect(stdioServer(['--ping', 'unsupported']));
    await expect(ping(connectionId, PATIENT_MS)).resolves.toBeUndefined();
  });
});

describe('tools', () => {
  it('reports TOOLS_CHANGED, and listTools returns the new list', async () => {
    const { connectionId, tools } = await connect(stdioServer(['--tools-change-every', '100']));
    // The server swaps in tool dynamic_<n> every 100 ms from its start, so a slow connect may see one already.
    const generation = (names: string[]) => Number(/^dynamic_(\d+)$/.exec(names.at(-1) ?? '')?.[1] ?? 0);
    const initial = tools.map((tool) => tool.name);
    expect(initial.slice(0, BASE_TOOLS.length)).toEqual(BASE_TOOLS);
    const watcher = watch(connectionId);
    await watcher.next('TOOLS_CHANGED', PATIENT_MS);
    const listed = (await harness.listTools(connectionId)).map((tool) => tool.name);
    expect(listed).toEqual([...BASE_TOOLS, expect.stringMatching(/^dynamic_\d+$/) as string]);
    // The change reported came after the connect's list.
    expect(generation(listed)).toBeGreaterThan(generation(initial));
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
    // Garbage comes every 20 ms; spacing the pings by as much puts garbage lines between them.
    for (let round = 0; round < 5; round += 1) {
      await ping(connectionId, PATIENT_MS);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const result = await connections.callTool('svc', 'add', { a: 2, b: 3 }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: '5' }]);
    expect(connections.connection('svc')?.lost).toBeNull();
  });
});

describe('disconnect', () => {
  it('closes the connection and its process', async () => {
    const { connectionId } = await connect(stdioServer());
    // (That this server needs no signal to leave is actors-hygiene's "needs no signal".)
    await harness.disconnect(connectionId, { timeoutMs: PATIENT_MS });
    expect(descendantsOf()).toEqual([]);
    expect(connections.connection('svc')).toBeNull();
  });

  it('resolves when the connection is already gone, and is a no-op for null', async () => {
    const { connectionId } = await connect(stdioServer());
    await connections.callTool('svc', 'exit', {}, { timeoutMs: PATIENT_MS }).catch(() => undefined);
    await harness.disconnect(connectionId);
    await harness.disconnect(connectionId);
    await harness.disconnect(null);
  });
});
