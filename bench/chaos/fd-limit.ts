// Out of file descriptors: a supervisor whose process may open only a few (RLIMIT_NOFILE 64) starts more
// stdio servers than it has descriptors for. The connects that fail must say so in words a user can act
// on (too many open files: raise the limit), not a bare system code. The supervisor runs in a child
// process of this one; the limit is lowered (prlimit) once the child has loaded its modules (loading
// them needs more descriptors than that), and the child reports what it saw as one JSON line.

import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Supervisor, type Transition } from '../../src/index.js';
import { tinyStdioServer } from '../../test/fixtures/test-servers.js';
import { runScenario } from './support/scenario.js';
import { describeProcesses, liveDescendants } from './support/processes.js';
import { waitFor } from './support/wait.js';

const FD_LIMIT = 64;
const SERVICES = 40;
const CHILD_FLAG = '--under-the-limit';

interface ChildReport {
  healthy: number;
  failures: string[];
}

/** In the child: once limited, start the fleet, wait until every service is HEALTHY or has failed its first connect. */
async function underTheLimit(): Promise<void> {
  process.stdout.write('loaded\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  const supervisor = new Supervisor({
    services: Array.from({ length: SERVICES }, (_, index) => ({
      name: `svc-${index}`,
      transport: tinyStdioServer(),
      lifecycle: { reconnectBaseDelay: 60_000, jitter: 0 },
    })),
  });
  const failures = new Map<string, string>();
  supervisor.transitions$.subscribe((t: Transition) => {
    if (t.from === 'INITIALIZING' && t.to === 'RECONNECTING') failures.set(t.service, t.reason);
  });
  supervisor.start();
  const healthy = () => supervisor.listServices().filter((service) => service.state === 'HEALTHY').length;
  await waitFor(() => healthy() + failures.size >= SERVICES, 30_000);
  const result: ChildReport = { healthy: healthy(), failures: [...failures.values()] };
  await supervisor.stop();
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv.includes(CHILD_FLAG)) {
  await underTheLimit();
} else {
  runScenario('fd-limit', `${SERVICES} stdio servers under a limit of ${FD_LIMIT} open files`, 90_000, async (report) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--import', 'tsx', self, CHILD_FLAG], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      if (stdout !== 'loaded\n' || child.pid === undefined) return;
      try {
        execFileSync('prlimit', ['--pid', String(child.pid), `--nofile=${FD_LIMIT}:${FD_LIMIT}`]);
        child.stdin.write('go\n');
      } catch (error) {
        stderr += `prlimit (util-linux) failed: ${error instanceof Error ? error.message : String(error)}`;
        child.kill('SIGKILL');
      }
    });
    const code = await exited;
    const line = stdout.trim().split('\n').at(-1) ?? '';
    let seen: ChildReport | null;
    try {
      seen = JSON.parse(line) as ChildReport;
    } catch {
      seen = null;
    }
    if (!seen) {
      report.check('the supervisor under the limit runs and reports', false, `exit code ${code}; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      return;
    }
    report.figure('services HEALTHY / failed to connect', `${seen.healthy} / ${seen.failures.length}`);
    const distinct = [...new Set(seen.failures)];
    for (const reason of distinct.slice(0, 3)) report.figure('a connect failure reads', reason);
    report.check('descriptors ran out (the scenario provoked what it tests)', seen.failures.length > 0, `${seen.failures.length} failed connects`);
    const plain = seen.failures.filter((reason) => /too many open files/i.test(reason));
    report.check(
      'each such failure says "too many open files" in words, not only EMFILE',
      seen.failures.length > 0 && plain.length === seen.failures.length,
      `${plain.length} of ${seen.failures.length}`,
    );
    await waitFor(() => liveDescendants().length === 0, 5_000);
    const left = liveDescendants();
    report.check('0 server processes left once the limited supervisor has stopped', left.length === 0, describeProcesses(left));
  });
}
