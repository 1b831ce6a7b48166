// Measures what mcp-supervisor adds to a tool call: the public `Supervisor.callTool` against a direct
// `client.callTool()` of the MCP SDK (v2, `@modelcontextprotocol/client`) on an identical but separate
// connection to the same server, over stdio and loopback Streamable HTTP, against a legacy server (SDK v1)
// and a modern one (SDK v2). It also measures the health probe layer (`McpConnections.ping`, the body of
// what the statechart's connection actor sends) against the SDK's own probe of that era. Both sides alternate in small
// batches in one run, so drift and load hit both. Rewrites the `## MCP actors vs bare SDK client`
// section of bench/RESULTS.md.
//
//   node --import tsx bench/actors.bench.ts      (npm run bench:actors)

import os from 'node:os';
import { Client, StreamableHTTPClientTransport, type Transport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { McpConnections } from '../src/actors/connection-registry.js';
import type { TransportConfig } from '../src/config/transport.js';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { modernStdioServer, startHttpServer, stdioServer, stopHttpServers, type ServerEra } from '../test/fixtures/test-servers.js';
import { writeResultsSection } from './support/results-file.js';

const COMMAND = 'node --import tsx bench/actors.bench.ts';
const SECTION = '## MCP actors vs bare SDK client';
/** Rounds of ours-then-bare (order flipped every round), calls per batch, warm-up calls per side. */
const ROUNDS = 200;
const PER_BATCH = 20;
const WARM_UP = 500;
const TARGET_RATIO = 1.05;
const SERVICE = 'bench';
const ARGS = { text: 'hello' };

type Operation = () => Promise<unknown>;

interface Pair {
  /** What is compared, without the transport and era. */
  what: string;
  /** The tools/call rows carry the ≤ 1.05× target; the probe rows are shown for the layer beneath. */
  judged: boolean;
  ours: Operation;
  bare: Operation;
}

interface Stats {
  p50: number;
  p99: number;
  /** CPU of this process per call (user + system), µs: what scheduling noise does not move. */
  cpuUs: number;
}

interface Row {
  label: string;
  what: string;
  judged: boolean;
  ours: Stats;
  bare: Stats;
}

interface Target {
  label: string;
  era: ServerEra;
  config: TransportConfig;
  bareTransport: () => Transport;
}

async function sample(operation: Operation, count: number, into: number[] | null): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await operation();
    into?.push(performance.now() - started);
  }
}

function stats(samples: number[], cpuUs: number): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), cpuUs: cpuUs / samples.length };
}

async function measure(pair: Pair): Promise<{ ours: Stats; bare: Stats }> {
  await sample(pair.ours, WARM_UP, null);
  await sample(pair.bare, WARM_UP, null);
  const ours = { samples: [] as number[], cpuUs: 0 };
  const bare = { samples: [] as number[], cpuUs: 0 };
  for (let round = 0; round < ROUNDS; round += 1) {
    const batches: [Operation, typeof ours][] = [
      [pair.ours, ours],
      [pair.bare, bare],
    ];
    if (round % 2 === 1) batches.reverse();
    for (const [operation, into] of batches) {
      const cpu = process.cpuUsage();
      await sample(operation, PER_BATCH, into.samples);
      const used = process.cpuUsage(cpu);
      into.cpuUs += used.user + used.system;
    }
  }
  return { ours: stats(ours.samples, ours.cpuUs), bare: stats(bare.samples, bare.cpuUs) };
}

/**
 * A supervisor with one service on `target`, and a bare v2 Client connected to the same server on its
 * own connection (for stdio: its own server process), both having listed the tools.
 */
