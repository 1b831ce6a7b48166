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
const WARMUP = 50;
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

async function stdio(): Promise<{ direct: number; gateway: number }> {
  const direct = await p50(new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' }));
  const file = fleetFile(`    command: ${process.execPath}\n    args: [${SERVER}]\n`);
  const gateway = await p50(new StdioClientTransport({ command: process.execPath, args: [...SERVE, file], cwd: REPO, stderr: 'ignore' }));
  return { direct, gateway };
}

async function http(): Promise<{ direct: number; gateway: number }> {
  const server = await startAndRead([SERVER, '--transport', 'http', '--port', '0'], 'stdout', /"url":\s*"([^"]+)"/);
  const url = server.match[1] ?? '';
  const direct = await p50(new StreamableHTTPClientTransport(new URL(url)));
  const file = fleetFile(`    url: ${url}\n    transport: streamable-http\n`);
  const served = await startAndRead([...SERVE, file, '--http', '127.0.0.1:0'], 'stderr', /^mcp-supervisor gateway: (http:\S+)$/m);
  const gateway = await p50(new StreamableHTTPClientTransport(new URL(served.match[1] ?? '')));
  served.child.kill('SIGTERM');
  server.child.kill('SIGTERM');
  return { direct, gateway };
}

const rows = [
  ['stdio', await stdio()],
  ['Streamable HTTP', await http()],
] as const;
const format = (ms: number) => `${ms.toFixed(3)} ms`;
const table = rows.map(([over, { direct, gateway }]) => `| ${over} | ${format(direct)} | ${format(gateway)} | ${(gateway / direct).toFixed(2)}× | +${format(gateway - direct)} |`);
const section = `## Gateway: a tool call through \`mcp-supervisor serve\` vs a direct client call

\`npm run bench:gateway\` (CALLS=${CALLS} sequential \`echo\` calls after ${WARMUP} warm-up ones, SDK v2 client, the
legacy test server; the gateway in its own process in front of it, namespace none). p50 of each:

| over | direct | through the gateway | ratio | added |
|---|---|---|---|---|
${table.join('\n')}

The gateway adds one more hop (client → gateway → server): a second JSON-RPC encode/decode and, over
HTTP, a second request. The target is a ratio ≤ 1.10 at p50: ${rows.every(([, { direct, gateway }]) => gateway / direct <= 1.1) ? 'met' : 'not met yet'}.
`;
console.log(section);
await writeResultsSection('## Gateway: a tool call through `mcp-supervisor serve` vs a direct client call', section);
process.exit(0);
