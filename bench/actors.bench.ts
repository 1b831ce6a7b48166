// Measures what the MCP actors add on top of a bare SDK Client: a ping round trip (through the `ping`
// promise actor, as the statechart invokes it) and a tools/call (through `McpConnections.callTool`), over
// stdio and over loopback Streamable HTTP, against the same test server. Ours and bare alternate in
// batches so drift hits both. Prints the `## MCP actors vs bare SDK client` section of bench/RESULTS.md.
//
//   node --import tsx bench/actors.bench.ts

import os from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { McpConnections } from '../src/actors/connection-registry.js';
import type { TransportConfig } from '../src/config/transport.js';
import { startHttpServer, stdioServer, stopHttpServers } from '../test/fixtures/test-servers.js';

const COMMAND = 'node --import tsx bench/actors.bench.ts';
const SECTION = '## MCP actors vs bare SDK client';
/** Alternating rounds of ours-then-bare (order flipped every round), calls per batch, warm-up calls. */
const ROUNDS = 40;
const PER_BATCH = 125;
const WARM_UP = 500;
const TARGET_RATIO = 1.05;

type Operation = () => Promise<unknown>;

interface Pair {
  name: string;
  /** Whether the ≤ 1.05× target applies (not to XState's own per-invocation actor cost). */
  judged: boolean;
  ours: Operation;
  bare: Operation;
}

interface Stats {
  p50: number;
  p99: number;
}

async function sample(operation: Operation, count: number, into: number[]): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await operation();
    into.push(performance.now() - started);
  }
}

function percentiles(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

async function measure(pair: Pair): Promise<{ ours: Stats; bare: Stats }> {
  await sample(pair.ours, WARM_UP, []);
  await sample(pair.bare, WARM_UP, []);
  const ours: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const batches: [Operation, number[]][] = [
      [pair.ours, ours],
      [pair.bare, bare],
    ];
    if (round % 2 === 1) batches.reverse();
    for (const [operation, into] of batches) await sample(operation, PER_BATCH, into);
  }
  return { ours: percentiles(ours), bare: percentiles(bare) };
}

/** Our side (registry + actors) and a bare SDK client, both connected to servers of `config`. */
async function pairsFor(label: string, config: TransportConfig, bareTransport: Transport): Promise<{ pairs: Pair[]; close: () => Promise<void> }> {
  const connections = new McpConnections();
  connections.register('bench', config);
  const { connectionId } = await connections.connect('bench', { timeoutMs: 10_000 });
  const client = new Client({ name: 'bare-bench', version: '1.0.0' });
  await client.connect(bareTransport);
  const args = { text: 'hello' };
  return {
    pairs: [
      {
        judged: true,
        name: `${label}: ping round trip — \`McpConnections.ping\` (the ping actor's body) vs \`client.ping()\``,
        ours: () => connections.ping('bench', connectionId, { timeoutMs: 5_000 }),
        bare: () => client.ping(),
      },
      {
        judged: true,
        name: `${label}: tools/call echo — \`McpConnections.callTool\` vs \`client.callTool()\``,
        ours: () => connections.callTool('bench', 'echo', args, { timeoutMs: 5_000 }),
        bare: () => client.callTool({ name: 'echo', arguments: args }),
      },
    ],
    close: async () => {
      await client.close();
      await connections.closeAll(2_000);
    },
  };
}

const ms = (value: number) => value.toFixed(3);

async function main() {
  const stdio = stdioServer();
  const http = await startHttpServer();
  const setups = [
    await pairsFor('stdio', stdio, new StdioClientTransport({ command: stdio.command, args: stdio.args, stderr: 'ignore' })),
    await pairsFor(
      'Streamable HTTP (127.0.0.1)',
      { type: 'streamable-http', url: http.url, headers: {}, sseFallback: false },
      new StreamableHTTPClientTransport(new URL(http.url)),
    ),
  ];
  const rows: string[] = [];
  const ratios: number[] = [];
  for (const { pairs } of setups) {
    for (const pair of pairs) {
      const { ours, bare } = await measure(pair);
      const p50Ratio = ours.p50 / bare.p50;
      const p99Ratio = ours.p99 / bare.p99;
      if (pair.judged) ratios.push(p50Ratio);
      rows.push(
        `| ${pair.name} | ${ms(ours.p50)} / ${ms(ours.p99)} | ${ms(bare.p50)} / ${ms(bare.p99)} | ${p50Ratio.toFixed(3)}× / ${p99Ratio.toFixed(3)}× |`,
      );
      console.error(`measured ${pair.name}`);
    }
  }
  for (const { close } of setups) await close();
  await stopHttpServers();

  const cpus = os.cpus();
  const worst = Math.max(...ratios);
  console.log(
    [
      SECTION,
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}` +
        ` (${cpus.length} cores), ${os.platform()} ${os.arch()}. Command: \`${COMMAND}\`.`,
      `One run: ${ROUNDS} alternating rounds of ${PER_BATCH} sequential calls per side after ${WARM_UP} warm-up calls; latency in ms,`,
      'against the test server (test/fixtures/mcp-test-server.mjs), ours and bare each on their own connection.',
      '',
      '| operation | ours p50 / p99 (ms) | bare SDK p50 / p99 (ms) | ours ÷ bare, p50 / p99 |',
      '|---|---|---|---|',
      ...rows,
      '',
      `Worst p50 ratio of our code (rows without the standalone actor) ${worst.toFixed(3)}× (target ≤ ${TARGET_RATIO}×:` +
        ` ${worst <= TARGET_RATIO ? 'met' : 'missed'}). The standalone-actor rows add XState's cost of creating, starting and` +
        ' settling one promise actor (and its actor system) per call, which the statechart pays per health check whatever the actor does.',
      '',
    ].join('\n'),
  );
}

await main();
