// Process hygiene at length: 200 crash/restart cycles through the MCP actors (4 services at a time), each
// server ending itself mid-call. Every call must fail with ConnectionLostError, every watcher see the
// loss, and afterwards no process may be left and the file descriptors be back at the baseline. (The unit
// suite runs 20 of these cycles; this is the long run.)

import { ConnectionLostError } from '../../src/actors/errors.js';
import { ActorHarness } from '../../test/fixtures/actor-harness.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { allDescendants, describeProcesses, liveDescendants, openFdCount } from './support/processes.js';
import { ms } from './support/stats.js';
import { waitFor } from './support/wait.js';

const LANES = 4;
const CYCLES_PER_LANE = 50;

runScenario('hygiene', `${LANES * CYCLES_PER_LANE} crash/restart cycles through the MCP actors`, 240_000, async (report) => {
  const harness = new ActorHarness();
  // One warm-up cycle, so what Node opens once (and keeps) is in the baseline.
  const warm = await harness.connect(stdioServer(), { serviceKey: 'warm' });
  await harness.disconnect(warm.connectionId, { serviceKey: 'warm' });
  await waitFor(() => allDescendants() === 0, 10_000);
  const baseline = openFdCount();

  let lostCalls = 0;
  let otherCalls = 0;
  let watchersSawLoss = 0;
  const otherErrors = new Set<string>();
  const cycle = async (serviceKey: string) => {
    const { connectionId } = await harness.connect(stdioServer(), { serviceKey });
    const watcher = harness.watch(connectionId, serviceKey);
    // The `exit` tool ends the server mid-call: a crash at a known moment.
    const error = await harness.connections.callTool(serviceKey, 'exit', { code: 1 }, { timeoutMs: 30_000 }).then(
      () => null,
      (failure: unknown) => failure,
    );
    if (error instanceof ConnectionLostError) lostCalls += 1;
    else {
      otherCalls += 1;
      otherErrors.add(error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error));
    }
    const lost = await watcher.next('CONNECTION_LOST', 30_000).then(
      () => true,
      () => false,
    );
    if (lost) watchersSawLoss += 1;
    watcher.stop();
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      for (let round = 0; round < CYCLES_PER_LANE; round += 1) await cycle(`lane-${lane}`);
    }),
  );
  const elapsed = performance.now() - started;
  await harness.dispose();
  const cycles = LANES * CYCLES_PER_LANE;
  report.figure('cycles', `${cycles} in ${ms(elapsed)} (${(cycles / (elapsed / 1000)).toFixed(1)}/s)`);
  report.check(
    'each call in flight when its server exits rejects with ConnectionLostError',
    lostCalls === cycles,
    `${lostCalls} of ${cycles}${otherCalls > 0 ? `; others: ${[...otherErrors].slice(0, 2).join('; ')}` : ''}`,
  );
  report.check('each watcher reports CONNECTION_LOST', watchersSawLoss === cycles, `${watchersSawLoss} of ${cycles}`);
  const left = liveDescendants();
  report.check('0 server processes running once the connections are closed', left.length === 0, describeProcesses(left));
  const reaped = await waitFor(() => allDescendants() === 0, 10_000);
  report.check('0 child processes, zombies included, shortly after', reaped !== null, String(allDescendants()));
  const fdsBack = await waitFor(() => openFdCount() <= baseline, 10_000);
  report.check('open file descriptors back at the baseline', fdsBack !== null, `${openFdCount()} now, ${baseline} before`);
});
