// Measures what an idle fleet costs on the REAL clock, as in production: 1,000 services at the default
// 30 s health-check interval, each an SDK v2 server in this process reached through the product's own
// connection code over InMemoryTransport (InMemoryConnections of mcp-supervisor/testing). Reports the process's CPU over four whole
// health-check periods as % of one core against the ≤ 2 % target, what the same servers and clients cost
// when simply pinged every 30 s, and the `services$` emissions per health round. Bounded: about 2.5 min.
// Rewrites the `## Fleet CPU on the real clock` section of bench/RESULTS.md.
//
//   node --import tsx bench/fleet-cpu.bench.ts                         (npm run bench:fleet-cpu)
//   node --import tsx bench/fleet-cpu.bench.ts --batch-window-ms 0     (services$ batching per tick, to compare)

import os from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_LIFECYCLE_CONFIG } from '../src/machines/defaults.js';
import { Supervisor, type ServiceSpec } from '../src/supervisor/supervisor.js';
import { InMemoryConnections } from '../src/testing/in-memory-connections.js';
import { openConnections } from './support/open-connections.js';
import { writeResultsSection } from './support/results-file.js';

const COMMAND = 'node --import tsx bench/fleet-cpu.bench.ts';
const SECTION = '## Fleet CPU on the real clock';
const SERVICES = 1_000;
const INTERVAL_MS = DEFAULT_LIFECYCLE_CONFIG.healthCheckInterval;
/** Whole health-check periods measured, from the end of one round to the end of the round this many later. */
const PERIODS = 4;
const BARE_ROUNDS = 5;
const TARGET_CPU_PERCENT = 2;
/** Real-time bound of every wait: bring-up, the first round, the measured window. */
const LIMIT_MS = 60_000 + (PERIODS + 1) * INTERVAL_MS;

const { values: flags } = parseArgs({ options: { 'batch-window-ms': { type: 'string' } }, strict: true });
const batchWindowMs = flags['batch-window-ms'] === undefined ? undefined : Number(flags['batch-window-ms']);

/** What the numbers mean; written under the table. */
const READING = [
  'Reading: the CPU share is of the whole process and moves with the machine\'s load (this machine has 2 shared cores);',
  'the emission count does not. Where the busy time of a health check goes is profiled in the fleet section above',
  '(bench/fleet.bench.ts): XState\'s event machinery and the garbage it makes, then the SDK and zod answering the',
  'probes; src/ is a few per cent. Earlier runs of the same bench (2026-12-01, before the long-lived connection actor',
  'and the grouped context, on the SDK v1 in-memory pairs) gave 2.30–4.40 %.',
];

const log = (line: string) => console.error(`  [fleet-cpu] ${line}`);
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** CPU of one `Promise.all(ping)` over N fresh connections: what the servers, clients and connection code cost per round. */
async function bareRoundCpuMs(): Promise<number> {
  const layer = new InMemoryConnections({ recordCalls: false });
  const connections = await openConnections(layer, Array.from({ length: SERVICES }, (_, index) => `bare-${index}`));
  const rounds: number[] = [];
  for (let round = 0; round <= BARE_ROUNDS; round += 1) {
    const start = process.cpuUsage();
    await Promise.all(connections.map((connection) => connection.ping({ timeoutMs: 10_000 })));
    // The first is a warm-up.
    if (round > 0) rounds.push(cpuMsSince(start));
  }
  await layer.closeAll();
  return median(rounds);
}

interface Round {
  emissions: number;
  /** From the round's first emission to its last, ms: how far the health checks of one round spread. */
  spreadMs: number;
}

