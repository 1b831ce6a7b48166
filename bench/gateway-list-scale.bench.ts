// What `tools/list` costs through the gateway at scale: 50 services with 40 tools each (2,000 tools),
// all connected to one Streamable HTTP test server, listed by an in-memory SDK
// client in full mode and in lazy mode: time (p50 of repeated lists) and bytes of the answer. The
// baseline, measured in the same run, is one service's own `tools/list` asked directly over HTTP.
//
//   npm run bench:gateway-list-scale        LISTS=50 by default

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createGateway } from '../src/gateway/gateway.js';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { writeResultsSection } from './support/results-file.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(REPO, 'test/fixtures/mcp-test-server.mjs');
const SERVICES = 50;
// Each test server lists 5 tools of its own (echo, add, sleep, forget_sessions, exit) besides the extra ones.
const TOOLS_EACH = 35;
const LISTS = Number(process.env.LISTS ?? 50);
const HEADING = '## Gateway: `tools/list` over 50 services and 2,000 tools';

const backend = spawn(process.execPath, [SERVER, '--transport', 'http', '--port', '0', '--tools', String(TOOLS_EACH)], { stdio: ['pipe', 'pipe', 'ignore'] });
process.on('exit', () => backend.kill('SIGKILL'));
const url = await new Promise<string>((resolve, reject) => {
  let text = '';
  const timer = setTimeout(() => reject(new Error(`the test server printed no URL: ${text}`)), 30_000);
  backend.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    const match = /"url":\s*"([^"]+)"/.exec(text);
    if (match?.[1]) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
});

async function timedLists(client: Client): Promise<{ p50: number; bytes: number; tools: number }> {
  const times: number[] = [];
  let bytes = 0;
  let tools = 0;
  for (let index = 0; index < LISTS + 5; index += 1) {
    const started = performance.now();
    const listed = await client.listTools();
    const elapsed = performance.now() - started;
    if (index >= 5) times.push(elapsed);
    bytes = Buffer.byteLength(JSON.stringify(listed));
    tools = listed.tools.length;
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)] ?? NaN, bytes, tools };
}

// The baseline: one server's own list, directly.
const direct = new Client({ name: 'list-scale-direct', version: '1.0.0' });
await direct.connect(new StreamableHTTPClientTransport(new URL(url)));
const baseline = await timedLists(direct);
await direct.close();

const supervisor = new Supervisor({
  services: Array.from({ length: SERVICES }, (_, index) => ({
    name: `svc_${String(index).padStart(2, '0')}`,
    transport: { type: 'streamable-http' as const, url, headers: {}, sseFallback: false },
  })),
}).start();
await Promise.all(supervisor.listServices().map((service) => supervisor.waitForService(service.key, { timeoutMs: 60_000 })));

const results: Record<'full' | 'lazy', { p50: number; bytes: number; tools: number }> = { full: { p50: 0, bytes: 0, tools: 0 }, lazy: { p50: 0, bytes: 0, tools: 0 } };
for (const mode of ['full', 'lazy'] as const) {
  const gateway = createGateway(supervisor, { mode });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.connect(serverSide);
  const client = new Client({ name: `list-scale-${mode}`, version: '1.0.0' });
  await client.connect(clientSide);
  results[mode] = await timedLists(client);
  await client.close();
  await gateway.close();
}
await supervisor.stop();
backend.kill('SIGTERM');

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const row = (label: string, result: { p50: number; bytes: number; tools: number }) =>
  `| ${label} | ${result.tools.toLocaleString('en')} | ${ms(result.p50)} | ${(result.p50 / baseline.p50).toFixed(1)}× | ${kib(result.bytes)} | ${(result.bytes / baseline.bytes).toFixed(1)}× |`;
const section = `${HEADING}

\`npm run bench:gateway-list-scale\` (${new Date().toISOString().slice(0, 10)}, ${process.env.BENCH_MACHINE ?? 'machine load not stated (set BENCH_MACHINE)'}):
${SERVICES} services of ${baseline.tools} tools each on one Streamable HTTP test server, listed by an in-memory SDK v2
client; p50 of ${LISTS} lists. The baseline, in the same run, is one of those servers' own \`tools/list\` asked directly over HTTP.

| list | tools | p50 | vs baseline | answer | vs baseline |
|---|---|---|---|---|---|
${row('baseline: one server, directly', baseline)}
${row('gateway, full mode', results.full)}
${row('gateway, lazy mode', results.lazy)}

Full mode's list grows with the fleet (${(results.full.bytes / results.full.tools).toFixed(0)} bytes a tool here); lazy mode's stays three meta-tools
whatever its size: ${(results.full.bytes / results.lazy.bytes).toFixed(0)}× smaller at 2,000 tools.
`;
console.log(section);
await writeResultsSection(HEADING, section);
process.exit(0);
