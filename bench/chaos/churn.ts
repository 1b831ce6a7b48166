// Churn: 2,000 add → HEALTHY → remove cycles of stdio services on one running supervisor. A removed
// service must leave nothing behind: heap (after GC), active handles and timers, file descriptors and
// child processes end where they started.

import { Supervisor } from '../../src/index.js';
import { tinyStdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import {
  activeResources,
  allDescendants,
  describeProcesses,
  describeResources,
  heapAfterGc,
  liveDescendants,
  openFdCount,
  resourceGrowth,
} from './support/processes.js';
import { mib, ms } from './support/stats.js';
import { waitFor } from './support/wait.js';

const CYCLES = 2_000;
const LANES = 4;
const WARM_UP = 40;
/**
 * Heap after GC is sampled every this many cycles. Growth is judged over the second half of the run: the
 * heap still settles over the first thousand cycles or so, even when every cycle reuses one name; a leak
 * keeps its slope to the end (the per-name one this scenario found grew ~0.7 KiB a cycle throughout).
 */
const SAMPLE_EVERY = 250;
/** Ours: "flat" is under 256 bytes a cycle between the samples; a leaked actor or connection costs kilobytes. */
const HEAP_SLOPE_BOUND = 256;

runScenario('churn', `${CYCLES} add/remove cycles of stdio services (${LANES} at a time)`, 180_000, async (report) => {
  const supervisor = new Supervisor({ services: [] }).start();
  let serial = 0;
  const cycle = async () => {
    serial += 1;
    const name = `churn-${serial}`;
    // The tiny shell server (a real process and pipes, a few ms to start): the cost is ours, not Node's.
    supervisor.addService({ name, transport: tinyStdioServer(name), lifecycle: { healthCheckInterval: 50, startupWaitTime: 0 } });
    await supervisor.waitForService(name, { states: ['HEALTHY'], timeoutMs: 30_000 });
    await supervisor.removeService(name);
  };
  const run = async (cycles: number, onProgress?: (done: number) => void) => {
    let begun = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: LANES }, async () => {
        while (begun < cycles) {
          begun += 1;
          await cycle();
          done += 1;
          onProgress?.(done);
        }
      }),
    );
  };

  await run(WARM_UP);
  await waitFor(() => allDescendants() === 0, 10_000);
  const baseline = { heap: heapAfterGc(), fds: openFdCount(), resources: activeResources() };
  report.figure('baseline after warm-up', `heap ${mib(baseline.heap)}, ${baseline.fds} fds, ${describeResources(baseline.resources)}`);

  const started = performance.now();
  const samples: { cycle: number; heap: number }[] = [];
  let nextSample = SAMPLE_EVERY;
  await run(CYCLES, (done) => {
    // Between cycles of all lanes would be fairer, but a GC pause here only slows the other lanes.
    if (done >= nextSample) {
      nextSample += SAMPLE_EVERY;
      samples.push({ cycle: done, heap: heapAfterGc() });
    }
  });
  const elapsed = performance.now() - started;
  report.figure('cycles', `${serial - WARM_UP} in ${ms(elapsed)} (${((serial - WARM_UP) / (elapsed / 1000)).toFixed(0)}/s)`);
  report.figure('heap after GC along the way', samples.map((sample) => `${sample.cycle}: ${mib(sample.heap)}`).join(', '));
  report.check('the fleet is empty again', supervisor.listServices().length === 0, `${supervisor.listServices().length} services listed`);

  const reaped = await waitFor(() => allDescendants() === 0, 10_000);
  report.check('0 child processes (zombies included)', reaped !== null, describeProcesses(liveDescendants()));
  const fdsBack = await waitFor(() => openFdCount() <= baseline.fds, 10_000);
  report.check('open file descriptors at the baseline', fdsBack !== null, `${openFdCount()} now, ${baseline.fds} before`);
  const resourcesBack = await waitFor(() => resourceGrowth(baseline.resources, activeResources()) === '', 10_000);
  report.check(
    'active handles and timers at the baseline',
    resourcesBack !== null,
    resourcesBack !== null ? describeResources(activeResources()) : resourceGrowth(baseline.resources, activeResources()),
  );
  const end = { cycle: CYCLES, heap: heapAfterGc() };
  const first = samples.find((sample) => sample.cycle >= CYCLES / 2) ?? end;
  const slope = (end.heap - first.heap) / Math.max(1, end.cycle - first.cycle);
  report.check(
    `heap after GC flat: ≤ ${HEAP_SLOPE_BOUND} bytes a cycle from cycle ${first.cycle} to ${end.cycle}`,
    slope <= HEAP_SLOPE_BOUND,
    `${slope.toFixed(0)} bytes a cycle (${mib(end.heap - baseline.heap)} over the baseline in all)`,
  );

  await supervisor.stop();
  const left = liveDescendants();
  report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
});
