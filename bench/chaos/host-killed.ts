// The supervisor itself killed with SIGKILL, which runs none of its code: no stop(), no exit handler.
// Its servers ignore stdin closing and SIGTERM and each has a grandchild; they must still all be gone
// shortly after, ended by the reaper the supervisor left holding a pipe from it. Once with every
// service HEALTHY, once with every connect still in flight.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from './support/scenario.js';
import { running } from './support/processes.js';
import { ms } from './support/stats.js';
import { waitFor } from './support/wait.js';

const SERVERS = 20;
const STUBBORN = ['--ignore-sigterm', '--ignore-stdin-close', '--grandchild'];
const HOST = fileURLToPath(new URL('./support/supervisor-host.ts', import.meta.url));
/** SIGTERM, a second, then SIGKILL: the reaper's schedule, with room for a loaded machine. */
const GONE_WITHIN_MS = 5_000;

runScenario('host-killed', `the supervisor SIGKILLed while it runs ${SERVERS} servers that ignore stdin close and SIGTERM`, 180_000, async (report) => {
  for (const phase of ['every service HEALTHY', 'every connect in flight'] as const) {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-chaos-host-'));
    const pids: number[] = [];
    try {
      const host = spawn(process.execPath, ['--import', 'tsx', HOST, String(SERVERS), dir, ...(phase === 'every connect in flight' ? ['--slow-start'] : []), ...STUBBORN], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      host.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const readyIn = await waitFor(() => out.includes('ready\n'), 90_000);
      if (readyIn === null) throw new Error(`the supervisor host was not ready within 90 s (${phase})`);
      for (const file of readdirSync(dir)) {
        const { pid, grandchildPid } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { pid: number; grandchildPid: number };
        pids.push(pid, grandchildPid);
      }
      const aliveBefore = pids.filter(running).length;
      report.figure(`${phase}: server processes and grandchildren running when the supervisor is killed`, `${aliveBefore} of ${pids.length}`);

      host.kill('SIGKILL');
      const goneIn = await waitFor(() => pids.every((pid) => !running(pid)), GONE_WITHIN_MS + 10_000);
      const left = pids.filter(running).length;
      report.check(
        `${phase}: every server process and grandchild gone within ${ms(GONE_WITHIN_MS)} of the supervisor's SIGKILL`,
        goneIn !== null && goneIn <= GONE_WITHIN_MS,
        goneIn === null ? `${left} of ${pids.length} still running` : `all ${pids.length} gone after ${ms(goneIn)}`,
      );
    } finally {
      // They are orphans now, out of this process's tree: end whatever is left by PID.
      for (const pid of pids) {
        try {
          if (running(pid)) process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