async function open(target: Target): Promise<{ pairs: Pair[]; close: () => Promise<void> }> {
  const connections = new McpConnections();
  const supervisor = new Supervisor({ services: [{ name: SERVICE, transport: target.config }] }, { connections }).start();
  await supervisor.waitForService(SERVICE, { timeoutMs: 30_000 });
  const connectionId = connections.connection(SERVICE)?.id;
  if (connectionId === undefined) throw new Error(`${target.label}: the supervisor has no live connection`);

  const client = new Client({ name: 'bare-bench', version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: 'auto' } });
  await client.connect(target.bareTransport());
  // The supervisor's connect lists the tools (which fills the SDK's cache callTool reads); so does this.
  await client.listTools();
  const ourEra = supervisor.getServiceInfo(SERVICE).metadata.protocolEra;
  const bareEra = client.getProtocolEra();
  if (ourEra !== target.era || bareEra !== target.era) {
    throw new Error(`${target.label}: expected the ${target.era} era, the supervisor negotiated ${ourEra}, the bare client ${bareEra}`);
  }
  const probe = target.era === 'modern' ? 'client.discover()' : 'client.ping()';
  return {
    pairs: [
      {
        what: '`Supervisor.callTool` vs `client.callTool()`',
        judged: true,
        ours: () => supervisor.callTool(SERVICE, 'echo', ARGS),
        bare: () => client.callTool({ name: 'echo', arguments: ARGS }),
      },
      {
        what: `health probe: \`McpConnections.ping\` (what the connection actor sends) vs \`${probe}\``,
        judged: false,
        ours: () => connections.ping(SERVICE, connectionId, { timeoutMs: 5_000 }),
        bare: target.era === 'modern' ? () => client.discover() : () => client.ping(),
      },
    ],
    close: async () => {
      await client.close();
      await supervisor.stop();
    },
  };
}

/** What the numbers mean; written under the table. */
const READING = [
  'Reading: ours is everything a caller of the public API goes through — the availability and tool checks, the',
  'connection registry, our connection wrapper, and on stdio our process-group transport — over the same SDK',
  '`Client` the bare side uses directly. On the real clock a call builds no timer, controller or error of its own:',
  'the SDK\'s per-request timeout bounds it, and a timeout becomes `ToolCallTimeoutError` only when it happens. The',
  'last column is the CPU this process spends per call; where it is level, a p50 ratio above 1 is time spent',
  'elsewhere: over stdio our server runs in a process group of its own (spawned detached, so that stopping it ends',
  'its whole tree), which on Linux is also a session and, with `sched_autogroup_enabled`, a scheduling group of its',
  'own, and on an oversubscribed machine that moves its latency either way. This machine has 2 shared cores and',
  'other jobs ran meanwhile, so only same-run ratios mean something: with the same code the stdio p50 ratios moved',
  'between 1.01× and 1.09× from run to run, and p99 is dominated by scheduling and GC pauses. Before',
  '`Supervisor.callTool` stopped building a timer, an AbortController and a ToolCallTimeoutError per call, this',
  'bench measured 1.261× (stdio, legacy), 1.159× (stdio, modern), 1.065× and 1.066× (Streamable HTTP) on this',
  'machine on 2026-12-01; in-process, ours and bare now allocate about the same per call (young-generation',
  'collections per 20,000 calls: 39 ours, 37 bare). The probe rows carry no target: they show the layer the health',
  'checks use, beneath the statechart. The bare Streamable HTTP client may log MaxListenersExceededWarning on a',
  'long run: undici adds an abort listener per request to the SDK transport\'s long-lived signal and removes it only',
  'when the request is collected.',
];

const ms = (value: number) => value.toFixed(3);
const ratio = (row: Row, at: keyof Stats) => row.ours[at] / row.bare[at];

function verdict(row: Row): string {
  if (!row.judged) return '—';
  const p50 = ratio(row, 'p50');
  return p50 <= TARGET_RATIO ? 'met' : `**missed** by ${((p50 / TARGET_RATIO - 1) * 100).toFixed(1)} %`;
}

