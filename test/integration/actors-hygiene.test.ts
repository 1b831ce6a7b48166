// Process hygiene (SPEC §6): whatever a server does — crash, ignore SIGTERM, leave a grandchild — no
// process of it outlives its connection, and no file descriptor stays open.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionLostError } from '../../src/actors/errors.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { descendantsOf, eventually, isRunning, openFdCount, stdioServer } from '../fixtures/test-servers.js';

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
  await eventually(() => descendantsOf().length === 0, 2_000, 'every server process is gone');
});

async function connect(serviceKey: string, transport: Parameters<ActorHarness['connect']>[0]): Promise<string> {
  const output = await harness.connect(transport, { serviceKey, timeoutMs: 10_000 });
  return output.connectionId;
}

interface Pids {
  pid: number;
  grandchildPid: number | null;
}

function readPids(file: string): Pids {
  return JSON.parse(readFileSync(file, 'utf8')) as Pids;
}

describe('crash and restart', () => {
  it('200 crash/restart cycles leave zero descendant processes and the file descriptors at baseline', async () => {
    // One warm-up cycle, so what Node opens once (and keeps) is in the baseline.
    await harness.disconnect(await connect('warm', stdioServer()), { serviceKey: 'warm' });
    const baseline = openFdCount();

    const LANES = 4;
    const CYCLES_PER_LANE = 50;
    const cycle = async (serviceKey: string) => {
      const connectionId = await connect(serviceKey, stdioServer());
      const watcher = harness.watch(connectionId, serviceKey);
      // The `exit` tool ends the server mid-call: a crash at a known moment.
      const call = await harness.connections.callTool(serviceKey, 'exit', { code: 1 }, { timeoutMs: 5_000 }).catch((error: unknown) => error);
      expect(call).toBeInstanceOf(ConnectionLostError);
      await watcher.next('CONNECTION_LOST', 2_000);
      watcher.stop();
    };
    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        for (let round = 0; round < CYCLES_PER_LANE; round += 1) await cycle(`lane-${lane}`);
      }),
    );
    await harness.dispose();

    expect(descendantsOf()).toEqual([]);
    await eventually(() => openFdCount() <= baseline, 2_000, `file descriptors back to ${baseline} (now ${openFdCount()})`);
  }, 60_000);

  it('a crashed server’s leftover grandchild is ended without waiting for a disconnect', async () => {
    const pidFile = join(scratch, 'crash-grandchild.json');
    await connect('svc', stdioServer(['--grandchild', '--pid-file', pidFile]));
    const { grandchildPid } = readPids(pidFile);
    expect(grandchildPid).not.toBeNull();
    await harness.connections.callTool('svc', 'exit', {}, { timeoutMs: 5_000 }).catch(() => undefined);
    await eventually(() => !isRunning(grandchildPid ?? -1), 2_000, 'the orphaned grandchild is ended');
  });
});

describe('shutdown', () => {
  it('a server that leaves when stdin closes needs no signal', async () => {
    const connectionId = await connect('svc', stdioServer());
    const started = performance.now();
    await harness.disconnect(connectionId, { timeoutMs: 3_000 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(descendantsOf()).toEqual([]);
  });

  it('a server that ignores stdin closing and SIGTERM is SIGKILLed within the disconnect timeout', async () => {
    const pidFile = join(scratch, 'stubborn.json');
    const connectionId = await connect('svc', stdioServer(['--ignore-sigterm', '--ignore-stdin-close', '--pid-file', pidFile]));
    const { pid } = readPids(pidFile);
    const started = performance.now();
    await harness.disconnect(connectionId, { timeoutMs: 600 });
    const elapsed = performance.now() - started;
    // stdin close (40 % of the budget), SIGTERM (40 %), then SIGKILL.
    expect(elapsed).toBeGreaterThanOrEqual(450);
    expect(elapsed).toBeLessThan(900);
    expect(isRunning(pid)).toBe(false);
    expect(descendantsOf()).toEqual([]);
  });

  it('a grandchild (ignoring SIGTERM too) is ended with its server', async () => {
    const pidFile = join(scratch, 'grandchild.json');
    const connectionId = await connect('svc', stdioServer(['--grandchild', '--ignore-sigterm', '--pid-file', pidFile]));
    const { pid, grandchildPid } = readPids(pidFile);
    expect(grandchildPid).not.toBeNull();
    expect(descendantsOf().map((entry) => entry.pid).sort()).toEqual([pid, grandchildPid].sort());
    await harness.disconnect(connectionId, { timeoutMs: 600 });
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
    await eventually(() => !isRunning(pid), 1_000, 'the server died with its supervisor');
  });
});
