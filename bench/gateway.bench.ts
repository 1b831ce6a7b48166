// What the gateway costs a tool call: p50 of `echo` called directly on the legacy test server and
// through `mcp-supervisor serve` in front of it, over stdio and over Streamable HTTP (SDK v2 client in
// the 2025-era handshake, calls one after another). Writes the ratios to bench/RESULTS.md.
//
//   npm run bench:gateway              CALLS=500 by default

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { writeResultsSection } from './support/results-file.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(REPO, 'test/fixtures/mcp-test-server.mjs');
const CALLS = Number(process.env.CALLS ?? 500);
const WARMUP = Number(process.env.WARMUP ?? 50);
const BARE_PROXY = path.join(REPO, 'bench/support/bare-proxy.ts');
const SERVE = ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'serve', '--no-watch'];

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts a process; resolves with the first line matching `pattern` on the stream that has it. */
function startAndRead(args: string[], stream: 'stdout' | 'stderr', pattern: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  // stdin a pipe left open: the test server exits when its stdin ends.
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 30 s: ${text}`)), 30_000);
    child[stream]?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = pattern.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    });
  });
}

function fleetFile(service: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gateway-bench-')), 'fleet.yaml');
  writeFileSync(file, `services:\n  bench:\n${service}gateway:\n  namespace: none\n`);
  return file;
}

async function p50(transport: Transport): Promise<number> {
  const client = new Client({ name: 'gateway-bench', version: '1.0.0' });
  await client.connect(transport);
  // Through the gateway, the service may still be connecting: wait for its tool.
  const deadline = Date.now() + 30_000;
  while (!(await client.listTools()).tools.some((tool) => tool.name === 'echo')) {
    if (Date.now() > deadline) throw new Error('echo never listed');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const times: number[] = [];
  for (let index = 0; index < WARMUP + CALLS; index += 1) {
    const started = performance.now();
    await client.callTool({ name: 'echo', arguments: { text: 'ping' } });
    if (index >= WARMUP) times.push(performance.now() - started);
  }
  await client.close();
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

async function stdio(): Promise<{ direct: number; gateway: number; proxy: number }> {
  const direct = await p50(new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' }));
  // The floor: one more process hop through a bare SDK pass-through, nothing else.
  const proxy = await p50(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', BARE_PROXY, SERVER], cwd: REPO, stderr: 'ignore' }));
  const file = fleetFile(`    command: ${process.execPath}\n    args: [${SERVER}]\n`);
  const gateway = await p50(new StdioClientTransport({ command: process.execPath, args: [...SERVE, file], cwd: REPO, stderr: 'ignore' }));
  return { direct, gateway, proxy };
}

async function http(): Promise<{ direct: number; gateway: number; proxy: null }> {
  const server = await startAndRead([SERVER, '--transport', 'http', '--port', '0'], 'stdout', /"url":\s*"([^"]+)"/);
  const url = server.match[1] ?? '';
  const direct = await p50(new StreamableHTTPClientTransport(new URL(url)));
  const file = fleetFile(`    url: ${url}\n    transport: streamable-http\n`);
  const served = await startAndRead([...SERVE, file, '--http', '127.0.0.1:0'], 'stderr', /^mcp-supervisor gateway: (http:\S+)$/m);
  const gateway = await p50(new StreamableHTTPClientTransport(new URL(served.match[1] ?? '')));
  served.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  return { direct, gateway, proxy: null };
}

const rows = [
  ['stdio', await stdio()],
  ['Streamable HTTP', await http()],
] as const;
const format = (ms: number) => `${ms.toFixed(3)} ms`;
const table = rows.map(
  ([over, { direct, gateway, proxy }]) =>
    `| ${over} | ${format(direct)} | ${proxy === null ? 'not measured' : `${format(proxy)} (${(proxy / direct).toFixed(2)}×)`} | ${format(gateway)} | ${(gateway / direct).toFixed(2)}× | ${proxy === null ? '' : `${(gateway / proxy).toFixed(2)}×`} |`,
);
const section = `## Gateway: a tool call through \`mcp-supervisor serve\` vs a direct client call

\`npm run bench:gateway\` (CALLS=${CALLS} sequential \`echo\` calls after ${WARMUP} warm-up ones, SDK v2 client, the
legacy test server; the gateway in its own process in front of it, namespace none), ${new Date().toISOString().slice(0, 10)},
${process.env.BENCH_MACHINE ?? 'machine load not stated (set BENCH_MACHINE)'}. p50 of each, all in the same run:

| over | direct | bare SDK proxy (floor) | through the gateway | gateway / direct | gateway / floor |
|---|---|---|---|---|---|
${table.join('\n')}

The bare SDK proxy (\`bench/support/bare-proxy.ts\`) is the floor of any gateway: one more process hop
(client → proxy → server), a second JSON-RPC encode/decode and the SDK's validation of the request and
the result on both sides, and nothing else. The target, a gateway/direct ratio ≤ 1.10 at p50, is below
that floor over stdio; what the gateway itself adds is its ratio to the floor.
`;
console.log(section);
await writeResultsSection('## Gateway: a tool call through `mcp-supervisor serve` vs a direct client call', section);
process.exit(0);
