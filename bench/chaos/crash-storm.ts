// Crash storm: 30 stdio servers, and every 200 ms for 60 s one of the HEALTHY ones is SIGKILLed. The
// supervisor must notice each crash at once (the process exit, not a ping), bring every service back,
// and leave no process, file descriptor, handle or timer behind when it stops.

import { Supervisor, type ServiceSpec, type Transition } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { activeResources, describeProcesses, describeResources, liveDescendants, openFdCount, allDescendants, resourceGrowth } from './support/processes.js';
import { describeSummary, ms, summarize } from './support/stats.js';
import { sleep, waitFor } from './support/wait.js';

const SERVICES = 30;
const KILL_EVERY_MS = 200;
const STORM_MS = 60_000;
/** A kill counts as detected when the service goes RECONNECTING within this long. */
const DETECTION_GIVE_UP_MS = 10_000;
/** Ours: "at once" on a loaded 2-core machine (a closed transport moves to RECONNECTING with no ping wait). */
const DETECTION_P99_BOUND_MS = 1_000;

interface Kill {
  service: string;
  pid: number;
  at: number;
}

runScenario('crash-storm', `${SERVICES} servers, a SIGKILL every ${KILL_EVERY_MS} ms for ${STORM_MS / 1000} s`, 240_000, async (report) => {
  const specs = (prefix: string, count: number): ServiceSpec[] =>
    Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${String(index).padStart(2, '0')}`, transport: stdioServer() }));

  // Warm-up: what Node opens once and keeps (signal pipes, module state) belongs in the baseline.
  const warm = new Supervisor({ services: specs('warm', 1) }).start();
  await warm.waitForService('warm-00', { timeoutMs: 30_000 });
  await warm.stop();
  await waitFor(() => allDescendants() === 0, 10_000);
  const baselineFds = openFdCount();
  const baselineResources = activeResources();

  const supervisor = new Supervisor({ services: specs('svc', SERVICES) });
  const transitions: Transition[] = [];
  supervisor.transitions$.subscribe((transition) => transitions.push(transition));
  const healthy = () => supervisor.listServices().filter((service) => service.state === 'HEALTHY');
  supervisor.start();
  const startedIn = await waitFor(() => healthy().length === SERVICES, 120_000, 50);
  report.figure(`all ${SERVICES} HEALTHY after start`, startedIn === null ? `no (${healthy().length})` : ms(startedIn));

  // The storm: tick k at start + k × 200 ms, so a slow tick does not stretch the storm.
  const kills: Kill[] = [];
  let skipped = 0;
  const stormStart = performance.now();
  for (let tick = 0; tick < STORM_MS / KILL_EVERY_MS; tick += 1) {
    await sleep(stormStart + tick * KILL_EVERY_MS - performance.now());
    const candidates = healthy()
      .map((service) => ({ service: service.key, pid: supervisor.getServiceInfo(service.key).diagnostics?.pid ?? null }))
      .filter((candidate): candidate is { service: string; pid: number } => candidate.pid !== null);
    const victim = candidates[Math.floor(Math.random() * candidates.length)];
    if (!victim) {
      skipped += 1;
      continue;
    }
    try {
      process.kill(victim.pid, 'SIGKILL');
      kills.push({ ...victim, at: Date.now() });
    } catch {
      skipped += 1; // exited between the snapshot and the kill
    }
  }
  report.figure('kills', `${kills.length} (${skipped} ticks found no HEALTHY service with a live process)`);

  const detectionOf = (kill: Kill) =>
    transitions.find((t) => t.service === kill.service && t.to === 'RECONNECTING' && t.at >= kill.at - 1 && t.at - kill.at <= DETECTION_GIVE_UP_MS);
  await waitFor(() => kills.every((kill) => detectionOf(kill) !== undefined), DETECTION_GIVE_UP_MS);
  const latencies: number[] = [];
  let undetected = 0;
  let detectedByPing = 0;
  for (const kill of kills) {
    const detected = detectionOf(kill);
    if (!detected) undetected += 1;
    else {
      latencies.push(Math.max(0, detected.at - kill.at));
      if (!/connection lost/.test(detected.reason)) detectedByPing += 1;
    }
  }
  const detection = summarize(latencies);
  report.check('every kill is detected (→ RECONNECTING)', undetected === 0 && kills.length > 0, `${kills.length - undetected} of ${kills.length}`);
  report.check('each is detected from the process exit, not a failed ping', detectedByPing === 0, `${detectedByPing} by ping`);
  report.check(
    `detection latency, kill → RECONNECTING: p99 ≤ ${ms(DETECTION_P99_BOUND_MS)}`,
    detection.p99 <= DETECTION_P99_BOUND_MS,
    describeSummary(detection),
  );

  const recoveredIn = await waitFor(() => healthy().length === SERVICES, 120_000, 50);
  report.check(
    `all ${SERVICES} services HEALTHY after the storm`,
    recoveredIn !== null,
    recoveredIn === null ? `${healthy().length} of ${SERVICES} after 120 s` : `after ${ms(recoveredIn)}`,
  );
  const states = new Map<string, number>();
  for (const service of supervisor.listServices()) states.set(service.state, (states.get(service.state) ?? 0) + 1);
  report.figure('states after the storm', [...states].map(([state, count]) => `${state} ${count}`).join(', '));

  const stopStarted = performance.now();
  await supervisor.stop();
  const stopMs = performance.now() - stopStarted;
  const leftAtStop = liveDescendants();
  report.check('0 server processes running when stop() resolves', leftAtStop.length === 0, `${describeProcesses(leftAtStop)} (stop took ${ms(stopMs)})`);
  const reaped = await waitFor(() => allDescendants() === 0, 10_000);
  report.check('0 child processes, zombies included, shortly after', reaped !== null, reaped === null ? `${allDescendants()} after 10 s` : `after ${ms(reaped)}`);
  const fdsBack = await waitFor(() => openFdCount() <= baselineFds, 10_000);
  report.check('open file descriptors back at the baseline', fdsBack !== null, `${openFdCount()} now, ${baselineFds} before`);
  const resourcesBack = await waitFor(() => resourceGrowth(baselineResources, activeResources()) === '', 10_000);
  report.check(
    'active handles and timers back at the baseline',
    resourcesBack !== null,
    resourcesBack !== null ? describeResources(activeResources()) : resourceGrowth(baselineResources, activeResources()),
  );
});
