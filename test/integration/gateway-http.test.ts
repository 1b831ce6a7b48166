// The gateway over Streamable HTTP and over stdio (`mcp-supervisor serve`), with SDK clients of both
// generations (v1, and v2 in the 2025-era handshake and at 2026-07-28): both reach both kinds of backend,
// list_changed reaches each over its own stream, and the HTTP side refuses what it must — a foreign
// Origin or Host, a missing or wrong token, a body over the bound, a non-loopback bind without a token.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { main } from '../../src/cli/program.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { createGatewayHttpHandler } from '../../src/gateway/http-handler.js';
import { listenGateway, type GatewayListener } from '../../src/gateway/http-listener.js';
import type { LifecycleConfig } from '../../src/machines/defaults.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, MODERN_TEST_SERVER, modernStdioServer, stdioServer, TEST_SERVER } from '../fixtures/test-servers.js';
import { REPO_ROOT } from '../support/cli-process.js';

const PATIENT_MS = 15_000;
const TOKEN = 'a-token-of-at-least-16-characters';
const QUICK: Partial<LifecycleConfig> = { startupWaitTime: 0, pingTimeout: 5_000, reconnectBaseDelay: 100, reconnectMaxDelay: 400, maxReconnectAttempts: 50, jitter: 0 };

let supervisor: Supervisor | null = null;
let gateway: Gateway | null = null;
let listener: GatewayListener | null = null;
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
  await listener?.close();
  listener = null;
  await gateway?.close();
  gateway = null;
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every process is gone');
});

async function serveOverHttp(
  options: { authToken?: string; allowedOrigins?: string[]; maxBodyBytes?: number; pidFile?: string; onRequest?: GatewayOptions['onRequest'] } = {},
): Promise<string> {
  supervisor = new Supervisor({
    services: [
      { name: 'legacy', transport: stdioServer(options.pidFile ? ['--pid-file', options.pidFile] : []), lifecycle: QUICK },
      { name: 'modern', transport: modernStdioServer(), lifecycle: QUICK },
    ],
  });
  const started = supervisor.start();
  await Promise.all(['legacy', 'modern'].map((name) => started.waitForService(name, { timeoutMs: PATIENT_MS })));
  gateway = createGateway(supervisor, { listChangedDelayMs: 20, ...(options.onRequest ? { onRequest: options.onRequest } : {}) });
  listener = await listenGateway(createGatewayHttpHandler(gateway, options), { host: '127.0.0.1', port: 0 });
  return listener.url;
}

/** The status of a POST with headers fetch() would not send as given (Host). */
async function statusFor(url: string, headers: Record<string, string>): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
}

const textOf = (result: unknown) => ((result as { content?: { text?: string }[] }).content ?? []).map((part) => part.text ?? '').join('');

/** One v1 client, one v2 client in the 2025-era handshake, one v2 client at 2026-07-28. */
const GENERATIONS = ['v1 (2025-11-25)', 'v2 legacy handshake', 'v2 at 2026-07-28'] as const;
type Generation = (typeof GENERATIONS)[number];

interface AnyClient {
  names(): Promise<string[]>;
  call(name: string, args: Record<string, unknown>): Promise<unknown>;
  listChanged(): number;
}

