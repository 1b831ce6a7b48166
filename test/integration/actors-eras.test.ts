// Both generations of the protocol through the MCP actors: a legacy-only server (SDK v1, revisions up to
// 2025-11-25) and a modern one (SDK v2, revision 2026-07-28, stateless over HTTP), over stdio and
// Streamable HTTP. Each connect negotiates the era; the health probe is the era's own request.

import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLostError } from '../../src/actors/errors.js';
import type { TransportConfig } from '../../src/config/transport.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import {
  descendantsOf,
  eventually,
  modernStdioServer,
  startHttpServer,
  stdioServer,
  stopHttpServers,
  type HttpServer,
  type ServerEra,
} from '../fixtures/test-servers.js';

/** Budgets far above what a loaded machine needs, so only a broken behaviour can exhaust them. */
const PATIENT_MS = 10_000;
const REVISION: Record<ServerEra, string> = { legacy: '2025-11-25', modern: '2026-07-28' };

let harness = new ActorHarness({ closeTimeoutMs: 1_000 });

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness({ closeTimeoutMs: 1_000 });
  await stopHttpServers();
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

const streamable = (url: string): TransportConfig => ({ type: 'streamable-http', url, headers: {}, sseFallback: false });

/** The server of a case, and how to kill it as a crash would (SIGKILL). */
interface Started {
  transport: TransportConfig;
  kill(): Promise<void>;
  http: HttpServer | null;
}

async function start(era: ServerEra, over: 'stdio' | 'http', flags: string[] = []): Promise<Started> {
  if (over === 'http') {
    const http = await startHttpServer(flags, { era });
    return { transport: streamable(http.url), kill: () => http.kill(), http };
  }
  return {
    transport: era === 'modern' ? modernStdioServer(flags) : stdioServer(flags),
    http: null,
    kill: () => {
      const pid = harness.connections.diagnostics('svc')?.pid;
      if (!pid) throw new Error('no stdio server to kill');
      process.kill(pid, 'SIGKILL');
      return Promise.resolve();
    },
  };
}

