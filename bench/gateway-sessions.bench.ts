// 100 concurrent Streamable HTTP client sessions calling a tool through the gateway for 60 s, three
// rounds of them (loopback only): errors (must be 0), calls/s, p50/p99, and the gateway's memory (RSS,
// heap after a GC) and session count before, during and after each round's clients disconnect. The gateway runs in this process (so
// that it can GC and read its own heap), the clients in a child process.
//
//   npm run bench:gateway-sessions      CLIENTS=100 DURATION_MS=60000 ROUNDS=3 by default

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway } from '../src/gateway/gateway.js';
import { createGatewayHttpHandler } from '../src/gateway/http-handler.js';
import { listenGateway } from '../src/gateway/http-listener.js';
import { Supervisor } from '../src/supervisor/supervisor.js';
import { writeResultsSection } from './support/results-file.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = path.join(REPO, 'test/fixtures/mcp-test-server.mjs');
const CLIENTS = Number(process.env.CLIENTS ?? 100);
const DURATION_MS = Number(process.env.DURATION_MS ?? 60_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HEADING = '## Gateway: 100 concurrent Streamable HTTP sessions for 60 s';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:gateway-sessions does)');

const supervisor = new Supervisor({ services: [{ name: 'bench', transport: { type: 'stdio', command: process.execPath, args: [SERVER], env: {} } }] }).start();
await supervisor.waitForService('bench', { timeoutMs: 30_000 });
const gateway = createGateway(supervisor, { namespace: 'none' });
const handler = createGatewayHttpHandler(gateway, { maxSessions: CLIENTS * 2 });
const listener = await listenGateway(handler, { host: '127.0.0.1', port: 0 });

interface Sample {
  sessions: number;
  rssMiB: number;
  heapMiB: number;
}
const sample = (): Sample => {
  gc();
  const memory = process.memoryUsage();
  return { sessions: gateway.sessionCount, rssMiB: memory.rss / 2 ** 20, heapMiB: memory.heapUsed / 2 ** 20 };
};

interface Load {
  calls: number;
  errors: number;
  p50: number;
  p99: number;
  elapsedMs: number;
  causes: string[];
}

/** One round: `clients` sessions open, call for `durationMs`, and disconnect; with the samples taken during it. */
async function round(clients = CLIENTS, durationMs = DURATION_MS): Promise<{ load: Load; during: Sample[]; after: Sample }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench/support/session-clients.ts'), listener.url, String(clients), String(durationMs)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), durationMs + 120_000);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // During: the peak of the samples taken every 5 s while the calls run.
  const during: Sample[] = [];
  const sampler = setInterval(() => {
    if (stderr.includes('connected') && !stderr.includes('calls done')) during.push(sample());
  }, 5_000);
  const code = await exited;
  clearInterval(sampler);
  clearTimeout(killer);
  if (code !== 0) throw new Error(`the clients' process ended with ${code}:\n${stderr}`);
  const load = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Load;
  // The sessions' DELETEs have been answered; give closing transports a moment before the sample.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return { load, during, after: sample() };
}

const cold = sample();
// One client for a few seconds first: what any first use costs (compiled code, the SDK's schemas) is
// then in the baseline, and the rounds show what sessions leave behind.
await round(1, 5_000);
const before = sample();
const rounds: Awaited<ReturnType<typeof round>>[] = [];
for (let index = 0; index < ROUNDS; index += 1) rounds.push(await round());
await listener.close();
await gateway.close();
await supervisor.stop();

const peak = (samples: Sample[], key: keyof Sample) => Math.max(...samples.map((entry) => entry[key]));
const mib = (value: number) => `${value.toFixed(1)} MiB`;
const errors = rounds.reduce((sum, { load }) => sum + load.errors, 0);
const causes = [...new Set(rounds.flatMap(({ load }) => load.causes))].slice(0, 5);
const first = rounds[0]?.after ?? before;
const last = rounds.at(-1)?.after ?? before;
const perRound = rounds.length > 1 ? (last.heapMiB - first.heapMiB) / (rounds.length - 1) : NaN;
const section = `${HEADING}

\`npm run bench:gateway-sessions\` (${new Date().toISOString().slice(0, 10)}, ${process.env.BENCH_MACHINE ?? 'machine load not stated (set BENCH_MACHINE)'}):
${ROUNDS} rounds, each of ${CLIENTS} SDK v2 clients (2025-era handshake: one gateway session each) in a child process,
each calling \`echo\` one call after another for ${(DURATION_MS / 1000).toFixed(0)} s through the gateway on 127.0.0.1, in front of one
stdio test server, then ending its session.

| round | calls | errors | calls/s | p50 | p99 |
|---|---|---|---|---|---|
${rounds.map(({ load }, index) => `| ${index + 1} | ${load.calls.toLocaleString('en')} | ${load.errors} | ${(load.calls / (load.elapsedMs / 1000)).toFixed(0)} | ${load.p50.toFixed(2)} ms | ${load.p99.toFixed(2)} ms |`).join('\n')}

The gateway's process (heap after a forced GC; "during" is the highest of the samples taken every 5 s):

| | sessions | RSS | heap |
|---|---|---|---|
| at start | ${cold.sessions} | ${mib(cold.rssMiB)} | ${mib(cold.heapMiB)} |
| after one client's 5 s warm-up | ${before.sessions} | ${mib(before.rssMiB)} | ${mib(before.heapMiB)} |
${rounds
  .map(
    ({ during, after }, index) =>
      `| round ${index + 1}, during | ${peak(during, 'sessions')} | ${mib(peak(during, 'rssMiB'))} | ${mib(peak(during, 'heapMiB'))} |\n| round ${index + 1}, after its clients left | ${after.sessions} | ${mib(after.rssMiB)} | ${mib(after.heapMiB)} |`,
  )
  .join('\n')}

${errors === 0 ? '' : `The errors (must be 0), first distinct causes:\n\n${causes.map((cause) => `- \`${cause.replace(/`/g, "'")}\``).join('\n')}\n\n`}After the last round ${last.sessions} session(s) remain. After the first round the heap is ${(first.heapMiB / before.heapMiB).toFixed(2)}× the warmed-up heap
(${(first.heapMiB / cold.heapMiB).toFixed(2)}× the heap at start). From then on the heap after each round changes by ${Number.isNaN(perRound) ? 'n/a (one round)' : `${perRound >= 0 ? '+' : ''}${(perRound * 1024).toFixed(0)} KiB per round`} (${mib(first.heapMiB)} after the first, ${mib(last.heapMiB)} after the last): a leak of what
${CLIENTS} sessions hold would show as growth of about the same size each round.
`;
console.log(section);
await writeResultsSection(HEADING, section);
if (errors > 0 || last.sessions > before.sessions) process.exitCode = 1;
process.exit();