async function httpClient(generation: Generation, url: string): Promise<AnyClient> {
  let changes = 0;
  if (generation === 'v1 (2025-11-25)') {
    const client = new V1Client({ name: 'v1-client', version: '1.0.0' });
    const { ToolListChangedNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes += 1;
    });
    await client.connect(new V1StreamableHTTPClientTransport(new URL(url)));
    closers.push(() => client.close());
    return {
      names: async () => (await client.listTools()).tools.map((tool) => tool.name),
      call: (name, args) => client.callTool({ name, arguments: args }),
      listChanged: () => changes,
    };
  }
  const client = new Client(
    { name: 'v2-client', version: '1.0.0' },
    generation === 'v2 at 2026-07-28' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  client.setNotificationHandler('notifications/tools/list_changed', () => {
    changes += 1;
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  if (generation === 'v2 at 2026-07-28') {
    expect(client.getProtocolEra()).toBe('modern');
    const subscription = await client.listen({ toolsListChanged: true });
    closers.push(() => subscription.close());
  }
  closers.push(() => client.close());
  return {
    names: async () => (await client.listTools()).tools.map((tool) => tool.name),
    call: (name, args) => client.callTool({ name, arguments: args }),
    listChanged: () => changes,
  };
}


describe('over Streamable HTTP', () => {
  it.each(GENERATIONS)('serves a %s client both generations of backend, and tells it when a backend goes and comes back', async (generation) => {
    const pidFile = path.join(mkdtempSync(path.join(tmpdir(), 'gateway-http-')), 'pid.json');
    const client = await httpClient(generation, await serveOverHttp({ pidFile }));
    const names = await client.names();
    expect(names).toContain('legacy__echo');
    expect(names).toContain('modern__echo');
    expect(textOf(await client.call('legacy__echo', { text: 'to legacy' }))).toBe('to legacy');
    expect(textOf(await client.call('modern__add', { a: 1, b: 2 }))).toBe('3');
    process.kill((JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number }).pid, 'SIGKILL');
    await eventually(() => client.listChanged() >= 2, PATIENT_MS, 'list_changed as the backend leaves and as it returns');
    await eventually(() => supervisor?.getServiceInfo('legacy').state === 'HEALTHY', PATIENT_MS, 'the backend is back');
    expect(textOf(await client.call('legacy__echo', { text: 'again' }))).toBe('again');
  });

  it('refuses a request from a foreign Origin or for a foreign Host, and accepts loopback and allowed origins', async () => {
    const url = await serveOverHttp({ allowedOrigins: ['https://app.example.com'] });
    const initialize = (headers: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
      });
    const foreign = await initialize({ origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('https://evil.example\\" is not allowed');
    expect(await statusFor(url, { host: 'evil.example' })).toBe(403);
    expect(await statusFor(url, { host: 'localhost' })).not.toBe(403);
    expect((await initialize({ origin: 'http://localhost:5173' })).status).toBe(200);
    expect((await initialize({ origin: 'https://app.example.com' })).status).toBe(200);
  });

  it('asks for the token when one is set: none or a wrong one is 401, the right one is served, and no backend ever sees it', async () => {
    const url = await serveOverHttp({ authToken: TOKEN });
    const post = (authorization?: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'curl', version: '1' } } }),
      });
    const missing = await post();
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post('Bearer not-the-token')).status).toBe(401);
    expect((await post(`Bearer ${TOKEN}`)).status).toBe(200);
    const client = new Client({ name: 'with-token', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    closers.push(() => client.close());
    expect(textOf(await client.callTool({ name: 'legacy__echo', arguments: { text: 'authorised' } }))).toBe('authorised');
    const stderr = supervisor?.getServiceInfo('legacy').diagnostics?.stderrTail.join('\n') ?? '';
    expect(stderr).not.toContain(TOKEN);
  });

  it('answers 413 to a body over the bound, unread', async () => {
    const url = await serveOverHttp({ maxBodyBytes: 1_024 });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { padding: 'x'.repeat(4_096) } }),
    });
    expect(response.status).toBe(413);
  });
});

