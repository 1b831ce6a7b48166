// Hot reload under edit bursts: the config file of a running fleet is rewritten 200 times, in bursts
// faster than the reload debounce, some edits invalid, some saved the way editors do (a temp file
// renamed over). After each burst the fleet must match the file's last valid content, every reload
// must be reported on configEvents$ (applied or rejected), and an apply that fails (a service the app
// added from code, then also in the file) must be reported too and leave hot reload working.

import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Supervisor, type ConfigReloadEvent } from '../../src/index.js';
import { TINY_SERVER, tinyStdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario, type ScenarioReport } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { sleep, waitFor } from './support/wait.js';

const BURSTS = 20;
const EDITS_PER_BURST = 10;
const DEBOUNCE_MS = 100;
const NAMES = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
/** Bursts that end on an invalid edit (the fleet keeps the last valid config). */
const ENDS_INVALID = new Set([3, 8, 14]);
/** The burst before which the app adds `from-code` itself; that burst's file adds it too. */
const CONFLICT_BURST = 10;
const SETTLE_MS = 10_000;
/** After this many bursts in a row that the fleet never follows, hot reload is taken as broken. */
const GIVE_UP_AFTER = 2;

/** The fleet a file describes: service name → tag (the tag is an argument, so changing it restarts the service). */
type Fleet = Map<string, string>;

let generation = 0;
/** A random non-empty fleet that differs from `previous` (a new tag restarts a service, a new name adds one). */
function randomFleet(previous: Fleet): Fleet {
  const next: Fleet = new Map();
  for (const name of NAMES) {
    if (Math.random() < 0.6) next.set(name, Math.random() < 0.5 ? (previous.get(name) ?? `g${(generation += 1)}`) : `g${(generation += 1)}`);
  }
  if (next.size === 0 || sameFleet(next, previous)) next.set(NAMES[0] ?? 'alpha', `g${(generation += 1)}`);
  return next;
}

function sameFleet(a: Fleet, b: Fleet): boolean {
  return a.size === b.size && [...a].every(([name, tag]) => b.get(name) === tag);
}

function describeFleet(fleet: Fleet): string {
  return [...fleet].map(([name, tag]) => `${name}:${tag}`).join(' ') || '(none)';
}

function yamlOf(fleet: Fleet): string {
  const services = [...fleet].map(
    ([name, tag]) => `  ${name}:\n    command: /bin/bash\n    args: [${JSON.stringify(TINY_SERVER)}, ${JSON.stringify(tag)}]\n`,
  );
  return `defaults:\n  health_check_interval: 1s\n  startup_wait_time: 100ms\nservices:\n${services.join('')}`;
}

const INVALID = [
  'services:\n  alpha:\n    command: [unclosed\n',
  'defaults:\n  helth_check_interval: 1s\nservices:\n  alpha:\n    command: /bin/bash\n',
  'services:\n  alpha:\n    url: not a url\n    command: /bin/bash\n',
];