describe.each([
  { era: 'legacy', over: 'stdio' },
  { era: 'modern', over: 'stdio' },
  { era: 'legacy', over: 'http' },
  { era: 'modern', over: 'http' },
] as const)('a $era server over $over', ({ era, over }) => {
  it(`connects in the ${era} era and lists its tools`, async () => {
    const { transport } = await start(era, over);
    const output = await harness.connect(transport);
    expect(output.protocol).toEqual({ era, version: REVISION[era] });
    expect(output.serverInfo?.name).toBe(era === 'modern' ? 'modern-test-server' : 'mcp-test-server');
    expect(output.tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add', 'sleep', 'exit']));
  });

  it('answers the health probe, and calls tools', async () => {
    const { transport } = await start(era, over);
    const { connectionId } = await harness.connect(transport);
    for (let round = 0; round < 3; round += 1) await harness.ping(connectionId, PATIENT_MS);
    const result = await harness.connections.callTool('svc', 'add', { a: 40, b: 2 }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
  });

  it('reports TOOLS_CHANGED', async () => {
    const { transport } = await start(era, over, ['--tools-change-every', '100']);
    const { connectionId } = await harness.connect(transport);
    await harness.watch(connectionId).next('TOOLS_CHANGED', PATIENT_MS);
    expect((await harness.listTools(connectionId)).map((tool) => tool.name)).toContainEqual(expect.stringMatching(/^dynamic_\d+$/));
  });

  it('reports CONNECTION_LOST when the server is killed (SIGKILL), and rejects the next probe with ConnectionLostError', async () => {
    const server = await start(era, over);
    const { connectionId } = await harness.connect(server.transport);
    const watcher = harness.watch(connectionId);
    await server.kill();
    // Over HTTP with nothing in flight, the loss may be found by the probe itself.
    const probe = harness.ping(connectionId, PATIENT_MS).catch((failure: unknown) => failure);
    await watcher.next('CONNECTION_LOST', PATIENT_MS);
    const lost = await probe;
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect(lost).toMatchObject({ service: 'svc' });
  });
});

describe('the health probe on the wire (stdio)', () => {
  /** The methods of the requests the server received, in order. */
  const requests = (stderr: readonly string[]) => stderr.flatMap((line) => /^request=(.+)$/.exec(line)?.[1] ?? []);
  const logged = () => requests(harness.connections.diagnostics('svc')?.stderrTail ?? []);
  /** The server logs each request on stderr, a pipe apart from its replies: wait until `count` have arrived. */
  const requestsLogged = async (count: number) => {
    await eventually(() => logged().filter((method) => method !== 'subscriptions/listen').length >= count, PATIENT_MS, `${count} requests logged`);
    return logged();
  };

  it('is `ping` on a legacy server, and never a second `initialize`', async () => {
    const { connectionId } = await harness.connect(stdioServer(['--log-requests']));
    for (let round = 0; round < 3; round += 1) await harness.ping(connectionId, PATIENT_MS);
    const received = await requestsLogged(6);
    expect(received).toEqual(['server/discover', 'initialize', 'tools/list', 'ping', 'ping', 'ping']);
  });

  it('is not preceded by the era probe on a reconnect, once a connect found the server legacy-only; new settings probe again', async () => {
    const transport = stdioServer(['--log-requests']);
    const first = await harness.connect(transport);
    expect(await requestsLogged(3)).toEqual(['server/discover', 'initialize', 'tools/list']);
    await harness.disconnect(first.connectionId);

    const second = await harness.connect(transport);
    expect(second.protocol).toEqual({ era: 'legacy', version: '2025-11-25' });
    await harness.ping(second.connectionId, PATIENT_MS);
    expect(await requestsLogged(3)).toEqual(['initialize', 'tools/list', 'ping']);
    await harness.disconnect(second.connectionId);

    await harness.connect({ ...transport });
    expect(await requestsLogged(3)).toEqual(['server/discover', 'initialize', 'tools/list']);
  });

  it('is `ping` on a modern server told `protocol: legacy`, which is sent no probe but the 2025 handshake', async () => {
    const output = await harness.connect({ ...modernStdioServer(['--log-requests']), protocol: 'legacy' });
    expect(output.protocol).toEqual({ era: 'legacy', version: '2025-11-25' });
    await harness.ping(output.connectionId, PATIENT_MS);
    expect(await requestsLogged(3)).toEqual(['initialize', 'tools/list', 'ping']);
  });

  it('is `server/discover` on a modern server, which is never sent `initialize`', async () => {
    const { connectionId } = await harness.connect(modernStdioServer(['--log-requests']));
    for (let round = 0; round < 3; round += 1) await harness.ping(connectionId, PATIENT_MS);
    const received = (await requestsLogged(5)).filter((method) => method !== 'subscriptions/listen');
    expect(received).toEqual([
      'server/discover',
      'tools/list',
      'server/discover',
      'server/discover',
      'server/discover',
    ]);
  });
});

describe('a server without tools', () => {
  it('connects with none, and nothing is written to stdout', async () => {
    const debug = vi.spyOn(console, 'debug');
    try {
      const output = await harness.connect(modernStdioServer(['--no-tools']));
      expect(output.tools).toEqual([]);
      expect(await harness.listTools(output.connectionId)).toEqual([]);
      expect(debug).not.toHaveBeenCalled();
    } finally {
      debug.mockRestore();
    }
  });
});

describe('legacy stdio servers that do not answer the era probe', () => {
  it('a server that ignores requests before `initialize` is connected in the legacy era once the probe times out', async () => {
    // The probe gets a third of the connect's budget; the handshake and tools/list the rest.
    const output = await harness.connect(stdioServer(['--early-requests', 'ignore']), { timeoutMs: 6_000 });
    expect(output.protocol.era).toBe('legacy');
    await harness.ping(output.connectionId, PATIENT_MS);
  });

  it('a server that exits on a request before `initialize` is started again and given the legacy handshake', async () => {
    const output = await harness.connect(stdioServer(['--early-requests', 'exit']));
    expect(output.protocol.era).toBe('legacy');
    await harness.ping(output.connectionId, PATIENT_MS);
    const result = await harness.connections.callTool('svc', 'echo', { text: 'second life' }, { timeoutMs: PATIENT_MS });
    expect(result.content).toEqual([{ type: 'text', text: 'second life' }]);
  });
});

describe('a modern stateless HTTP server', () => {
  it('has no session to lose: one probe failing at the transport level is CONNECTION_LOST, not a ping failure', async () => {
    // The server refuses the notification stream, so nothing but a request can find it gone.
    const server = await startHttpServer(['--refuse-listen'], { era: 'modern' });
    const { connectionId } = await harness.connect(streamable(server.url));
    const watcher = harness.watch(connectionId);
    await harness.ping(connectionId, PATIENT_MS);
    await server.kill();
    const error = await harness.ping(connectionId, PATIENT_MS).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(await watcher.next('CONNECTION_LOST', PATIENT_MS)).toEqual({ type: 'CONNECTION_LOST', reason: `connection refused at ${server.url}` });
  });

  it('that never acknowledges the notification stream is connected without one', async () => {
    const server = await startHttpServer(['--silent-listen'], { era: 'modern' });
    const output = await harness.connect(streamable(server.url), { timeoutMs: 12_000 });
    expect(output.protocol.era).toBe('modern');
    expect(output.tools.map((tool) => tool.name)).toContain('echo');
    await harness.ping(output.connectionId, PATIENT_MS);
  });

  it('killed and restarted on the same port, is reached again by a fresh connect', async () => {
    const first = await startHttpServer([], { era: 'modern' });
    const before = await harness.connect(streamable(first.url));
    const watcher = harness.watch(before.connectionId);
    await first.kill();
    await watcher.next('CONNECTION_LOST', PATIENT_MS);
    const restarted = await startHttpServer([], { era: 'modern', port: first.port });
    const after = await harness.connect(streamable(restarted.url));
    expect(after.protocol.era).toBe('modern');
    await harness.ping(after.connectionId, PATIENT_MS);
  });

  it('rejects a tool call in flight with ConnectionLostError when the server dies, not at its timeout', async () => {
    const server = await startHttpServer([], { era: 'modern' });
    await harness.connect(streamable(server.url));
    // Neither the tool (30 s) nor the call's timeout (15 s) ends first: only the loss can settle it in time.
    const call = harness.connections.callTool('svc', 'sleep', { ms: 30_000 }, { timeoutMs: 15_000 }).catch((failure: unknown) => failure);
    await eventually(() => server.stderr().includes('sleep-started='), PATIENT_MS, 'the call reached the server');
    await server.kill();
    const lost = await call;
    expect(lost).toBeInstanceOf(ConnectionLostError);
    expect(lost).toMatchObject({ service: 'svc' });
  });
});

describe('the negotiated era in the snapshot and getServiceInfo', () => {
  it('names the era and revision of each service', async () => {
    const supervisor = new Supervisor({
      services: [
        { name: 'old', transport: stdioServer() },
        { name: 'new', transport: modernStdioServer() },
      ],
    }).start();
    try {
      await supervisor.waitForService('old', { timeoutMs: PATIENT_MS });
      await supervisor.waitForService('new', { timeoutMs: PATIENT_MS });
      expect(supervisor.getServiceInfo('old').metadata).toMatchObject({ protocolEra: 'legacy', protocolVersion: REVISION.legacy });
      expect(supervisor.getServiceInfo('new').metadata).toMatchObject({ protocolEra: 'modern', protocolVersion: REVISION.modern });
      const listed = supervisor.listServices().map((service) => [service.name, service.metadata.protocolEra]);
      expect(listed.sort()).toEqual([['new', 'modern'], ['old', 'legacy']]);
    } finally {
      await supervisor.stop();
    }
  });
});

describe('the demo fleet (examples/servers), SDK v2 servers', () => {
  const demo = (name: string, args: string[] = []): TransportConfig => ({
    type: 'stdio',
    command: process.execPath,
    args: [fileURLToPath(new URL(`../../examples/servers/${name}.mjs`, import.meta.url)), ...args],
    env: {},
  });

  it.each(['steady', 'slow', 'flaky'])('%s connects in the modern era', async (name) => {
    const output = await harness.connect(demo(name));
    expect(output.protocol).toEqual({ era: 'modern', version: '2026-07-28' });
    expect(output.serverInfo?.name).toBe(name);
  });

  it('slow answers its health probe late (its tier is `warning` with the defaults)', async () => {
    const { connectionId } = await harness.connect(demo('slow', ['--min-ping-ms', '300', '--max-ping-ms', '300']));
    const started = performance.now();
    await harness.ping(connectionId, PATIENT_MS);
    // A lower bound only (a slower machine only adds to it).
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });
});
