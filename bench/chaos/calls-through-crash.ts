// Calls through a crash: 1,000 tool calls in flight on one stdio server when it is SIGKILLed, and more
// calls made in the moments after, before the supervisor has noticed. Each call must settle exactly once,
// with a typed error: ConnectionLostError for a call in flight, ServiceUnavailableError once the service
// is known to be down — never a generic "Not connected", and never a wait for the call's timeout.

import { Supervisor } from '../../src/index.js';
import { stdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { ms } from './support/stats.js';
import { waitFor } from './support/wait.js';

const IN_FLIGHT = 1_000;
const CALL_TIMEOUT_MS = 120_000;
/** Calls made after the kill, one per event-loop turn, until the service is no longer available. */
const KILL_WINDOW_MAX_CALLS = 20_000;
/** Kills whose window is probed (the first with the calls in flight, then on each reconnected server). */
const KILL_ROUNDS = 5;
/** Ours: calls in flight settle this soon after the kill (the loss is known at once). */
const SETTLE_BOUND_MS = 5_000;

/** `ConnectionLostError`, or `McpActorError "…Not connected"` for the generic failure to report apart. */
function errorClass(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error ${typeof error}`;
  return /not connected/i.test(error.message) && error.constructor.name !== 'NotConnectedError'
    ? `${error.constructor.name} "${error.message}"`
    : error.constructor.name;
}

class Tally {
  readonly settles: number[];
  readonly classes = new Map<string, number>();
  resolved = 0;
  lastSettledAt = 0;

  constructor(size: number) {
    this.settles = new Array<number>(size).fill(0);
  }

  track(index: number, call: Promise<unknown>): void {
    const settle = (outcome: string) => {
      this.settles[index] = (this.settles[index] ?? 0) + 1;
      this.classes.set(outcome, (this.classes.get(outcome) ?? 0) + 1);
      this.lastSettledAt = performance.now();
    };
    call.then(
      () => {
        this.resolved += 1;
        settle('resolved');
      },
      (error: unknown) => settle(errorClass(error)),
    );
  }

  get settled(): number {
    return this.settles.filter((count) => count > 0).length;
  }

  get settledTwice(): number {
    return this.settles.filter((count) => count > 1).length;
  }

  describe(): string {
    return [...this.classes].map(([name, count]) => `${name} ${count}`).join(', ');
  }
}

runScenario('calls-through-crash', `${IN_FLIGHT} concurrent tool calls, then the server is SIGKILLed (and ${KILL_ROUNDS - 1} more kills)`, 120_000, async (report) => {
  const supervisor = new Supervisor({
    services: [{ name: 'svc', transport: stdioServer(), lifecycle: { pingTimeout: 10_000, reconnectBaseDelay: 1_000 } }],
  }).start();
  await supervisor.waitForService('svc', { timeoutMs: 30_000 });
  const pid = supervisor.getServiceInfo('svc').diagnostics?.pid ?? null;
  if (pid === null) throw new Error('no server pid');

  const inFlight = new Tally(IN_FLIGHT);
  for (let index = 0; index < IN_FLIGHT; index += 1) {
    inFlight.track(index, supervisor.callTool('svc', 'sleep', { ms: 60_000 }, { timeoutMs: CALL_TIMEOUT_MS }));
  }
  // The server counts the sleeps it has begun in its stderr lines (each runs for a minute).
  const inProgress = () => {
    const tail = supervisor.getServiceInfo('svc').diagnostics?.stderrTail ?? [];
    const counts = tail.map((line) => Number(/sleep-started=\d+ count=(\d+)/.exec(line)?.[1] ?? 0));
    return Math.max(0, ...counts);
  };
  const reached = await waitFor(() => inProgress() >= IN_FLIGHT, 60_000, 20);
  report.figure('calls running on the server before the kill', `${inProgress()} of ${IN_FLIGHT}${reached === null ? ' (not all within 60 s)' : ''}`);

  // The kill window: calls made after the kill, before the supervisor has moved the service on. It is
  // short (one exit to notice), so it is probed on several kills.
  const window = new Tally(KILL_WINDOW_MAX_CALLS);
  const after = new Tally(KILL_ROUNDS);
  let windowCalls = 0;
  let firstKilledAt = 0;
  const unavailableAfter: number[] = [];
  for (let round = 0; round < KILL_ROUNDS; round += 1) {
    const victim = round === 0 ? pid : await supervisor.waitForService('svc', { states: ['HEALTHY'], timeoutMs: 30_000 }).then(
      () => supervisor.getServiceInfo('svc').diagnostics?.pid ?? null,
    );
    if (victim === null) throw new Error('no server pid');
    const killedAt = performance.now();
    if (round === 0) firstKilledAt = killedAt;
    process.kill(victim, 'SIGKILL');
    while (windowCalls < KILL_WINDOW_MAX_CALLS && supervisor.listServices()[0]?.available) {
      window.track(windowCalls, supervisor.callTool('svc', 'echo', { text: 'x' }, { timeoutMs: CALL_TIMEOUT_MS }));
      windowCalls += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    unavailableAfter.push(performance.now() - killedAt);
    // One more, once the service is known to be down.
    after.track(round, supervisor.callTool('svc', 'echo', { text: 'x' }, { timeoutMs: CALL_TIMEOUT_MS }));
  }
  report.figure('service no longer available after each kill', unavailableAfter.map(ms).join(', '));

  await waitFor(() => inFlight.settled === IN_FLIGHT && window.settled === windowCalls && after.settled === KILL_ROUNDS, 2 * SETTLE_BOUND_MS);
  const settledIn = inFlight.lastSettledAt - firstKilledAt;
  report.check(
    `every one of the ${IN_FLIGHT} calls in flight settles, exactly once`,
    inFlight.settled === IN_FLIGHT && inFlight.settledTwice === 0,
    `${inFlight.settled} settled, ${inFlight.settledTwice} more than once`,
  );
  report.check(
    `they settle within ${ms(SETTLE_BOUND_MS)} of the kill (their timeout is ${CALL_TIMEOUT_MS / 1000} s)`,
    inFlight.settled === IN_FLIGHT && settledIn <= SETTLE_BOUND_MS,
    `the last after ${ms(settledIn)}`,
  );
  report.check(
    'each call in flight rejects with ConnectionLostError',
    inFlight.classes.get('ConnectionLostError') === IN_FLIGHT,
    inFlight.describe(),
  );
  const windowTyped = [...window.classes].filter(([name]) => name === 'ConnectionLostError' || name === 'ServiceUnavailableError');
  const windowTypedCount = windowTyped.reduce((sum, [, count]) => sum + count, 0);
  report.check(
    `each call made in the kill windows (${KILL_ROUNDS} kills) settles with ConnectionLostError or ServiceUnavailableError (no generic "Not connected")`,
    window.settled === windowCalls && windowTypedCount === windowCalls,
    windowCalls === 0 ? 'no call fell in a window' : `${windowCalls} calls: ${window.describe()}`,
  );
  report.check(
    'a call once the service is down rejects at once with ServiceUnavailableError',
    after.classes.get('ServiceUnavailableError') === KILL_ROUNDS,
    after.describe() || 'not settled',
  );

  await supervisor.stop();
  const left = liveDescendants();
  report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
});