runScenario('hot-reload', `${BURSTS * EDITS_PER_BURST} config edits in ${BURSTS} bursts while the fleet runs`, 180_000, async (report) => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-chaos-reload-'));
  const file = join(dir, 'services.yaml');
  let edits = 0;
  const write = (text: string) => {
    edits += 1;
    if (edits % 3 === 0) {
      // The way many editors save: a temp file renamed over the original.
      const temp = join(dir, `.services.yaml.${edits}.tmp`);
      writeFileSync(temp, text);
      renameSync(temp, file);
    } else {
      writeFileSync(file, text);
    }
  };
  try {
    let applied: Fleet = randomFleet(new Map());
    writeFileSync(file, yamlOf(applied));
    const supervisor = await Supervisor.fromFile(file);
    const events: ConfigReloadEvent[] = [];
    supervisor.configEvents$.subscribe((event) => events.push(event));
    supervisor.start();
    supervisor.watchConfig({ debounceMs: DEBOUNCE_MS });

    const running = (): Fleet => {
      const fleet: Fleet = new Map();
      for (const service of supervisor.listServices()) {
        const transport = service.config.transport;
        fleet.set(service.key, transport.type === 'stdio' ? (transport.args[1] ?? '') : '');
      }
      return fleet;
    };
    const matches = (fleet: Fleet) => sameFleet(running(), fleet) && supervisor.listServices().every((service) => service.state === 'HEALTHY');
    report.check('the first config runs', (await waitFor(() => matches(applied), SETTLE_MS)) !== null, describeFleet(running()));

    const failures: string[] = [];
    const unreported: number[] = [];
    let missedInARow = 0;
    let bursts = 0;
    for (let burst = 1; burst <= BURSTS && missedInARow < GIVE_UP_AFTER; burst += 1) {
      bursts = burst;
      const since = events.length;
      const missedBefore = failures.length;
      const written: Fleet[] = [];
      let last: Fleet | null = applied;
      if (burst === CONFLICT_BURST) supervisor.addService({ name: 'from-code', transport: tinyStdioServer('from-code') });
      for (let edit = 1; edit <= EDITS_PER_BURST; edit += 1) {
        const final = edit === EDITS_PER_BURST;
        const invalid = final ? ENDS_INVALID.has(burst) : Math.random() < 0.3;
        if (invalid) {
          write(INVALID[Math.floor(Math.random() * INVALID.length)] ?? '');
          last = null;
        } else {
          let next = randomFleet(last ?? applied);
          if (final && burst === CONFLICT_BURST) next = new Map([...next, ['from-code', 'g-from-code']]);
          write(yamlOf(next));
          written.push(next);
          last = next;
        }
        if (!final) await sleep(5 + Math.random() * 20);
      }
      if (last !== null) {
        // The burst ended valid: the fleet must become exactly that file.
        const settled = await waitFor(() => matches(last) || burst === CONFLICT_BURST, SETTLE_MS);
        if (burst === CONFLICT_BURST) {
          // The failed apply must be reported; what the fleet looks like after it is not judged here.
          const reported = await waitFor(() => events.length > since, SETTLE_MS);
          report.check(
            'an apply that fails (the app added `from-code`, then the file did) is reported on configEvents$',
            reported !== null,
            reported === null ? 'no event' : events.slice(since).map((event) => (event.type === 'rejected' ? `rejected: ${event.error.message}` : 'applied')).join('; '),
          );
          await sleep(3 * DEBOUNCE_MS);
          // The app takes its own service back, so the fleet is the file's alone again.
          if (supervisor.listServices().some((service) => service.key === 'from-code')) {
            await supervisor.removeService('from-code').catch(() => undefined);
          }
          applied = running();
          continue;
        }
        if (settled === null) failures.push(`burst ${burst}: running ${describeFleet(running())}, file ${describeFleet(last)}`);
        else applied = last;
        if (!events.slice(since).some((event) => event.type === 'applied')) unreported.push(burst);
      } else {
        // The burst ended invalid: a rejection is reported, and the fleet is the last valid content.
        const rejected = await waitFor(() => events.slice(since).some((event) => event.type === 'rejected'), SETTLE_MS);
        if (rejected === null) unreported.push(burst);
        await sleep(3 * DEBOUNCE_MS);
        const candidates = [applied, ...written];
        const settled = await waitFor(() => candidates.some((fleet) => matches(fleet)), SETTLE_MS);
        if (settled === null) failures.push(`burst ${burst} (ends invalid): running ${describeFleet(running())}`);
        else applied = candidates.find((fleet) => matches(fleet)) ?? applied;
      }
      missedInARow = failures.length > missedBefore ? missedInARow + 1 : 0;
    }
    if (missedInARow >= GIVE_UP_AFTER) report.figure('stopped early', `the fleet followed no edit in bursts ${bursts - GIVE_UP_AFTER + 1}–${bursts}: hot reload no longer works`);
    reportOutcome(report, { bursts, edits, failures, unreported, events });
    await supervisor.stop();
    const left = liveDescendants();
    report.check('0 server processes running when stop() resolves', left.length === 0, describeProcesses(left));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function reportOutcome(
  report: ScenarioReport,
  outcome: { bursts: number; edits: number; failures: string[]; unreported: number[]; events: ConfigReloadEvent[] },
): void {
  const { bursts, edits, failures, unreported, events } = outcome;
  const count = (type: ConfigReloadEvent['type']) => events.filter((event) => event.type === type).length;
  report.figure('edits written', `${edits} in ${bursts} bursts; ${count('applied')} reloads applied, ${count('rejected')} rejected`);
  report.check(
    'after every burst the fleet matches the file (its last valid content)',
    failures.length === 0 && bursts === BURSTS,
    failures.length === 0 && bursts === BURSTS ? `${BURSTS} of ${BURSTS}` : `${bursts - failures.length} of ${BURSTS}; first miss: ${failures[0]}`,
  );
  report.check(
    'every burst is reported on configEvents$ (applied, or rejected when it ends invalid)',
    unreported.length === 0 && bursts === BURSTS,
    unreported.length === 0 ? `${bursts} of ${BURSTS}` : `not reported: burst ${unreported.join(', ')}`,
  );
}
