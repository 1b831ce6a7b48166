// Servers that misbehave on purpose — a reply too large to read, a line that never ends, a flood of
// notifications, a death in the middle of a burst of calls — and the supervisor's side of each: a typed
// error at once, bounded work, and the connection's other requests unharmed.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionLostError, MessageTooLargeError } from '../../src/actors/errors.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

let harness = new ActorHarness();

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness();
  await eventually(() => descendantsOf().length === 0, 5_000, 'every server process is gone');
});

describe('a reply over the message size limit', () => {
  it('fails its call at once with MessageTooLargeError naming the limit, and the connection keeps working', async () => {
    harness = new ActorHarness({ closeTimeoutMs: 1_000, maxMessageBytes: 1024 * 1024 });
    const { connectionId } = await harness.connect(stdioServer(['--blob-tool']));
    // A timeout far beyond the test's own: the call must fail on the reply, not on the clock.
    const error = await harness.connections
      .callTool('svc', 'blob', { bytes: 3 * 1024 * 1024 }, { timeoutMs: 600_000 })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect((error as Error).message).toMatch(/^tools\/call blob failed: the server's reply was 3\.0 MiB, over the 1\.0 MiB limit of one message/);
    await harness.ping(connectionId, 5_000);
    const small = await harness.connections.callTool('svc', 'blob', { bytes: 10 }, { timeoutMs: 5_000 });
    expect(JSON.stringify(small)).toContain('bbbbbbbbbb');
  });
});

describe('a server whose stdout line never ends', () => {
  it('fails its own pings, while a neighbour on the same supervisor keeps answering', async () => {
    harness = new ActorHarness({ closeTimeoutMs: 1_000, maxMessageBytes: 256 * 1024 });
    const bad = await harness.connect(stdioServer(['--endless-line']), { serviceKey: 'bad' });
    const good = await harness.connect(stdioServer(), { serviceKey: 'good' });
    // Its replies sit behind the line that never ends.
    await expect(harness.ping(bad.connectionId, 300, 'bad')).rejects.toThrow(/ping timed out/);
    for (let round = 0; round < 20; round += 1) await harness.ping(good.connectionId, 5_000, 'good');
    await harness.disconnect(bad.connectionId, { serviceKey: 'bad' });
  });
});

describe('a server that floods notifications', () => {
  it('has its notifications beyond the rate dropped, and its requests still answered', async () => {
    harness = new ActorHarness({ closeTimeoutMs: 1_000, notificationRate: { perSecond: 10, burst: 10 } });
    const { connectionId } = await harness.connect(stdioServer(['--flood-list-changed']));
    const watcher = harness.watch(connectionId);
    // The burst may be spent before the watcher attaches: wait for one delivered at the refill rate too.
    const changes = () => watcher.events.filter((event) => event.type === 'TOOLS_CHANGED').length;
    await eventually(
      () => (harness.connections.diagnostics('svc')?.droppedNotifications ?? 0) > 1_000 && changes() > 0,
      20_000,
      'notifications were dropped, and some delivered',
    );
    await harness.ping(connectionId, 5_000);
    const delivered = changes();
    const dropped = harness.connections.diagnostics('svc')?.droppedNotifications ?? 0;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(dropped / 10);
  });
});

describe('calls while the server dies', () => {
  it('reject with ConnectionLostError, never a generic "Not connected", in the window before the loss is reported', async () => {
    // A grandchild holds the server's stderr open, so the loss is reported only after the drain wait:
    // calls in between reach a transport whose process is gone.
    const { connectionId } = await harness.connect(stdioServer(['--grandchild']));
    const pid = harness.connections.diagnostics('svc')?.pid ?? 0;
    const watcher = harness.watch(connectionId);
    await harness.ping(connectionId, 5_000);
    process.kill(pid, 'SIGKILL');
    // A call on every turn of the event loop, not awaiting each: some land after the exit is known.
    const calls: Promise<unknown>[] = [];
    const call = () => harness.connections.callTool('svc', 'echo', { text: 'x' }, { timeoutMs: 5_000 }).catch((failure: unknown) => failure);
    while (!watcher.events.some((event) => event.type === 'CONNECTION_LOST') && calls.length < 100_000) {
      calls.push(call());
      await new Promise((resolve) => setImmediate(resolve));
    }
    calls.push(call());
    const errors = (await Promise.all(calls)).filter((outcome) => outcome instanceof Error);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.filter((error) => !(error instanceof ConnectionLostError)).map((error) => error.message)).toEqual([]);
  });
});

describe('a burst of calls larger than the pipe to the server', () => {
  it('waits for the pipe to drain with one listener, not one per call (no MaxListenersExceededWarning)', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await harness.connect(stdioServer());
      const text = 'x'.repeat(4 * 1024);
      const calls = Array.from({ length: 500 }, () => harness.connections.callTool('svc', 'echo', { text }, { timeoutMs: 60_000 }));
      const results = await Promise.all(calls);
      expect(results.every((result) => JSON.stringify(result).includes(text))).toBe(true);
      // Warnings are emitted on the next turn of the event loop.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map((warning) => warning.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('out of file descriptors', () => {
  it('says so and what to do, instead of a TypeError from the spawn', () => {
    const script = fileURLToPath(new URL('../support/connect-without-fds.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url));
    const result = spawnSync('bash', ['-c', `ulimit -n 200 && exec "${process.execPath}" "${tsx}" "${script}"`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    const outcome = JSON.parse(result.stdout) as { name: string; message: string };
    expect(outcome.name).toBe('TooManyOpenFilesError');
    expect(outcome.message).toMatch(/^connect failed: too many open files \(EMFILE\); raise the limit of open files \(ulimit -n/);
  });
});
