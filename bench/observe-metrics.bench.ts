// What the Prometheus metrics cost a fleet of 1,000 services: one scrape (`registry.metrics()`: time
// and size), and the CPU the metrics add to health rounds (the same rounds in virtual time, with and
// without metrics following the streams). Prints its figures; about half a minute.
//
//   node --import tsx bench/observe-metrics.bench.ts

import { InstrumentedConnections } from '../src/observe/instrumented-connections.js';
import { SupervisorMetrics } from '../src/observe/supervisor-metrics.js';
import { Supervisor, type ServiceSpec } from '../src/supervisor/supervisor.js';
import { InMemoryConnections } from '../src/testing/in-memory-connections.js';
import { VirtualClock } from '../src/supervisor/virtual-clock.js';

const SERVICES = 1_000;
const ROUNDS = 20;
const SCRAPES = 20;
const INTERVAL_MS = 30_000;

const services: ServiceSpec[] = Array.from({ length: SERVICES }, (_, index) => ({
  name: `svc-${index}`,
  transport: { type: 'stdio', command: 'node', args: [], env: {} },
}));

async function fleet(withMetrics: boolean) {
  const clock = new VirtualClock(1_700_000_000_000);
  const fake = new InMemoryConnections({ clock, recordCalls: false });
  const metrics = withMetrics ? new SupervisorMetrics({ defaultMetrics: false }) : null;
  const connections = metrics ? new InstrumentedConnections(fake, metrics.recordToolCall, () => clock.now()) : fake;
  const supervisor = new Supervisor({ services }, { connections, clock, random: Math.random, batchWindowMs: 50 });
  if (metrics && connections instanceof InstrumentedConnections) metrics.observe(supervisor);
  supervisor.start();
  const time = clock;
  await time.advanceUntil(() => supervisor.listServices().every((service) => service.metadata.totalHealthChecks >= 1), 10 * 60_000);
  return { supervisor, metrics, time };
}

/** CPU (user + system, ms) of `rounds` health rounds. */
async function roundsCpu(withMetrics: boolean): Promise<{ cpuMs: number; metrics: SupervisorMetrics | null; supervisor: Supervisor }> {
  const { supervisor, metrics, time } = await fleet(withMetrics);
  const start = process.cpuUsage();
  await time.advance(ROUNDS * INTERVAL_MS);
  const used = process.cpuUsage(start);
  return { cpuMs: (used.user + used.system) / 1000, metrics, supervisor };
}

const bare = await roundsCpu(false);
await bare.supervisor.stop();
const observed = await roundsCpu(true);
const registry = observed.metrics?.registry;
if (!registry) throw new Error('no registry');
const timings: number[] = [];
let bytes = 0;
for (let scrape = 0; scrape < SCRAPES; scrape++) {
  const start = performance.now();
  const text = await registry.metrics();
  timings.push(performance.now() - start);
  bytes = Buffer.byteLength(text);
}
await observed.supervisor.stop();
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? 0;
console.log(`${SERVICES} services, ${ROUNDS} health rounds in virtual time`);
console.log(`  rounds without metrics: ${bare.cpuMs.toFixed(0)} ms CPU; with metrics: ${observed.cpuMs.toFixed(0)} ms CPU (${(((observed.cpuMs - bare.cpuMs) / bare.cpuMs) * 100).toFixed(1)} %)`);
console.log(`  one scrape: median ${median.toFixed(1)} ms, max ${(timings.at(-1) ?? 0).toFixed(1)} ms, ${(bytes / 1024).toFixed(0)} KiB of text`);