async function main() {
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const legacyHttp = await startHttpServer();
  const modernHttp = await startHttpServer([], { era: 'modern' });
  const stdioOf = (config: TransportConfig & { type: 'stdio' }) => () =>
    new StdioClientTransport({ command: config.command, args: config.args, stderr: 'ignore' });
  const httpOf = (url: string) => () => new StreamableHTTPClientTransport(new URL(url));
  const legacyStdio = stdioServer();
  const modernStdio = modernStdioServer();
  const targets: Target[] = [
    { label: 'stdio, legacy server', era: 'legacy', config: legacyStdio, bareTransport: stdioOf(legacyStdio) },
    { label: 'stdio, modern server', era: 'modern', config: modernStdio, bareTransport: stdioOf(modernStdio) },
    {
      label: 'Streamable HTTP, legacy server',
      era: 'legacy',
      config: { type: 'streamable-http', url: legacyHttp.url, headers: {}, sseFallback: false },
      bareTransport: httpOf(legacyHttp.url),
    },
    {
      label: 'Streamable HTTP, modern server',
      era: 'modern',
      config: { type: 'streamable-http', url: modernHttp.url, headers: {}, sseFallback: false },
      bareTransport: httpOf(modernHttp.url),
    },
  ];
  const rows: Row[] = [];
  for (const target of targets) {
    const { pairs, close } = await open(target);
    for (const pair of pairs) {
      const { ours, bare } = await measure(pair);
      const row = { label: target.label, what: pair.what, judged: pair.judged, ours, bare };
      rows.push(row);
      console.error(`measured ${target.label}: ${pair.what}: ${ratio(row, 'p50').toFixed(3)}× at p50`);
    }
    await close();
  }
  await stopHttpServers();
  const loadAfter = os.loadavg()[0] ?? Number.NaN;

  const judged = rows.filter((row) => row.judged);
  const missed = judged.filter((row) => ratio(row, 'p50') > TARGET_RATIO);
  const worst = judged.reduce((a, b) => (ratio(b, 'p50') > ratio(a, 'p50') ? b : a));
  const summary =
    missed.length === 0
      ? `**Target met**: \`Supervisor.callTool\` is at most ${ratio(worst, 'p50').toFixed(3)}× a direct \`client.callTool()\` at p50 ` +
        `(worst: ${worst.label}; target ≤ ${TARGET_RATIO}×).`
      : `**Target missed** on ${missed.length} of ${judged.length} transports: ` +
        missed.map((row) => `${row.label} ${ratio(row, 'p50').toFixed(3)}× (${verdict(row).replace('**missed** ', '')} over ${TARGET_RATIO}×)`).join('; ') +
        '.';
  const cpus = os.cpus();
  const section = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}` +
      ` (${cpus.length} cores), ${os.platform()} ${os.arch()}. Command: \`${COMMAND}\` (\`npm run bench:actors\`).`,
    `Load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end.`,
    `One run: per row ${WARM_UP} warm-up calls per side, then ${ROUNDS} rounds of ${PER_BATCH} sequential calls per side, ours and bare`,
    'alternating (order flipped every round); latency in ms. Ours: a `Supervisor` (real clock, default settings) with one service;',
    'bare: a v2 `Client` of `@modelcontextprotocol/client` with the SDK\'s own transport (`StdioClientTransport`,',
    '`StreamableHTTPClientTransport`) on a separate connection to the same server (over stdio, its own server process),',
    'the same era negotiated, tools listed first, the SDK\'s default 60 s request timeout on both sides.',
    'Servers: test/fixtures/mcp-test-server.mjs (legacy, SDK v1) and test/fixtures/modern-test-server.mjs (modern, SDK v2).',
    '',
    '| transport, server | operation | ours p50 / p99 (ms) | bare SDK p50 / p99 (ms) | ours ÷ bare, p50 / p99 | ≤ 1.05× at p50 | CPU per call in this process, ours / bare (µs) |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.label} | ${row.what} | ${ms(row.ours.p50)} / ${ms(row.ours.p99)} | ${ms(row.bare.p50)} / ${ms(row.bare.p99)} | ` +
        `${ratio(row, 'p50').toFixed(3)}× / ${ratio(row, 'p99').toFixed(3)}× | ${verdict(row)} | ` +
        `${row.ours.cpuUs.toFixed(0)} / ${row.bare.cpuUs.toFixed(0)} (${ratio(row, 'cpuUs').toFixed(2)}×) |`,
    ),
    '',
    summary,
    '',
    ...READING,
    '',
  ].join('\n');
  console.log(section);
  await writeResultsSection(SECTION, section);
}

await main();
