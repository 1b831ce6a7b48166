// Process hygiene: whatever a server does — crash, ignore SIGTERM, leave a grandchild — no
// process of it outlives its connection, and no file descriptor stays open.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionLostError } from '../../src/actors/errors.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { descendantsOf, eventually, isRunning, openFdCount, stdioServer } from '../fixtures/test-servers.js';

/** Polls and budgets far above what a loaded machine needs, so only a broken behaviour exhausts them. */
const PATIENT_MS = 10_000;

let harness = new ActorHarness();
let scratch = '';

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'mcp-actors-hygiene-'));
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness();
  vi.restoreAllMocks();
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

async function connect(serviceKey: string, transport: Parameters<ActorHarness['connect']>[0]): Promise<string> {
  const output = await harness.connect(transport, { serviceKey, timeoutMs: 15_000 });
  return output.connectionId;
}

interface Pids {
  pid: number;
  grandchildPid: number | null;
}

function readPids(file: string): Pids {
  return JSON.parse(readFileSync(file, 'utf8')) as Pids;
}

/** Records every signal sent from now on (liveness probes, signal 0, left out), as `<signal> <pid>`. */
function recordSignals(): string[] {
  const sent: string[] = [];
  const kill = process.kill.bind(process);
  vi.spyOn(process, 'kill').mockImplementation((pid, signal) => {
    if (signal !== 0) sent.push(`${String(signal ?? 'SIGTERM')} ${pid}`);
    return kill(pid, signal);
  });
  return sent;
}

describe('crash and restart', () => {
  // The 200-cycle run of the same loop is a chaos scenario: `npm run chaos -- hygiene`.
  it('20 crash/restart cycles leave zero descendant processes and the file descriptors at baseline', async () => {
    // One warm-up cycle, so what Node opens once (and keeps) is in the baseline.
    await harness.disconnect(await connect('warm', stdioServer()), { serviceKey: 'warm' });
    const baseline = openFdCount();

    const LANES = 4;
    const CYCLES_PER_LANE = 5;
    const cycle = async (serviceKey: string) => {
      const connectionId = await connect(serviceKey, stdioServer());
      const watcher = harness.watch(connectionId, serviceKey);
      // The `exit` tool ends the server mid-call: a crash at a known moment.
      const call = await harness.connections.callTool(serviceKey, 'exit', { code: 1 }, { timeoutMs: PATIENT_MS }).catch((error: unknown) => error);
      expect(call).toBeInstanceOf(ConnectionLostError);
      await watcher.next('CONNECTION_LOST', PATIENT_MS);
      watcher.stop();
    };
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let round = 0; round < CYCLES_PER_LANE; round += 1) await cycle(`lane-${lane}`);
      }),
    );
    await harness.dispose();

    expect(descendantsOf()).toEqual([]);
    await eventually(() => openFdCount() <= baseline, PATIENT_MS, `file descriptors back to ${baseline} (now ${openFdCount()})`);
  }, 60_000);

  it('a crashed server’s leftover grandchild is ended without waiting for a disconnect', async () => {
    const pidFile = join(scratch, 'crash-grandchild.json');
    await connect('svc', stdioServer(['--grandchild', '--pid-file', pidFile]));
    const { grandchildPid } = readPids(pidFile);
    expect(grandchildPid).not.toBeNull();
    await harness.connections.callTool('svc', 'exit', {}, { timeoutMs: PATIENT_MS }).catch(() => undefined);
    await eventually(() => !isRunning(grandchildPid ?? -1), PATIENT_MS, 'the orphaned grandchild is ended');
  });
});

describe('shutdown', () => {
  it('a server that leaves when stdin closes needs no signal', async () => {
    const connectionId = await connect('svc', stdioServer());
    const signals = recordSignals();
    // A budget so large that SIGTERM (due at 40 % of it) would come only if stdin closing did not work.
    await harness.disconnect(connectionId, { timeoutMs: PATIENT_MS });
    expect(signals).toEqual([]);
    expect(descendantsOf()).toEqual([]);
  });

  it('a server that ignores stdin closing and SIGTERM gets SIGTERM, then SIGKILL, and is gone when the disconnect resolves', async () => {
    const pidFile = join(scratch, 'stubborn.json');
    const connectionId = await connect('svc', stdioServer(['--ignore-sigterm', '--ignore-stdin-close', '--pid-file', pidFile]));
    const { pid } = readPids(pidFile);
    const signals = recordSignals();
    // stdin close (40 % of the budget), SIGTERM (40 %), then SIGKILL, each to the whole process group.
    await harness.disconnect(connectionId, { timeoutMs: 3_000 });
    expect(signals).toEqual([`SIGTERM ${-pid}`, `SIGKILL ${-pid}`]);
    expect(isRunning(pid)).toBe(false);
    expect(descendantsOf()).toEqual([]);
  });

  it('a grandchild (ignoring SIGTERM too) is ended with its server', async () => {
    const pidFile = join(scratch, 'grandchild.json');
    const connectionId = await connect('svc', stdioServer(['--grandchild', '--ignore-sigterm', '--pid-file', pidFile]));
    const { pid, grandchildPid } = readPids(pidFile);
    expect(grandchildPid).not.toBeNull();
    expect(descendantsOf().map((entry) => entry.pid).sort()).toEqual([pid, grandchildPid].sort());
    await harness.disconnect(connectionId, { timeoutMs: 3_000 });
    expect(isRunning(pid)).toBe(false);
    expect(isRunning(grandchildPid ?? -1)).toBe(false);
  });

  it('no server outlives the supervisor process, even when it exits without closing', async () => {
    const pidFile = join(scratch, 'outlive.json');
    const script = join(scratch, 'exit-without-close.mts');
    const registry = new URL('../../src/actors/connection-registry.ts', import.meta.url).pathname;
    writeFileSync(
      script,
      [
        `import { McpConnections } from ${JSON.stringify(registry)};`,
        'const connections = new McpConnections();',
        `connections.register('svc', ${JSON.stringify(stdioServer(['--ignore-stdin-close', '--ignore-sigterm', '--pid-file', pidFile]))});`,
        "await connections.connect('svc', { timeoutMs: 10_000 });",
        'process.exit(0);',
      ].join('\n'),
    );
    const supervisor = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => supervisor.once('exit', resolve));
    expect(code).toBe(0);
    const { pid } = readPids(pidFile);
    await eventually(() => !isRunning(pid), PATIENT_MS, 'the server died with its supervisor');
  });
});
