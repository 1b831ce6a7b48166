// The gateway in front of real fixture servers of both generations, with real SDK clients: the
// catalogue follows the lifecycle (list_changed when a backend dies and when it is back), calls wait out
// a reconnect, a crash mid-call is a clear error, progress and cancellation cross the gateway, names stay
// within 64 characters, resources and prompts route to their service, agent scopes and lazy mode.

import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, InMemoryTransport, ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { McpConnections } from '../../src/actors/connection-registry.js';
import type { TransportConfig } from '../../src/config/transport.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, modernStdioServer, stdioServer } from '../fixtures/test-servers.js';
import { QUICK_LIFECYCLE as QUICK } from '../support/gateway-fleet.js';

const PATIENT_MS = 15_000;

let supervisor: Supervisor | null = null;
let gateway: Gateway | null = null;
const clients: Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await gateway?.close();
  gateway = null;
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

type Services = Record<string, TransportConfig | { transport: TransportConfig; agentId?: string }>;

async function startFleet(services: Services, options: GatewayOptions = {}): Promise<Gateway> {
  supervisor = new Supervisor(
    {
    services: Object.entries(services).map(([name, entry]) => {
      const { transport, agentId } = 'transport' in entry ? entry : { transport: entry, agentId: undefined };
      return { name, agentId, transport, lifecycle: QUICK };
    }),
    },
    { connections: new McpConnections({ relayServerRequests: true }) },
  );
  const started = supervisor.start();
  await Promise.all(started.listServices().map((service) => started.waitForService(service.key, { timeoutMs: PATIENT_MS })));
  gateway = createGateway(supervisor, { listChangedDelayMs: 20, ...options });
  return gateway;
}

/** A v2 client on an in-memory pair (the 2025-era handshake, as most clients make it today). */
async function connectClient(on: Gateway, session: { agent?: string } = {}): Promise<Client & { listChanged: () => number }> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await on.connect(serverSide, session);
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  let changes = 0;
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    changes += 1;
  });
  await client.connect(clientSide);
  clients.push(client);
  return Object.assign(client, { listChanged: () => changes });
}

const names = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);
const textOf = (result: { content?: unknown }) => ((result.content as { text?: string }[] | undefined) ?? []).map((part) => part.text ?? '').join('');

function pidFile(tag: string): string {
  return path.join(tmpdir(), `gateway-test-${process.pid}-${tag}-${Math.random().toString(36).slice(2)}.json`);
}

