// Call limits: a tool result too large for one stdio line buffer (50 MiB), and calls whose abort signal
// fires before or during the call. A too-large result must surface at once (a result or a clear error),
// not as a timeout; an aborted call rejects with the signal's own reason.

import { Supervisor } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { ms } from './support/stats.js';

const BIG_MIB = 50;
const BIG_TIMEOUT_MS = 15_000;

/** How a call ended: its outcome, and how long it took. */
async function outcome(call: Promise<unknown>): Promise<{ value: unknown; error: unknown; ms: number }> {
  const started = performance.now();
  try {
    return { value: await call, error: undefined, ms: performance.now() - started };
  } catch (error) {
    return { value: undefined, error, ms: performance.now() - started };
  }
}

const describe = (error: unknown) => (error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 120)}` : String(error));

runScenario('call-limits', `a ${BIG_MIB} MiB tool result; calls with an aborted signal`, 120_000, async (report) => {
  const supervisor = new Supervisor({
    services: [{ name: 'svc', transport: stdioServer(['--blob-tool']), lifecycle: { pingTimeout: 10_000 } }],
  }).start();
  await supervisor.waitForService('svc', { timeoutMs: 30_000 });

  const big = await outcome(supervisor.callTool('svc', 'blob', { bytes: BIG_MIB * 1024 * 1024 }, { timeoutMs: BIG_TIMEOUT_MS }));
  const timedOut = big.error instanceof Error && big.error.constructor.name === 'ToolCallTimeoutError';
  report.check(
    `a ${BIG_MIB} MiB result surfaces (a result or a clear error) before the call's ${BIG_TIMEOUT_MS / 1000} s timeout`,
    !timedOut,
    `${big.error === undefined ? 'resolved' : describe(big.error)} after ${ms(big.ms)}`,
  );
  // The service must still work after it.
  await supervisor.waitForService('svc', { timeoutMs: 30_000 });
  const echo = await outcome(supervisor.callTool('svc', 'echo', { text: 'still here' }, { timeoutMs: 10_000 }));
  report.check('the next call on the service works', echo.error === undefined, echo.error === undefined ? `after ${ms(echo.ms)}` : describe(echo.error));

  const before = new Error('the caller gave up before calling');
  const preAborted = await outcome(supervisor.callTool('svc', 'echo', { text: 'x' }, { signal: AbortSignal.abort(before) }));
  report.check('a call with an already aborted signal rejects with signal.reason', preAborted.error === before, describe(preAborted.error));

  const during = new Error('the caller gave up mid-call');
  const controller = new AbortController();
  const call = outcome(supervisor.callTool('svc', 'sleep', { ms: 10_000 }, { signal: controller.signal, timeoutMs: 30_000 }));
  setTimeout(() => controller.abort(during), 200);
  const midCall = await call;
  report.check('a call aborted mid-call rejects with signal.reason', midCall.error === during, `${describe(midCall.error)} after ${ms(midCall.ms)}`);

  await supervisor.stop();
  const left = liveDescendants();
  report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
});