async function main() {
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const bareCpuMs = await bareRoundCpuMs();
  log(`bare ping round: ${bareCpuMs.toFixed(1)} ms CPU`);

  const connections = new InMemoryConnections({ recordCalls: false });
  const specs: ServiceSpec[] = Array.from({ length: SERVICES }, (_, index) => ({
    name: `svc-${index}`,
    transport: { type: 'stdio', command: 'in-memory', args: [], env: {} },
  }));
  const supervisor = new Supervisor({ services: specs }, { connections, ...(batchWindowMs === undefined ? {} : { batchWindowMs }) });

  // The round a ping belongs to: the k-th health check of every service is round k.
  const roundOf = () => Math.ceil(connections.probesSent / SERVICES);
  const rounds = new Map<number, { emissions: number; first: number; last: number }>();
  let waiting: { round: number; resolve: () => void } | null = null;
  const subscription = supervisor.services$.subscribe(() => {
    const now = performance.now();
    const round = roundOf();
    const entry = rounds.get(round) ?? { emissions: 0, first: now, last: now };
    entry.emissions += 1;
    entry.last = now;
    rounds.set(round, entry);
    if (waiting && connections.probesSent >= waiting.round * SERVICES) {
      waiting.resolve();
      waiting = null;
    }
  });
  /** Resolves at the first emission after every service's `round`-th health check. */
  const endOfRound = (round: number) =>
    within(
      new Promise<void>((resolve) => {
        waiting = { round, resolve };
      }),
      LIMIT_MS,
      `health-check round ${round}`,
    );

  const startedAt = performance.now();
  supervisor.start();
  await endOfRound(1);
  log(`${SERVICES} services HEALTHY and checked once after ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);

  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await endOfRound(1 + PERIODS);
  const cpuMs = cpuMsSince(cpuStart);
  const wallMs = performance.now() - wallStart;
  log(`measured ${(wallMs / 1000).toFixed(1)} s`);

  subscription.unsubscribe();
  const stopStart = performance.now();
  await supervisor.stop();
  const stopMs = performance.now() - stopStart;
  const loadAfter = os.loadavg()[0] ?? Number.NaN;

  const measured: Round[] = [];
  for (let round = 2; round <= 1 + PERIODS; round += 1) {
    const entry = rounds.get(round);
    measured.push({ emissions: entry?.emissions ?? 0, spreadMs: entry ? entry.last - entry.first : 0 });
  }
  const cpuPercent = (cpuMs / wallMs) * 100;
  const barePercent = (bareCpuMs / INTERVAL_MS) * 100;
  const verdict =
    cpuPercent <= TARGET_CPU_PERCENT
      ? `**Target met**: ${cpuPercent.toFixed(2)} % of one core (target ≤ ${TARGET_CPU_PERCENT} %).`
      : `**Target missed**: ${cpuPercent.toFixed(2)} % of one core, ${(cpuPercent - TARGET_CPU_PERCENT).toFixed(2)} points ` +
        `(${((cpuPercent / TARGET_CPU_PERCENT - 1) * 100).toFixed(0)} %) over the ≤ ${TARGET_CPU_PERCENT} % target.`;
  const cpus = os.cpus();
  const window = batchWindowMs === undefined ? 'the default `batchWindowMs` (50 ms on the real clock)' : `\`batchWindowMs: ${batchWindowMs}\``;
  const section = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus[0]?.model.trim() ?? 'unknown CPU'}` +
      ` (${cpus.length} cores), ${os.platform()} ${os.arch()}. Command: \`${COMMAND}${batchWindowMs === undefined ? '' : ` --batch-window-ms ${batchWindowMs}`}\`` +
      ` (\`npm run bench:fleet-cpu\`). Load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadAfter.toFixed(2)} at the end.`,
    '',
    `Setup: ${SERVICES.toLocaleString('en-US')} services, each an SDK v2 server in this process reached through the product's own connection`,
    'code (McpConnections, McpConnection, the connection actor) over `InMemoryTransport` (`InMemoryConnections` of',
    '`mcp-supervisor/testing`, calls not recorded), under a `Supervisor` on the real clock (real timers),',
    `default lifecycle settings (health check every ${INTERVAL_MS / 1000} s), ${window}. CPU is \`process.cpuUsage()\``,
    `(user + system) of the whole process — supervisor, clients and servers — from the end of the first health round to`,
    `the end of the ${1 + PERIODS}th: ${PERIODS} whole periods. A round's emissions are those between the end of the round`,
    'before and the end of this one.',
    '',
    '| measurement | value |',
    '|---|---|',
    `| **CPU, % of one core, supervisor + servers + clients** (target ≤ ${TARGET_CPU_PERCENT} %) | **${cpuPercent.toFixed(2)} %** (${cpuMs.toFixed(0)} ms over ${(wallMs / 1000).toFixed(1)} s) |`,
    `| of which the servers, clients and connection code answering one ping each per ${INTERVAL_MS / 1000} s (bare \`Promise.all(connection.ping)\` rounds over fresh connections, median of ${BARE_ROUNDS}) | ${barePercent.toFixed(2)} % (${bareCpuMs.toFixed(1)} ms a round) |`,
    `| CPU per health round, supervisor + servers + clients | ${(cpuMs / PERIODS).toFixed(0)} ms |`,
    `| **\`services$\` emissions per health round**, each measured round | **${measured.map((round) => round.emissions).join(', ')}** |`,
    `| spread of a round: first to last emission (ms), each round | ${measured.map((round) => round.spreadMs.toFixed(0)).join(', ')} |`,
    `| \`await supervisor.stop()\` (s) | ${(stopMs / 1000).toFixed(2)} |`,
    '',
    verdict,
    '',
    ...READING,
    '',
  ].join('\n');
  console.log(section);
  await writeResultsSection(SECTION, section);
}

await main();
