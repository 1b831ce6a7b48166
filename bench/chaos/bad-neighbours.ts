// Bad neighbours: next to a good stdio server, one that writes a stdout line that never ends and one
// that floods notifications/tools/list_changed. The good server's tool calls must not slow down: at most
// 50 ms added at p99 over a baseline measured in the same run without the bad servers.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Supervisor, type ServiceSpec } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario, type ScenarioReport } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { describeSummary, ms, summarize, type Summary } from './support/stats.js';
import { sleep, waitFor } from './support/wait.js';

const CALLS = 1_000;
/** A phase stops early if its calls take longer than this (a stalled event loop). */
const PHASE_MAX_MS = 5_000;
/** Fewer samples than this make no p99. */
const MIN_SAMPLES = 100;
const ADDED_P99_BOUND_MS = 50;
/** The endless line starts at the server's first ping: this soon after it connected. */
const FIRST_PING_AFTER_MS = 200;

const BAD: Record<string, ServiceSpec> = {
  'endless-line': { name: 'endless-line', transport: stdioServer(['--endless-line']), lifecycle: { startupWaitTime: FIRST_PING_AFTER_MS } },
  'list-changed-flood': { name: 'list-changed-flood', transport: stdioServer(['--flood-list-changed']) },
};

interface Phase {
  latency: Summary;
  loopDelayMax: number;
  loopDelayP99: number;
  calls: number;
  failed: number;
}

/** Sequential echo calls to the good server, with the event loop's delay meanwhile. */
async function measure(supervisor: Supervisor): Promise<Phase> {
  for (let index = 0; index < 50; index += 1) await supervisor.callTool('good', 'echo', { text: 'warm' }, { timeoutMs: 10_000 }).catch(() => undefined);
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const samples: number[] = [];
  let failed = 0;
  const started = performance.now();
  for (let index = 0; index < CALLS && performance.now() - started < PHASE_MAX_MS; index += 1) {
    const callStarted = performance.now();
    try {
      await supervisor.callTool('good', 'echo', { text: 'hello' }, { timeoutMs: 10_000 });
      samples.push(performance.now() - callStarted);
    } catch {
      failed += 1;
    }
  }
  loop.disable();
  return {
    latency: summarize(samples),
    loopDelayMax: loop.max / 1e6,
    loopDelayP99: loop.percentile(99) / 1e6,
    calls: samples.length + failed,
    failed,
  };
}

function describePhase(phase: Phase): string {
  const cut = phase.calls < CALLS ? ` — stopped after ${phase.calls} calls (${PHASE_MAX_MS / 1000} s)` : '';
  const failures = phase.failed > 0 ? `, ${phase.failed} failed` : '';
  return `${describeSummary(phase.latency)}; event-loop delay p99 ${ms(phase.loopDelayP99)}, max ${ms(phase.loopDelayMax)}${failures}${cut}`;
}

async function withNeighbours(report: ScenarioReport, supervisor: Supervisor, names: string[], baseline: Phase): Promise<void> {
  for (const name of names) supervisor.addService(BAD[name] as ServiceSpec);
  // Let them connect (or fail to), then misbehave for a moment before measuring.
  await waitFor(() => names.every((name) => supervisor.listServices().find((s) => s.key === name)?.state !== 'INITIALIZING'), 30_000);
  await sleep(FIRST_PING_AFTER_MS + 1_000);
  const phase = await measure(supervisor);
  const added = phase.latency.p99 - baseline.latency.p99;
  report.check(
    `next to ${names.join(' + ')}: the good server's p99 grows by ≤ ${ms(ADDED_P99_BOUND_MS)}`,
    phase.latency.count >= MIN_SAMPLES && phase.failed === 0 && added <= ADDED_P99_BOUND_MS,
    `+${ms(added)}: ${describePhase(phase)}`,
  );
  const states = names.map((name) => `${name} ${supervisor.listServices().find((s) => s.key === name)?.state ?? 'gone'}`);
  report.figure('the bad servers meanwhile', states.join(', '));
  await Promise.all(names.map((name) => supervisor.removeService(name)));
}

runScenario('bad-neighbours', 'an endless stdout line and a list_changed flood next to a good server', 180_000, async (report) => {
  const supervisor = new Supervisor({
    services: [{ name: 'good', transport: stdioServer(), lifecycle: { pingTimeout: 10_000 } }],
  }).start();
  await supervisor.waitForService('good', { timeoutMs: 30_000 });

  const baseline = await measure(supervisor);
  report.figure('baseline (the good server alone)', describePhase(baseline));
  await withNeighbours(report, supervisor, ['endless-line'], baseline);
  await withNeighbours(report, supervisor, ['list-changed-flood'], baseline);
  await withNeighbours(report, supervisor, ['endless-line', 'list-changed-flood'], baseline);

  await supervisor.stop();
  const left = liveDescendants();
  report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
});
