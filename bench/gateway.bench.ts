// What the gateway costs a tool call: p50 of `echo` called directly on the legacy test server, through
// a bare SDK pass-through proxy (the floor of any gateway) and through `mcp-supervisor serve`, over stdio
// and over Streamable HTTP. SDK v2 clients in the 2025-era handshake, plus ones that negotiate 2026-07-28
// with the proxy and the gateway; they take turns call by call. Writes the ratios to bench/RESULTS.md.
//
//   npm run bench:gateway              CALLS=500 per client and WARMUP=50 by default

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
// The CLI as users run it, built (the npm script builds it first): run from source under tsx, every
// closure made per request would also pay for having its name set, which the build does not do.
const SERVE = [path.join(REPO, 'dist/cli/main.js'), 'serve', '--no-watch'];

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

interface Subject {
  label: string;
  client: Client;
  times: number[];
}

/** A connected client whose `echo` is listed (through the gateway, the service may still be connecting). */
async function open(label: string, transport: Transport, negotiation: 'legacy' | 'auto' = 'legacy'): Promise<Subject> {
  const client = new Client({ name: 'gateway-bench', version: '1.0.0' }, { versionNegotiation: { mode: negotiation } });
  await client.connect(transport);
  const deadline = Date.now() + 30_000;
  while (!(await client.listTools()).tools.some((tool) => tool.name === 'echo')) {
    if (Date.now() > deadline) throw new Error(`${label}: echo never listed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { label, client, times: [] };
}

/**
 * Calls every subject once per round, in an order that rotates each round, so that whatever else the
 * machine does falls on all of them alike and their ratios hold even when it is busy.
 */
async function interleave(subjects: Subject[]): Promise<Map<string, number>> {
  for (let round = 0; round < WARMUP + CALLS; round += 1) {
    for (let turn = 0; turn < subjects.length; turn += 1) {
      const subject = subjects[(round + turn) % subjects.length];
      if (subject === undefined) continue;
      const started = performance.now();
      await subject.client.callTool({ name: 'echo', arguments: { text: 'ping' } });
      if (round >= WARMUP) subject.times.push(performance.now() - started);
    }
  }
  await Promise.all(subjects.map((subject) => subject.client.close()));
  return new Map(subjects.map(({ label, times }) => [label, median(times)]));
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

interface Row {
  direct: number;
  proxy: number;
  gateway: number;
  /** The same proxy and gateway, called by a client that negotiates the 2026-07-28 revision with them. */
  modernProxy: number;
  modern: number;
}

function row(medians: Map<string, number>): Row {
  const of = (label: string) => medians.get(label) ?? NaN;
  return { direct: of('direct'), proxy: of('proxy'), gateway: of('gateway'), modernProxy: of('modern proxy'), modern: of('modern') };
}

async function stdio(): Promise<Row> {
  const file = fleetFile(`    command: ${process.execPath}\n    args: [${SERVER}]\n`);
  const gatewayOver = () => new StdioClientTransport({ command: process.execPath, args: [...SERVE, file], cwd: REPO, stderr: 'ignore' });
  // The floor: one more process hop through a bare SDK pass-through, nothing else.
  const proxyOver = () => new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', BARE_PROXY, SERVER], cwd: REPO, stderr: 'ignore' });
  return row(
    await interleave([
      await open('direct', new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' })),
      await open('proxy', proxyOver()),
      await open('gateway', gatewayOver()),
      await open('modern proxy', proxyOver(), 'auto'),
      await open('modern', gatewayOver(), 'auto'),
    ]),
  );
}

async function http(): Promise<Row> {
  const server = await startAndRead([SERVER, '--transport', 'http', '--port', '0'], 'stdout', /"url":\s*"([^"]+)"/);
  const url = server.match[1] ?? '';
  const proxy = await startAndRead(['--import', 'tsx', BARE_PROXY, '--http', url], 'stdout', /"url":\s*"([^"]+)"/);
  const file = fleetFile(`    url: ${url}\n    transport: streamable-http\n`);
  const served = await startAndRead([...SERVE, file, '--http', '127.0.0.1:0'], 'stderr', /^mcp-supervisor gateway: (http:\S+)$/m);
  const gatewayUrl = new URL(served.match[1] ?? '');
  const medians = await interleave([
    await open('direct', new StreamableHTTPClientTransport(new URL(url))),
    await open('proxy', new StreamableHTTPClientTransport(new URL(proxy.match[1] ?? ''))),
    await open('gateway', new StreamableHTTPClientTransport(gatewayUrl)),
    await open('modern proxy', new StreamableHTTPClientTransport(new URL(proxy.match[1] ?? '')), 'auto'),
    await open('modern', new StreamableHTTPClientTransport(gatewayUrl), 'auto'),
  ]);
  for (const { child } of [served, proxy, server]) child.kill('SIGTERM');
  return row(medians);
}

const rows = [
  ['stdio', await stdio()],
  ['Streamable HTTP', await http()],
] as const;
const format = (ms: number) => `${ms.toFixed(3)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const table = rows.map(
  ([over, { direct, proxy, gateway, modernProxy, modern }]) =>
    `| ${over} | ${format(direct)} | ${format(proxy)} (${ratio(proxy, direct)}) | ${format(gateway)} | ${ratio(gateway, direct)} | **${ratio(gateway, proxy)}** | ${format(modernProxy)} | ${format(modern)} | **${ratio(modern, modernProxy)}** |`,
);
const section = `## Gateway: a tool call through \`mcp-supervisor serve\` vs a direct client call

\`npm run bench:gateway\` (CALLS=${CALLS} \`echo\` calls per client after ${WARMUP} warm-up ones, SDK v2 clients, the
legacy test server; the gateway in its own process in front of it, namespace none), ${new Date().toISOString().slice(0, 10)},
${process.env.BENCH_MACHINE ?? 'machine load not stated (set BENCH_MACHINE)'}. The clients take turns call by call, in an order
that rotates each round, so that the machine's other work falls on all of them alike. p50 of each:

| over | direct | bare SDK proxy (the floor) | through the gateway | gateway / direct | gateway / floor | 2026-07-28 client: floor | gateway | gateway / floor |
|---|---|---|---|---|---|---|---|---|
${table.join('\n')}

The bare SDK proxy (\`bench/support/bare-proxy.ts\`) is the floor of any gateway built on the SDK: one
more process hop (client → proxy → server), a second JSON-RPC encode and decode, the SDK's validation of
the request and the result on both sides, and over HTTP the SDK's own web-standard Streamable HTTP
server in front (the same one the gateway uses), and nothing else. No gateway can be as fast as a direct
call; what this gateway costs is its ratio to that floor, and that is the figure to hold it to.
`;
console.log(section);
await writeResultsSection('## Gateway: a tool call through `mcp-supervisor serve` vs a direct client call', section);
process.exit(0);
