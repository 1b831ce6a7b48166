// Hung server: a stdio server that stops answering (SIGSTOP: alive, its pipes open, answering nothing).
// Only the health checks can find it, so the time to RECONNECTING follows from the config; and once
// given up on, the hung process must be ended and replaced without waiting out a graceful shutdown it
// cannot take part in.

import { Supervisor, type LifecycleConfig, type ServiceSnapshot } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants, running } from './support/processes.js';
import { ms } from './support/stats.js';
import { sleep, waitFor } from './support/wait.js';

const INTERVAL = 500;
const TIMEOUT = 300;
const THRESHOLD = 3;
const lifecycle: Partial<LifecycleConfig> = {
  healthCheckInterval: INTERVAL,
  warningCheckInterval: INTERVAL,
  pingTimeout: TIMEOUT,
  startupWaitTime: INTERVAL,
  warningFailureThreshold: 2,
  reconnectingFailureThreshold: THRESHOLD,
  reconnectBaseDelay: 100,
  jitter: 0,
};
/**
 * The health loop waits `interval`, pings (failing after `timeout`), judges, and waits again. Stopped
 * just after a successful ping, the server fails THRESHOLD pings of one cycle (interval + timeout) each;
 * stopped just before a ping, the first cycle is only `timeout` long. So detection falls in
 * [(T − 1)(interval + timeout) + timeout, T(interval + timeout)], a window one interval wide.
 */
const EARLIEST = (THRESHOLD - 1) * (INTERVAL + TIMEOUT) + TIMEOUT;
const LATEST = THRESHOLD * (INTERVAL + TIMEOUT);
/** Lateness of this process's timers on a loaded machine, over the T cycles. */
const SCHEDULING_ALLOWANCE = 100;
/** Ours: a hung server is ended within this long of being given up on (not after the ~8 s stdin → SIGTERM grace). */
const END_BOUND = 2_000;
/** Ours: HEALTHY again within this long of being given up on (end the hung one, start and initialize a new one). */
const RECOVERY_BOUND = 5_000;
/** Phases of the SIGSTOP within the waiting interval after a successful ping, as a fraction of it. */
const PHASES = [0.05, 0.5, 0.95];

runScenario('hung-server', `a server SIGSTOPped, interval ${INTERVAL} ms, ping timeout ${TIMEOUT} ms, threshold ${THRESHOLD}`, 120_000, async (report) => {
  report.figure('expected detection window (from the config)', `[${ms(EARLIEST)}, ${ms(LATEST)}] after the stop (+ ${ms(SCHEDULING_ALLOWANCE)} for timer lateness)`);
  const supervisor = new Supervisor({ services: [{ name: 'hung', transport: stdioServer(), lifecycle }] }).start();
  let latest: ServiceSnapshot | undefined;
  let pingSucceededAt = 0;
  supervisor.services$.subscribe((services) => {
    const next = services.get('hung');
    // A new successful ping: the health loop has just entered its waiting interval.
    if (next && latest && next.metadata.totalHealthChecks > latest.metadata.totalHealthChecks && next.metadata.consecutiveFailures === 0) {
      pingSucceededAt = performance.now();
    }
    latest = next;
  });
  const reconnectingAt: number[] = [];
  supervisor.transitions$.subscribe((t) => {
    if (t.to === 'RECONNECTING') reconnectingAt.push(performance.now());
  });

  for (const [round, phase] of PHASES.entries()) {
    const ready = await waitFor(() => latest?.state === 'HEALTHY' && latest.metadata.totalHealthChecks > 0, 30_000);
    if (ready === null) throw new Error(`round ${round + 1}: the service is not HEALTHY with a successful ping (state ${latest?.state})`);
    const pid = supervisor.getServiceInfo('hung').diagnostics?.pid ?? null;
    if (pid === null) throw new Error('no server pid');
    // Stop the server at a known phase of the waiting interval.
    const seen = pingSucceededAt;
    await waitFor(() => pingSucceededAt !== seen, 10 * INTERVAL, 1);
    await sleep(pingSucceededAt + phase * INTERVAL - performance.now());
    const stoppedAt = performance.now();
    const before = reconnectingAt.length;
    process.kill(pid, 'SIGSTOP');

    await waitFor(() => reconnectingAt.length > before, 10 * LATEST);
    const detectedAt = reconnectingAt[before];
    if (detectedAt === undefined) {
      report.check(`round ${round + 1}: RECONNECTING after the stop`, false, `not within ${ms(10 * LATEST)}`);
      process.kill(pid, 'SIGKILL');
      continue;
    }
    const detection = detectedAt - stoppedAt;
    const expected = LATEST - phase * INTERVAL;
    report.check(
      `round ${round + 1} (stopped ${Math.round(phase * 100)} % into the interval): detection within [${ms(EARLIEST)}, ${ms(LATEST + SCHEDULING_ALLOWANCE)}]`,
      detection >= EARLIEST && detection <= LATEST + SCHEDULING_ALLOWANCE,
      `${ms(detection)} (exactly ${ms(expected)} by the schedule)`,
    );

    const endedIn = await waitFor(() => !running(pid), 15_000, 5);
    report.check(
      `round ${round + 1}: the hung process is ended within ${ms(END_BOUND)} of RECONNECTING`,
      endedIn !== null && performance.now() - detectedAt <= END_BOUND + 10,
      endedIn === null ? 'still running after 15 s' : ms(performance.now() - detectedAt),
    );
    if (endedIn === null) process.kill(pid, 'SIGKILL');
    const recovered = await waitFor(() => latest?.state === 'HEALTHY', 30_000);
    report.check(
      `round ${round + 1}: HEALTHY again within ${ms(RECOVERY_BOUND)} of RECONNECTING`,
      recovered !== null && performance.now() - detectedAt <= RECOVERY_BOUND + 20,
      recovered === null ? `not within 30 s (state ${latest?.state})` : ms(performance.now() - detectedAt),
    );
  }

  await supervisor.stop();
  const left = liveDescendants();
  report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
});
