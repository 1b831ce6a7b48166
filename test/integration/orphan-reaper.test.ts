// A supervisor that dies without running any handler (SIGKILL, the OOM killer) leaves no server behind:
// its reaper sees the pipe from it close and ends every server group it still owned, grandchildren too.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { OrphanReaper, REAPER_NAME } from '../../src/actors/orphan-reaper.js';
import { isRunning } from '../fixtures/test-servers.js';
import { CliProcess, REPO_ROOT, commandLine } from '../support/cli-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-reaper-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function killGroup(pgid: number) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('a supervisor killed with SIGKILL', () => {
  it('leaves no server process alive: not a server that ignores stdin close and SIGTERM, nor its grandchild', async () => {
    const pidFile = path.join(dir, 'stubborn.json');
    const config = path.join(dir, 'stubborn.yaml');
    writeFileSync(
      config,
      `services:
  stubborn:
    command: node
    args: [test/fixtures/mcp-test-server.mjs, --ignore-sigterm, --ignore-stdin-close, --grandchild, --pid-file, ${JSON.stringify(pidFile)}]
    cwd: ${JSON.stringify(REPO_ROOT)}
`,
    );
    const cli = new CliProcess(['run', config, '--log', '--no-watch']);
    cleanups.push(() => cli.killAll());
    await cli.waitFor(/stubborn\s+INITIALIZING → HEALTHY/, 30_000);
    const { pid, grandchildPid } = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number; grandchildPid: number };
    cleanups.push(() => killGroup(pid));
    expect(isRunning(pid) && isRunning(grandchildPid)).toBe(true);

    cli.child.kill('SIGKILL');
    expect(await cli.exit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    await expect.poll(() => [isRunning(pid), isRunning(grandchildPid)], { timeout: 15_000, interval: 50 }).toEqual([false, false]);
  });
});

describe('the reaper', () => {
  /** A process in a group of its own that ignores nothing, as a server would run. */
  function groupLeader(): number {
    const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    child.unref();
    const pid = child.pid ?? 0;
    cleanups.push(() => killGroup(pid));
    return pid;
  }

  it('runs only while a group is owned, and leaves without signalling anyone when the last one is forgotten', async () => {
    const reaper = new OrphanReaper();
    const server = groupLeader();
    reaper.watch(server);
    const pid = reaper.pid ?? 0;
    expect(pid).toBeGreaterThan(0);
    expect(commandLine(pid).startsWith(REAPER_NAME)).toBe(true);

    reaper.forget(server);
    expect(reaper.pid).toBeNull();
    await expect.poll(() => isRunning(pid), { timeout: 10_000, interval: 20 }).toBe(false);
    expect(isRunning(server)).toBe(true);
  });

  it('is started again when something kills it, and the replacement still ends every group when its owner dies', async () => {
    const [first, second] = [groupLeader(), groupLeader()];
    const host = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/reaper-host.ts'), String(first), String(second), '--kill-reaper-first'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(() => host.kill('SIGKILL'));
    let out = '';
    host.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await expect.poll(() => out, { timeout: 30_000, interval: 20 }).toMatch(/^ready \d+\n/);
    const replacement = Number(/^ready (\d+)/.exec(out)?.[1]);
    expect(isRunning(replacement)).toBe(true);

    host.kill('SIGKILL');
    await expect.poll(() => [isRunning(first), isRunning(second), isRunning(replacement)], { timeout: 15_000, interval: 50 }).toEqual([false, false, false]);
  });
});