/** Polls an asynchronous condition (a request to the gateway) until it holds. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = performance.now() + PATIENT_MS;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`not within ${PATIENT_MS} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const serverPid = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;

describe('the catalogue', () => {
  it('lists every available service’s tools as <service>__<tool>, services in order, every field as the server gave it', async () => {
    const on = await startFleet({ zeta: modernStdioServer(), alpha: stdioServer() });
    const client = await connectClient(on);
    const { tools } = await client.listTools();
    const listed = tools.map((tool) => tool.name);
    expect(listed.slice(0, 4)).toEqual(['alpha__echo', 'alpha__add', 'alpha__sleep', 'alpha__forget_sessions']);
    expect(listed).toContain('zeta__echo');
    expect(listed.indexOf('zeta__echo')).toBeGreaterThan(listed.indexOf('alpha__exit'));
    const direct = supervisor?.getServiceInfo('alpha').tools.find((tool) => tool.name === 'add');
    expect(tools.find((tool) => tool.name === 'alpha__add')).toEqual({ ...direct, name: 'alpha__add' });
    expect(textOf(await client.callTool({ name: 'zeta__echo', arguments: { text: 'modern' } }))).toBe('modern');
    expect(textOf(await client.callTool({ name: 'alpha__add', arguments: { a: 2, b: 3 } }))).toBe('5');
  });

  it('names a one-service fleet’s tools as the server does (namespace none)', async () => {
    const client = await connectClient(await startFleet({ only: stdioServer() }));
    expect(await names(client)).toEqual(['echo', 'add', 'sleep', 'forget_sessions', 'exit']);
  });

  it('keeps every name within 64 characters, by a stable shortening that still routes the call', async () => {
    const long = 'a-service-whose-name-alone-takes-up-most-of-the-sixty-four';
    const client = await connectClient(await startFleet({ [long]: stdioServer(), other: stdioServer() }));
    const listed = await names(client);
    for (const name of listed) expect(name.length).toBeLessThanOrEqual(64);
    const echo = listed.find((name) => name.startsWith(long.slice(0, 40)) && name !== `${long}__echo` && /_[0-9a-f]{8}$/.test(name));
    expect(echo).toBeDefined();
    const again = await connectClient(gateway as Gateway);
    expect(await names(again)).toEqual(listed);
    // The first shortened name is the service's `sleep` (its own order: echo, add, sleep, …; `<service>__echo`
    // and `__add` fit). Calling every tool at once raced its `exit` tool, which ends the server.
    expect(textOf(await client.callTool({ name: echo as string, arguments: { ms: 1 } }))).toBe('slept 1 ms');
  });

  it('shows only the tools `expose` allows, under the prefix it gives', async () => {
    const client = await connectClient(
      await startFleet(
        { legacy: stdioServer(), modern: modernStdioServer() },
        { expose: { legacy: { prefix: 'old', tools: { allow: ['e*', 'add'], deny: ['exit'] }, resources: true, prompts: true } } },
      ),
    );
    const listed = await names(client);
    expect(listed.filter((name) => name.startsWith('old__'))).toEqual(['old__echo', 'old__add']);
    await expect(client.callTool({ name: 'old__exit', arguments: {} })).rejects.toThrow(ProtocolError);
  });

  it('routes resources, resource templates and prompts to their service, and serves the fleet status', async () => {
    const client = await connectClient(await startFleet({ docs: stdioServer(['--catalogue']), plain: stdioServer() }));
    await until(async () => (await client.listResources()).resources.some((resource) => resource.uri === 'test://greeting'), 'the resources are listed');
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toEqual(['mcp-supervisor://fleet', 'test://greeting']);
    expect((await client.readResource({ uri: 'test://greeting' })).contents).toEqual([{ uri: 'test://greeting', mimeType: 'text/plain', text: 'hello' }]);
    expect((await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate)).toEqual(['test://greeting/{name}']);
    expect((await client.readResource({ uri: 'test://greeting/ada' })).contents[0]).toMatchObject({ text: 'hello ada' });
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['docs__greet']);
    const prompt = await client.getPrompt({ name: 'docs__greet', arguments: { name: 'Ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Say hello to Ada.' });
    await expect(client.readResource({ uri: 'test://nowhere' })).rejects.toThrow(/not found/i);
    const fleet = JSON.parse(textOf({ content: (await client.readResource({ uri: 'mcp-supervisor://fleet' })).contents })) as { services: { service: string; state: string; toolCount: number }[] };
    expect(fleet.services.map(({ service, state, toolCount }) => ({ service, state, toolCount }))).toEqual([
      { service: 'docs', state: 'HEALTHY', toolCount: 5 },
      { service: 'plain', state: 'HEALTHY', toolCount: 5 },
    ]);
  });

  it('shows a client with an agent scope the global services and that agent’s only', async () => {
    const on = await startFleet({ shared: stdioServer(), mine: { transport: stdioServer(), agentId: 'alice' }, theirs: { transport: stdioServer(), agentId: 'bob' } });
    const alice = await connectClient(on, { agent: 'alice' });
    const prefixes = (listed: string[]) => [...new Set(listed.map((name) => name.split('__')[0]))];
    expect(prefixes(await names(alice))).toEqual(['alice.mine', 'shared']);
    await expect(alice.callTool({ name: 'bob.theirs__echo', arguments: { text: 'x' } })).rejects.toThrow(ProtocolError);
    const everyone = await connectClient(on);
    expect(prefixes(await names(everyone))).toEqual(['alice.mine', 'bob.theirs', 'shared']);
  });
});

describe('the lifecycle', () => {
  it('withdraws a killed backend’s tools (list_changed), makes a call wait out the reconnect, and brings them back (list_changed again)', async () => {
    const file = pidFile('killed');
    // Each connect takes at least 1.5 s: the reconnect is long enough to call into.
    const on = await startFleet({ flaky: stdioServer(['--pid-file', file, '--start-delay', '1500']), steady: stdioServer() });
    const client = await connectClient(on);
    expect(await names(client)).toContain('flaky__echo');
    process.kill(serverPid(file), 'SIGKILL');
    await eventually(() => client.listChanged() >= 1, PATIENT_MS, 'a list_changed after the kill');
    await eventually(() => supervisor?.getServiceInfo('flaky').state === 'RECONNECTING', PATIENT_MS, 'the service reconnects');
    const during = await names(client);
    expect(during.some((name) => name.startsWith('flaky__'))).toBe(false);
    expect(during).toContain('steady__echo');
    const changesBefore = client.listChanged();
    const result = await client.callTool({ name: 'flaky__echo', arguments: { text: 'waited' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('waited');
    await eventually(() => client.listChanged() > changesBefore, PATIENT_MS, 'a list_changed once it is back');
    expect(await names(client)).toContain('flaky__echo');
  });

  it('answers a call to an UNREACHABLE service at once, naming the service, its state and its next retry', async () => {
    const on = await startFleet({ steady: stdioServer() }, { namespace: 'prefix' });
    supervisor?.addService({ name: 'gone', transport: { type: 'stdio', command: '/nonexistent/mcp-server', args: [], env: {} }, lifecycle: { ...QUICK, maxReconnectAttempts: 1, unreachableBaseDelay: 600_000 } });
    await eventually(() => supervisor?.getServiceInfo('gone').state === 'UNREACHABLE', PATIENT_MS, 'the service gives up reconnecting');
    const client = await connectClient(on);
    const result = await client.callTool({ name: 'gone__anything', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^service 'gone' is UNREACHABLE .*; next retry at \d{4}-\d\d-\d\dT[\d:.]+Z \(in \d+ s\); the call was not made\. The fleet's status is at mcp-supervisor:\/\/fleet\.$/);
  });

  it('ends a call whose backend dies mid-call with a clear error, not a hang', async () => {
    const client = await connectClient(await startFleet({ doomed: stdioServer(), other: stdioServer() }));
    const result = await client.callTool({ name: 'doomed__exit', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^the call to 'exit' on service 'doomed' failed: .*(connection|exited|closed).*It was not retried\.$/s);
  });
});

describe('request-scoped traffic', () => {
  it('relays the backend’s progress to the client that called', async () => {
    const client = await connectClient(await startFleet({ worker: stdioServer(), other: stdioServer() }));
    const seen: { progress: number; total?: number }[] = [];
    const result = await client.callTool({ name: 'worker__sleep', arguments: { ms: 300, steps: 3 } }, { onprogress: (progress) => seen.push(progress) });
    expect(textOf(result)).toBe('slept 300 ms');
    expect(seen.map(({ progress, total }) => ({ progress, total }))).toEqual([1, 2, 3].map((progress) => ({ progress, total: 3 })));
  });

  it('cancels the backend’s request when the client cancels its call', async () => {
    const client = await connectClient(await startFleet({ worker: stdioServer(), other: stdioServer() }));
    const stderr = () => supervisor?.getServiceInfo('worker').diagnostics?.stderrTail.join('\n') ?? '';
    const controller = new AbortController();
    const call = client.callTool({ name: 'worker__sleep', arguments: { ms: 60_000 } }, { signal: controller.signal });
    await eventually(() => stderr().includes('sleep-started=60000'), PATIENT_MS, 'the call reached the server');
    controller.abort(new Error('changed my mind'));
    await expect(call).rejects.toThrow('changed my mind');
    await eventually(() => stderr().includes('sleep-cancelled=60000'), PATIENT_MS, 'the server saw the cancellation');
  });

  it('ends a call whose server goes quiet for longer than the call timeout, says so, and cancels it on the server', async () => {
    const client = await connectClient(await startFleet({ worker: stdioServer(), other: stdioServer() }, { callTimeoutMs: 1_000 }));
    const stderr = () => supervisor?.getServiceInfo('worker').diagnostics?.stderrTail.join('\n') ?? '';
    const result = await client.callTool({ name: 'worker__sleep', arguments: { ms: 60_000 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe("the call to 'sleep' on service 'worker' timed out: its server sent no result or progress for 1 s. It was not retried.");
    await eventually(() => stderr().includes('sleep-cancelled=60000'), PATIENT_MS, 'the server saw the cancellation');
  });

  it('lets a call that keeps reporting progress run past the call timeout, whether or not its client asked for progress', async () => {
    const client = await connectClient(await startFleet({ worker: stdioServer(), other: stdioServer() }, { callTimeoutMs: 2_000 }));
    // Progress every 200 ms for 4 s.
    expect(textOf(await client.callTool({ name: 'worker__sleep', arguments: { ms: 4_000, steps: 19 } }))).toBe('slept 4000 ms');
  });
});

describe('server-to-client requests', () => {
  it('relays sampling and elicitation to the client whose call asked, and to no other', async () => {
    const on = await startFleet({ asker: stdioServer(['--asks']), other: stdioServer() });
    const asked: string[] = [];
    const answering = async (who: string) => {
      const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
      await on.connect(serverSide);
      const client = new Client({ name: who, version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: { form: {} } } });
      client.setRequestHandler('sampling/createMessage', (request) => {
        asked.push(`${who} sampling: ${JSON.stringify(request.params.messages[0]?.content)}`);
        return { role: 'assistant', content: { type: 'text', text: `${who}'s model` }, model: 'test-model' };
      });
      client.setRequestHandler('elicitation/create', (request) => {
        asked.push(`${who} elicitation: ${request.params.message}`);
        return { action: 'accept', content: { name: who } };
      });
      await client.connect(clientSide);
      clients.push(client);
      return client;
    };
    const alice = await answering('alice');
    const bob = await answering('bob');
    expect(textOf(await alice.callTool({ name: 'asker__ask_model', arguments: { prompt: 'hello?' } }))).toBe("model said: alice's model");
    expect(textOf(await bob.callTool({ name: 'asker__ask_user', arguments: { question: 'your name?' } }))).toBe('user accept: {"name":"bob"}');
    expect(asked).toEqual(['alice sampling: {"type":"text","text":"hello?"}', 'bob elicitation: your name?']);
  });

  it('answers the server with an error when the calling client did not offer the capability', async () => {
    const client = await connectClient(await startFleet({ asker: stdioServer(['--asks']), other: stdioServer() }));
    const result = await client.callTool({ name: 'asker__ask_model', arguments: { prompt: 'anyone?' } }).catch((error: unknown) => error);
    const text = result instanceof Error ? result.message : textOf(result as { content?: unknown });
    expect(text).toMatch(/sampling\/createMessage: no client of the gateway that offers it has a call to 'asker' running/);
  });
});

describe('a client\'s roots', () => {
  it('tells each 2025-era server the client can see that its roots changed', async () => {
    await startFleet({ one: stdioServer(['--log-notifications']), two: stdioServer(['--log-notifications']) });
    if (!gateway) throw new Error('no gateway');
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gateway.connect(serverSide);
    const client = new Client({ name: 'roots-test', version: '1.0.0' }, { capabilities: { roots: { listChanged: true } } });
    await client.connect(clientSide);
    clients.push(client);
    const told = (service: string) => supervisor?.getServiceInfo(service).diagnostics?.stderrTail.includes('notification=notifications/roots/list_changed') ?? false;
    expect(told('one') || told('two')).toBe(false);
    await client.sendRootsListChanged();
    await eventually(() => told('one') && told('two'), PATIENT_MS, 'both servers were told');
  });
});

describe('lazy mode', () => {
  it('lists three meta-tools that search, describe and call the fleet’s tools', async () => {
    const client = await connectClient(await startFleet({ legacy: stdioServer(), modern: modernStdioServer() }, { mode: 'lazy' }));
    expect(await names(client)).toEqual(['search_tools', 'describe_tool', 'call_tool']);
    const found = await client.callTool({ name: 'search_tools', arguments: { query: 'adds numbers' } });
    const tools = (found.structuredContent as { tools: { name: string }[] }).tools.map((tool) => tool.name);
    expect(tools.slice(0, 2).sort()).toEqual(['legacy__add', 'modern__add']);
    const described = JSON.parse(textOf(await client.callTool({ name: 'describe_tool', arguments: { name: 'legacy__add' } }))) as { name: string; inputSchema: unknown };
    expect(described.name).toBe('legacy__add');
    expect(described.inputSchema).toEqual(supervisor?.getServiceInfo('legacy').tools.find((tool) => tool.name === 'add')?.inputSchema);
    expect(textOf(await client.callTool({ name: 'call_tool', arguments: { name: 'modern__add', arguments: { a: 20, b: 22 } } }))).toBe('42');
  });
});
