// HTTP server killed and restarted: a Streamable HTTP server on 127.0.0.1 is SIGKILLed, stays down a
// moment (reconnects are refused), and comes back on the same port. The supervisor must notice the loss,
// keep retrying, and be HEALTHY again soon after the server is back.

import { Supervisor, type LifecycleConfig, type Transition } from '../../src/index.js';
import { startHttpServer, stopHttpServers, type HttpServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { describeSummary, ms, summarize } from './support/stats.js';
import { sleep, waitFor } from './support/wait.js';

const ROUNDS = 5;
const DOWN_MS = 1_000;
const lifecycle: Partial<LifecycleConfig> = {
  healthCheckInterval: 500,
  warningCheckInterval: 500,
  pingTimeout: 300,
  startupWaitTime: 200,
  reconnectBaseDelay: 100,
  reconnectMaxDelay: 500,
  maxReconnectAttempts: 100,
  jitter: 0.2,
};
const interval = lifecycle.healthCheckInterval ?? 0;
const timeout = lifecycle.pingTimeout ?? 0;
/** Found by the health checks at the latest: the reconnecting threshold (default 5) of failed cycles. */
const PING_DETECTION_BOUND = 5 * (interval + timeout);
/** Back within one (jittered) maximal backoff of the server's return, plus a connect. */
const RECOVERY_BOUND = (lifecycle.reconnectMaxDelay ?? 0) * 1.2 + 1_000;

runScenario('http-restart', `a Streamable HTTP server SIGKILLed and restarted on its port, ${ROUNDS} times`, 120_000, async (report) => {
  let server: HttpServer = await startHttpServer();
  const url = server.url;
  const supervisor = new Supervisor({
    services: [{ name: 'remote', transport: { type: 'streamable-http', url, headers: {}, sseFallback: false }, lifecycle }],
  });
  const transitions: Transition[] = [];
  supervisor.transitions$.subscribe((t) => transitions.push(t));
  supervisor.start();
  await supervisor.waitForService('remote', { timeoutMs: 30_000 });

  const detections: number[] = [];
  const recoveries: number[] = [];
  const reasons = new Set<string>();
  for (let round = 1; round <= ROUNDS; round += 1) {
    await supervisor.waitForService('remote', { states: ['HEALTHY'], timeoutMs: 30_000 });
    const seen = transitions.length;
    const killedAt = Date.now();
    await server.kill();
    const lost = await waitFor(() => transitions.slice(seen).some((t) => t.to === 'RECONNECTING'), 3 * PING_DETECTION_BOUND);
    const detected = transitions.slice(seen).find((t) => t.to === 'RECONNECTING');
    if (lost === null || !detected) {
      report.check(`round ${round}: the loss is detected`, false, `not within ${ms(3 * PING_DETECTION_BOUND)}`);
      break;
    }
    detections.push(detected.at - killedAt);
    reasons.add(detected.reason.replace(/:\d+/g, ':<port>'));
    await sleep(DOWN_MS - (Date.now() - killedAt));
    server = await startHttpServer([], { port: server.port });
    const restartedAt = Date.now();
    const back = await waitFor(() => supervisor.listServices()[0]?.state === 'HEALTHY', 30_000);
    if (back === null) {
      report.check(`round ${round}: HEALTHY again after the restart`, false, `state ${supervisor.listServices()[0]?.state} after 30 s`);
      break;
    }
    const healthy = transitions.slice(seen).find((t) => t.to === 'HEALTHY');
    recoveries.push((healthy?.at ?? Date.now()) - restartedAt);
  }
  for (const reason of reasons) report.figure('RECONNECTING because', reason);
  const detection = summarize(detections);
  report.check(
    `every kill detected within the health checks' bound (${ms(PING_DETECTION_BOUND)})`,
    detections.length === ROUNDS && detection.max <= PING_DETECTION_BOUND,
    describeSummary(detection),
  );
  const recovery = summarize(recoveries);
  report.check(
    `HEALTHY again within ${ms(RECOVERY_BOUND)} of the server's return, every round`,
    recoveries.length === ROUNDS && recovery.max <= RECOVERY_BOUND,
    describeSummary(recovery),
  );

  await supervisor.stop();
  await stopHttpServers();
  const left = liveDescendants();
  report.check('0 processes left after stop() and the server\'s end', left.length === 0, describeProcesses(left));
});