describe('mcp-supervisor serve', () => {
  function fleetFile(extra = ''): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'gateway-serve-'));
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      `services:\n  legacy:\n    command: ${process.execPath}\n    args: [${TEST_SERVER}]\n  modern:\n    command: ${process.execPath}\n    args: [${MODERN_TEST_SERVER}]\n${extra}`,
    );
    return file;
  }

  const serveArgs = (file: string) => ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts'), 'serve', file, '--no-watch'];

  it('speaks MCP on stdio to a v1 client and to a v2 client at 2026-07-28, with nothing but protocol on stdout', { timeout: 60_000 }, async () => {
    const file = fleetFile();
    const v1 = new V1Client({ name: 'v1-stdio', version: '1.0.0' });
    const v1Transport = new V1StdioClientTransport({ command: process.execPath, args: serveArgs(file), cwd: REPO_ROOT, stderr: 'pipe' });
    let stderr = '';
    v1Transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const protocolErrors: Error[] = [];
    await v1.connect(v1Transport);
    v1.onerror = (error) => protocolErrors.push(error);
    closers.push(() => v1.close());
    await eventually(() => stderr.includes('modern') && stderr.includes('HEALTHY') && stderr.split('HEALTHY').length > 2, PATIENT_MS, 'both services are healthy');
    expect((await v1.listTools()).tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['legacy__echo', 'modern__echo']));
    expect(textOf(await v1.callTool({ name: 'modern__echo', arguments: { text: 'over stdio' } }))).toBe('over stdio');
    // A line on stdout that is not a protocol message would be a parse error here.
    expect(protocolErrors).toEqual([]);

    const modern = new Client({ name: 'v2-stdio', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await modern.connect(new StdioClientTransport({ command: process.execPath, args: serveArgs(file), cwd: REPO_ROOT, stderr: 'ignore' }));
    closers.push(() => modern.close());
    expect(modern.getProtocolEra()).toBe('modern');
    const until = Date.now() + PATIENT_MS;
    let names: string[] = [];
    // This second gateway process connects its own fleet: wait until both services are listed.
    while (Date.now() < until && !(names.includes('modern__echo') && names.includes('legacy__echo'))) names = (await modern.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['legacy__echo', 'modern__echo']));
    expect(textOf(await modern.callTool({ name: 'legacy__add', arguments: { a: 40, b: 2 } }))).toBe('42');
  });

  it('prints the URL it listens on as the first stderr line of --http', { timeout: 40_000 }, async () => {
    const { spawn } = await import('node:child_process');
    const docs = `  docs:\n    command: ${process.execPath}\n    args: [${TEST_SERVER}, --catalogue]\n`;
    const child = spawn(process.execPath, [...serveArgs(fleetFile(docs)), '--http', '127.0.0.1:0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    );
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    await eventually(() => stderr.includes('\n'), PATIENT_MS, 'a first stderr line');
    const first = stderr.split('\n')[0] ?? '';
    expect(first).toMatch(/^mcp-supervisor gateway: http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const client = new Client({ name: 'over-http', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(first.slice('mcp-supervisor gateway: '.length))));
    closers.push(() => client.close());
    const until = Date.now() + PATIENT_MS;
    let names: string[] = [];
    while (Date.now() < until && !names.includes('legacy__echo')) names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain('legacy__echo');
    expect(stdout).toBe('');
    // Resources reach their service through the metrics-instrumented connection layer that --http uses.
    let uris: string[] = [];
    while (Date.now() < until && !uris.includes('test://greeting')) uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect((await client.readResource({ uri: 'test://greeting' })).contents).toEqual([{ uri: 'test://greeting', mimeType: 'text/plain', text: 'hello' }]);
    // The operators' endpoints share the gateway's port.
    const base = new URL(first.slice('mcp-supervisor gateway: '.length)).origin;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^mcp_supervisor_service_state\{.*service="legacy".*\} 1$/m);
    // The gateway's own series: its session, and the requests by method and outcome.
    expect(metrics).toMatch(/^mcp_supervisor_gateway_sessions\{transport="http"\} 1$/m);
    expect(metrics).toMatch(/^mcp_supervisor_gateway_requests_total\{method="resources\/read",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^mcp_supervisor_gateway_requests_total\{method="tools\/list",outcome="ok"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^mcp_supervisor_gateway_requests_total\{method="initialize",outcome="ok"\} 1$/m);
    // A method the gateway has no handler for is refused by the SDK, as without metrics, and not counted.
    for (const method of ['acme/one', 'acme/two']) await expect(client.request({ method, params: {} }, z.object({}).passthrough())).rejects.toThrow(/Method not found/);
    await client.callTool({ name: 'legacy__no_such_tool', arguments: {} }).catch(() => undefined);
    const after = await (await fetch(`${base}/metrics`)).text();
    expect(after).not.toContain('acme/');
    expect(after).not.toContain('method="other"');
    expect(after).toMatch(/^mcp_supervisor_gateway_requests_total\{method="tools\/call",outcome="(error|tool_error)"\} 1$/m);
  });

  it('applies an edit of the gateway: section to the running gateway: the same session sees the new names, a token change waits for a restart, an invalid section changes nothing', { timeout: 60_000 }, async () => {
    const file = fleetFile();
    const client = new Client({ name: 'reload', version: '1.0.0' });
    let changes = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      changes += 1;
    });
    const args = serveArgs(file).filter((arg) => arg !== '--no-watch');
    const transport = new StdioClientTransport({ command: process.execPath, args, cwd: REPO_ROOT, stderr: 'pipe' });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    await client.connect(transport);
    closers.push(() => client.close());
    const names = async () => (await client.listTools()).tools.map((tool) => tool.name);
    const until = (check: (listed: string[]) => boolean, what: string) =>
      (async () => {
        const deadline = Date.now() + PATIENT_MS;
        let listed = await names();
        while (Date.now() < deadline && !check(listed)) listed = await names();
        if (!check(listed)) throw new Error(`${what}: the tools are ${listed.join(', ')}\n--- stderr:\n${stderr}`);
        return listed;
      })();
    await until((listed) => listed.includes('legacy__echo') && listed.includes('modern__echo'), 'both services listed');
    const original = readFileSync(file, 'utf8');

    writeFileSync(file, `${original}gateway:\n  separator: '--'\n  expose:\n    legacy:\n      prefix: old\n      tools: { allow: [echo] }\n`);
    await eventually(() => changes > 0, PATIENT_MS, 'a tools list_changed');
    const renamed = await until((listed) => listed.includes('old--echo'), 'the new names');
    expect(renamed).toContain('modern--echo');
    expect(renamed.filter((name) => name.startsWith('old--'))).toEqual(['old--echo']);
    expect(textOf(await client.callTool({ name: 'old--echo', arguments: { text: 'same session' } }))).toBe('same session');
    expect(stderr).toMatch(/applied gateway\.separator, gateway\.expose from .*fleet\.yaml; sessions stay connected/);

    const beforeLazy = changes;
    writeFileSync(file, `${original}gateway:\n  separator: '--'\n  auth_token: ${TOKEN}\n  mode: lazy\n`);
    await eventually(() => stderr.includes('gateway.auth_token changed'), PATIENT_MS, 'the restart notice');
    expect(stderr).toContain('gateway.auth_token changed in');
    expect(stderr).toContain('restart `mcp-supervisor serve` to apply it');
    // Never the token itself.
    expect(stderr).not.toContain(TOKEN);
    await until((listed) => listed.includes('search_tools'), 'lazy mode');
    await eventually(() => changes > beforeLazy, PATIENT_MS, 'the list_changed of lazy mode');

    const lazy = await names();
    writeFileSync(file, `${original}gateway:\n  separator: '--'\n  mode: sideways\n`);
    await eventually(() => stderr.includes('config reload rejected'), PATIENT_MS, 'the rejected reload');
    expect(stderr).toMatch(/fleet\.yaml:\d+:\d+.*mode/);
    expect(await names()).toEqual(lazy);
    expect(stderr.match(/applied gateway\./g)).toHaveLength(2);
  });

  it('refuses to bind a non-loopback address without gateway.auth_token, starting nothing', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) }, env: {} };
    const code = await main(['serve', fleetFile(), '--http', '0.0.0.0:0'], io);
    expect(code).toBe(1);
    expect(stderr).toContain('refusing to serve on 0.0.0.0, which other machines can reach, without a token: set gateway.auth_token');
    expect(descendantsOf()).toEqual([]);
  });
});
