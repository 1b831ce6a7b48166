// Hot reload against a real file: edits, invalid edits, editor-style rename-over saves, bursts.
// Real time is unavoidable here (fs.watch); waits are bounded and the debounce is short.

import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, watchConfigFile } from '../../src/config/index.js';
import type { FleetConfig, FleetDiff } from '../../src/config/index.js';
import { formatConfigEvent } from '../../src/cli/transition-log.js';

const DEBOUNCE_MS = 50;
/** Long enough for an event that is coming to arrive; bounds every "nothing happens" check. */
const QUIET_MS = DEBOUNCE_MS * 6;
const EVENT_TIMEOUT_MS = 3_000;

type WatchEvent = { kind: 'change'; config: FleetConfig; diff: FleetDiff } | { kind: 'error'; error: Error };

/** Collects watcher callbacks and hands them out in order, each wait bounded. */
class EventLog {
  private readonly events: WatchEvent[] = [];
  private wake: (() => void) | null = null;

  push(event: WatchEvent): void {
    this.events.push(event);
    this.wake?.();
  }

  async next(timeoutMs = EVENT_TIMEOUT_MS): Promise<WatchEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length === 0) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no watch event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    return this.events.shift() as WatchEvent;
  }

  async expectQuiet(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(this.events).toEqual([]);
  }
}

const fleetText = (pingTimeout: string, extra = '') => `
services:
  a:
    command: node
    ping_timeout: ${pingTimeout}
  b:
    command: node
${extra}`;

let dir: string;
let file: string;
let log: EventLog;
let close: (() => void) | undefined;

async function startWatching(initial: FleetConfig | undefined): Promise<void> {
  close = watchConfigFile(file, {
    debounceMs: DEBOUNCE_MS,
    env: {},
    ...(initial ? { initial } : {}),
    onChange: (config, diff) => log.push({ kind: 'change', config, diff }),
    onError: (error) => log.push({ kind: 'error', error }),
  });
}

async function change(): Promise<{ config: FleetConfig; diff: FleetDiff }> {
  const event = await log.next();
  if (event.kind !== 'change') throw new Error(`expected a change, got: ${event.error.message}`);
  return event;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mcp-supervisor-watch-'));
  file = path.join(dir, 'services.yaml');
  log = new EventLog();
  await writeFile(file, fleetText('3s'));
});

afterEach(async () => {
  close?.();
  close = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('watchConfigFile', () => {
  it('reports a valid edit with the diff: only the edited service changed', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await writeFile(file, fleetText('5s'));
    const { config, diff } = await change();
    expect(config.services.find((service) => service.key === 'a')?.lifecycle.pingTimeout).toBe(5_000);
    expect(diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
    expect(diff.unchanged.map((service) => service.key)).toEqual(['b']);
  });

  it('reports an invalid edit through onError and changes nothing; the fix diffs against the running config', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await writeFile(file, fleetText('-1s'));
    const event = await log.next();
    expect(event.kind).toBe('error');
    const error = (event as { error: Error }).error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`${file}:5:19 services.a.ping_timeout: must be > 0, got -1s`);
    await log.expectQuiet();

    await writeFile(file, fleetText('3s', '  c:\n    url: https://c.example.com/mcp\n'));
    const { diff } = await change();
    expect(diff.added.map((service) => service.key)).toEqual(['c']);
    expect(diff.changed).toEqual([]);
  });

  it('a rejected reload carries no secret: not in the error, not in the "reload rejected" lines', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await writeFile(
      file,
      'services:\n  api:\n    url: https://user:hunter2@api.example.com/mcp?key=abc987\n    headers: "Authorization: Bearer s3cr3t"\n',
    );
    const event = await log.next();
    if (event.kind !== 'error') throw new Error('expected the edit to be rejected');
    const lines = formatConfigEvent({ type: 'rejected', file, error: event.error, at: 0 });
    expect(lines).toContain('services.api.headers: expected a mapping, got a string');
    for (const text of [event.error.message, lines]) {
      for (const secret of ['hunter2', 'abc987', 's3cr3t']) expect(text).not.toContain(secret);
    }
  });

  it('follows editors that save by writing a temporary file and renaming it over the original', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    const temporary = path.join(dir, '.services.yaml.swp');
    await writeFile(temporary, fleetText('3s').replace('  b:\n    command: node\n', ''));
    await rename(temporary, file);
    const { diff } = await change();
    expect(diff.removed.map((service) => service.key)).toEqual(['b']);

    // The watch survives the replacement: a second save is seen too.
    await writeFile(temporary, fleetText('9s').replace('  b:\n    command: node\n', ''));
    await rename(temporary, file);
    expect((await change()).diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
  });

  it('debounces a burst of writes into one reload of the final text', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    for (const timeout of ['4s', '5s', '6s', '7s']) await writeFile(file, fleetText(timeout));
    const { config } = await change();
    expect(config.services[0]?.lifecycle.pingTimeout).toBe(7_000);
    await log.expectQuiet();
  });

  it('stays quiet for an edit that changes no effective setting', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await writeFile(file, `# a comment\n${fleetText('3000ms')}`);
    await log.expectQuiet();
  });

  it('without an initial config, reports the first load with every service added', async () => {
    await startWatching(undefined);
    const { diff } = await change();
    expect(diff.added.map((service) => service.key)).toEqual(['a', 'b']);
  });

  it('reports a deleted file, and picks the file up again when it comes back', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await unlink(file);
    const event = await log.next();
    expect(event.kind === 'error' && event.error.message).toContain('cannot read the config file');
    await writeFile(file, fleetText('8s'));
    expect((await change()).diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
  });

  it('never reads an empty file (an editor caught mid-save) as "remove every service"', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    await writeFile(file, '');
    const event = await log.next();
    expect(event.kind === 'error' && event.error.message).toContain('the file is empty; keeping the running services');
    await writeFile(file, 'services: {}\n');
    expect((await change()).diff.removed.map((service) => service.key)).toEqual(['a', 'b']);
  });

  it('reports nothing after close', async () => {
    await startWatching(await loadConfigFile(file, { env: {} }));
    close?.();
    await writeFile(file, fleetText('5s'));
    await log.expectQuiet();
  });
});
