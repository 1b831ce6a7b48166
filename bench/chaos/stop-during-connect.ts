// Stop during connect: servers slow to initialize, and the supervisor stopped (or the services removed)
// while their connects are in flight. When stop() or removeService() resolves, no process of those
// servers may still run.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor, type ServiceSpec } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { ms } from './support/stats.js';
import { sleep, waitFor } from './support/wait.js';

const STOP_SERVICES = 6;
const REMOVE_SERVICES = 10;
const ROUNDS = 3;
/** How long after start() (or addService) the stop comes: the servers are still starting. */
const STOP_AFTER_MS = 120;
/** The servers take this long to answer initialize (their stdin unread meanwhile). */
const START_DELAY_MS = 3_000;

runScenario('stop-during-connect', `stop() / removeService() ${STOP_AFTER_MS} ms into connects of slow-starting servers`, 120_000, async (report) => {
  const scratch = mkdtempSync(join(tmpdir(), 'mcp-chaos-stop-'));
  // Each server's command line names its service (the pid file path), so its processes can be told apart.
  const spec = (name: string): ServiceSpec => ({
    name,
    transport: stdioServer(['--start-delay', String(START_DELAY_MS), '--pid-file', join(scratch, `${name}.json`)]),
    lifecycle: { connectTimeout: 30_000 },
  });
  const processesOf = (name: string) => liveDescendants().filter((entry) => entry.command.includes(`/${name}.json`));
  try {
    let aliveAtStop = 0;
    let started = 0;
    let stopTook = 0;
    let lastLeft = '0';
    for (let round = 1; round <= ROUNDS; round += 1) {
      const names = Array.from({ length: STOP_SERVICES }, (_, index) => `stop-${round}-${index}`);
      const supervisor = new Supervisor({ services: names.map(spec) }).start();
      await sleep(STOP_AFTER_MS);
      started += liveDescendants().length;
      const before = performance.now();
      await supervisor.stop();
      stopTook = Math.max(stopTook, performance.now() - before);
      const left = liveDescendants();
      aliveAtStop += left.length;
      if (left.length > 0) lastLeft = describeProcesses(left);
      // Clean up what was left (by PID) before the next round, so rounds do not add up.
      for (const { pid } of left) process.kill(pid, 'SIGKILL');
      await waitFor(() => liveDescendants().length === 0, 5_000);
    }
    report.figure('server processes running when stop() was called', `${started} over ${ROUNDS} rounds of ${STOP_SERVICES}`);
    report.check(
      '0 server processes running when stop() resolves',
      aliveAtStop === 0,
      `${aliveAtStop} of ${started} (the longest stop took ${ms(stopTook)})${aliveAtStop > 0 ? `; e.g. ${lastLeft}` : ''}`,
    );

    const supervisor = new Supervisor({ services: [] }).start();
    const names = Array.from({ length: REMOVE_SERVICES }, (_, index) => `remove-${index}`);
    for (const name of names) supervisor.addService(spec(name));
    await sleep(STOP_AFTER_MS);
    const startedForRemove = liveDescendants().length;
    const aliveAtRemove = await Promise.all(
      names.map(async (name) => {
        await supervisor.removeService(name);
        return processesOf(name).length;
      }),
    );
    const alive = aliveAtRemove.reduce((sum, count) => sum + count, 0);
    report.check(
      "0 processes of a service running when its removeService() resolves",
      alive === 0,
      `${alive} of ${startedForRemove} (${aliveAtRemove.filter((count) => count > 0).length} of ${REMOVE_SERVICES} services)`,
    );
    await supervisor.stop();
    const left = liveDescendants();
    report.check('0 server processes running when the final stop() resolves', left.length === 0, describeProcesses(left));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
});
