// The in-memory MCP layer of mcp-supervisor/testing: each scripted fault does what it says, against
// the product's own connection code, in both protocol eras.

import { describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { ConnectionLostError, ConnectionRefusedError, OperationTimeoutError } from '../../src/actors/errors.js';
import type { ConnectInput } from '../../src/machines/service-io.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { tool } from '../../src/testing/service-script.js';
import { flush, inMemoryLayer, startService } from '../support/service-harness.js';

const SECOND = 1000;
const ERAS = [
  ['legacy', '2025-11-25'],
  ['modern', '2026-07-28'],
] as const;

const connectInput = (serviceKey: string, timeoutMs = 30 * SECOND): ConnectInput => ({
  serviceKey,
  serviceName: serviceKey,
  agentId: null,
  attempt: 0,
  timeoutMs,
  priority: 'normal',
  closeTimeoutMs: SECOND,
});

/** A layer with one registered service, and a way to run its connect actor alone. */
function layerWithService(transport: Parameters<ReturnType<typeof inMemoryLayer>['register']>[1] = { type: 'stdio', command: 'node', args: [], env: {} }) {
  const clock = new VirtualClock(1_000_000);
  const layer = inMemoryLayer(clock);
  layer.register('svc', transport);
  const connect = () => {
    const actor = createActor(layer.actors.connect, { input: connectInput('svc') });
    const output = toPromise(actor);
    output.catch(() => undefined);
    actor.start();
    return { actor, output };
  };
  return { clock, layer, connect };
}

describe.each(ERAS)('the in-memory layer, %s era', (era, version) => {
  const withEra = { setup: (io: ReturnType<typeof inMemoryLayer>) => (io.defaults.era = era) };

  it(`connects through the real negotiation: ${version}, the server's info and every page of its tools`, async () => {
    const tools = Array.from({ length: 250 }, (_, index) => tool(`tool_${index}`));
    const h = await startService({ setup: (io) => Object.assign(io.defaults, { era, tools, pageSize: 100, serverInfo: { name: 'weather', version: '2.1.0' } }) });
    expect(h.state).toBe('HEALTHY');
    expect(h.actor.getSnapshot().context.connection).toMatchObject({ id: 'svc#1', serverInfo: { name: 'weather', version: '2.1.0' }, protocol: { era, version } });
    expect(h.actor.getSnapshot().context.tools.list.map((t) => t.name)).toEqual(tools.map((t) => t.name));
  });

  it('probes with the era’s request, timed on the layer’s clock, and counts each probe and watcher', async () => {
    const h = await startService({ ...withEra, config: { pingTimeout: 20 * SECOND } });
    h.io.defaults.ping = { respondAfterMs: 1500 };
    await h.advance(2 * SECOND + 1499);
    expect(h.io.calls.ping).toEqual([expect.objectContaining({ serviceKey: 'svc', connectionId: 'svc#1', timeoutMs: 20 * SECOND, outcome: 'pending' })]);
    await h.advance(1);
    expect(h.io.calls.ping[0]?.outcome).toBe('answered');
    expect(h.actor.getSnapshot().context.health.lastResponseTime).toBe(1500);
    expect(h.io.activeWatchers).toBe(1);
    expect(h.io.maxConcurrentPings).toBe(1);
  });

  it('fail: a probe answered with a JSON-RPC error carrying the script’s failure', async () => {
    const h = await startService(withEra);
    h.io.defaults.ping = 'fail';
    h.io.defaults.failure = 'the disk is full';
    await h.advance(2 * SECOND);
    expect(h.actor.getSnapshot().context.errorMessage).toBe('ping failed: the disk is full (JSON-RPC error -32603)');
    expect(h.io.calls.ping[0]?.outcome).toBe('failed');
  });

  it('methodNotFound: a probe answered with -32601, which the real code counts as alive', async () => {
    const h = await startService(withEra);
    h.io.defaults.ping = 'methodNotFound';
    await h.advance(2 * SECOND);
    expect(h.io.calls.ping[0]?.outcome).toBe('answered');
    expect(h.actor.getSnapshot().context.health.consecutiveSuccesses).toBe(1);
  });

  it('hang: a probe is never answered; it ends with the connection', async () => {
    const h = await startService(withEra);
    h.io.defaults.ping = 'hang';
    await h.advance(2 * SECOND + 3 * SECOND);
    expect(h.actor.getSnapshot().context.errorMessage).toBe('ping timed out after 3000 ms');
    expect(h.io.calls.ping[0]?.outcome).toBe('pending');
    await h.io.closeAll();
    await flush();
    expect(h.io.calls.ping[0]?.outcome).toBe('failed');
  });

  it('loseConnection: the server dies, and the real code reports the loss with that reason', async () => {
    const h = await startService(withEra);
    h.io.defaults.connect = 'hang';
    h.io.loseConnection('process exited with code 137');
    await flush();
    expect(h.state).toBe('RECONNECTING');
    expect(h.actor.getSnapshot().context.disconnectReason).toBe('process exited with code 137');
    expect(h.io.activeWatchers).toBe(0);
  });

  it('toolsChanged: the server sends tools/list_changed, and the statechart lists the new tools', async () => {
    const h = await startService(withEra);
    h.io.defaults.tools = [tool('forecast')];
    h.io.toolsChanged();
    await h.advance(2 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    expect(h.actor.getSnapshot().context.tools.list.map((t) => t.name)).toEqual(['forecast']);
  });

  it('listTools: the refreshes follow their own script, not the connect’s', async () => {
    const h = await startService(withEra);
    h.io.defaults.listTools = 'fail';
    h.io.toolsChanged();
    await h.advance(2 * SECOND);
    expect(h.io.calls.listTools).toHaveLength(1);
    expect(h.state).toBe('HEALTHY');
    h.send({ type: 'RESTART' });
    await flush();
    expect(h.state).toBe('HEALTHY');
  });

  it('tool calls: answered with a text naming the service, tool and arguments; counted by passive health', async () => {
    const h = await startService(withEra);
    const result = await h.io.callTool('svc', 'echo', { text: 'hi' }, { timeoutMs: SECOND });
    expect(result.content).toEqual([{ type: 'text', text: 'svc:echo:{"text":"hi"}' }]);
    await h.advance(2 * SECOND);
    expect(h.io.calls.ping).toHaveLength(0);
    expect(h.actor.getSnapshot().context.health.consecutiveSuccesses).toBe(1);
  });

  it('tool calls: hang until the caller aborts', async () => {
    const h = await startService(withEra);
    h.io.defaults.call = 'hang';
    const controller = new AbortController();
    const call = h.io.callTool('svc', 'echo', {}, { timeoutMs: 60 * SECOND, signal: controller.signal });
    await h.advance(30 * SECOND);
    controller.abort(new Error('the caller gave up'));
    await expect(call).rejects.toThrow('the caller gave up');
  });

  it('tool calls: timeOut fails at the transport level (the SDK’s timeout), which passive health counts', async () => {
    const h = await startService(withEra);
    h.io.defaults.call = 'timeOut';
    await expect(h.io.callTool('svc', 'slow', {}, { timeoutMs: 5 * SECOND })).rejects.toBeInstanceOf(OperationTimeoutError);
    await flush();
    expect(h.actor.getSnapshot().context.errorMessage).toBe('tools/call slow timed out after 5000 ms');
  });

  it('tool calls: drop kills the server mid-call; the call rejects with the loss and the service reconnects', async () => {
    const h = await startService(withEra);
    h.io.defaults.call = 'drop';
    await expect(h.io.callTool('svc', 'echo', {}, { timeoutMs: 5 * SECOND })).rejects.toBeInstanceOf(ConnectionLostError);
    await flush();
    expect(h.path).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING', 'HEALTHY']);
  });

  it('tool calls: respondAfterMs answers on the layer’s clock', async () => {
    const h = await startService(withEra);
    h.io.defaults.call = { respondAfterMs: 4 * SECOND };
    let answered = false;
    const call = h.io.callTool('svc', 'echo', {}, { timeoutMs: 60 * SECOND }).then(() => (answered = true));
    await h.advance(4 * SECOND - 1);
    expect(answered).toBe(false);
    await h.advance(1);
    await call;
  });
});

describe('the in-memory layer: connects', () => {
  it('fail: refused with ECONNREFUSED, which the real code words for the service’s transport', async () => {
    const { layer, connect } = layerWithService({ type: 'streamable-http', url: 'http://127.0.0.1:7/mcp', headers: {}, sseFallback: false });
    layer.defaults.connect = 'fail';
    const error = await connect().output.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionRefusedError);
    expect((error as Error).message).toBe('connection refused at http://127.0.0.1:7/mcp');
    expect(layer.openConnections()).toBe(0);
  });

  it('respondAfterMs: the connect is answered after that long on the layer’s clock', async () => {
    const { clock, layer, connect } = layerWithService();
    layer.defaults.connect = { respondAfterMs: 100 };
    let done = false;
    const { output } = connect();
    void output.then(() => (done = true));
    await clock.advance(99);
    expect(done).toBe(false);
    await clock.advance(1);
    expect(await output).toMatchObject({ connectionId: 'svc#1' });
  });

  it('hang: the connect waits until aborted, and leaves no connection open', async () => {
    const { clock, layer, connect } = layerWithService();
    layer.defaults.connect = 'hang';
    const { actor } = connect();
    await clock.advance(60 * SECOND);
    expect(layer.openConnections()).toBe(1);
    // What the statechart does at its connect_timeout: the actor is stopped, its signal aborted.
    actor.stop();
    await flush();
    expect(layer.openConnections()).toBe(0);
  });

  it('fail: a modern server is refused the same way (before any era probe is sent)', async () => {
    const { layer, connect } = layerWithService();
    layer.defaults.era = 'modern';
    layer.defaults.connect = 'fail';
    await expect(connect().output).rejects.toThrow('connect failed: connection refused');
  });
});

describe('the in-memory layer: closes and crashes', () => {
  it('disconnect hang: the close never finishes until the layer ends the connection (closeAll)', async () => {
    const h = await startService({ config: { disconnectTimeout: 4 * SECOND } });
    h.io.defaults.disconnect = 'hang';
    h.send({ type: 'STOP' });
    await h.advance(4 * SECOND);
    expect(h.state).toBe('DISCONNECTED');
    expect(h.io.openConnections()).toBe(1);
    await h.io.closeAll();
    expect(h.io.openConnections()).toBe(0);
    expect(h.io.closeAllCalls).toBe(1);
  });

  it('crashWatcher once: the connection actor throws as it starts, once', async () => {
    const h = await startService({ setup: (io) => (io.script('svc').crashWatcher = 'once') });
    expect(h.actor.getSnapshot().status).toBe('error');
    expect(h.io.script('svc').crashWatcher).toBe(false);
  });

  it('records each invocation with its input and signal, and the registrations', async () => {
    const h = await startService();
    h.send({ type: 'STOP' });
    await flush();
    expect(h.io.calls.connect).toEqual([expect.objectContaining({ input: expect.objectContaining({ serviceKey: 'svc', attempt: 0 }) as unknown, at: 1_700_000_000_000 })]);
    expect(h.io.calls.disconnect[0]?.input).toMatchObject({ connectionId: 'svc#1' });
    expect([...h.io.registered.keys()]).toEqual(['svc']);
    await h.io.unregister('svc');
    expect(h.io.unregistered).toEqual(['svc']);
  });
});
