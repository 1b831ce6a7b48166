// Hot reload against a real file: edits, invalid edits, editor-style rename-over saves, bursts, symbolic
// links (a Kubernetes ConfigMap's `..data` swap, an edit of a link's target). Real fs watching, so real
// time; but every assertion is on the events that arrive and their order, never on how long anything
// took. To show that an edit was not reported, a later edit's report must be the very next event.
// Edits are written synchronously (the event loop cannot see a half-written file) or renamed into place.

import { mkdirSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatConfigEvent } from '../../src/cli/transition-log.js';
import { ConfigError, loadConfigFile, watchConfigFile } from '../../src/config/index.js';
import type { FleetConfig, FleetDiff } from '../../src/config/index.js';

const DEBOUNCE_MS = 50;
/** The longest wait for one event: generous, for a loaded machine; only ever reached by a failing test. */
const EVENT_TIMEOUT_MS = 15_000;

type WatchEvent =
  | { kind: 'change'; config: FleetConfig; diff: FleetDiff }
  | { kind: 'unchanged'; config: FleetConfig }
  | { kind: 'error'; error: Error };

/** Collects watcher callbacks and hands them out in order, each wait bounded. */
class EventLog {
  readonly events: WatchEvent[] = [];
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
const closers: Array<() => void> = [];

function startWatching(initial: FleetConfig | undefined, into: EventLog = log, watched = file): () => void {
  const close = watchConfigFile(watched, {
    debounceMs: DEBOUNCE_MS,
    env: {},
    ...(initial ? { initial } : {}),
    onChange: (config, diff) => into.push({ kind: 'change', config, diff }),
    onUnchanged: (config) => into.push({ kind: 'unchanged', config }),
    onError: (error) => into.push({ kind: 'error', error }),
  });
  closers.push(close);
  return close;
}

async function nextChange(events: EventLog = log): Promise<{ config: FleetConfig; diff: FleetDiff }> {
  const event = await events.next();
  if (event.kind === 'error') throw new Error(`expected a change, got: ${event.error.message}`);
  if (event.kind === 'unchanged') throw new Error('expected a change, got an edit that changed nothing');
  return event;
}

const pingOf = (config: FleetConfig, key = 'a') => config.services.find((service) => service.key === key)?.lifecycle.pingTimeout;

/** Saves as editors do: a temporary file beside it, renamed over the original. */
function saveByRename(target: string, text: string): void {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.swp`);
  writeFileSync(temporary, text);
  renameSync(temporary, target);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mcp-supervisor-watch-'));
  file = path.join(dir, 'services.yaml');
  log = new EventLog();
  writeFileSync(file, fleetText('3s'));
});

afterEach(async () => {
  for (const close of closers.splice(0)) close();
  await rm(dir, { recursive: true, force: true });
});

describe('watchConfigFile', () => {
  it('reports a valid edit with the diff: only the edited service changed', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, fleetText('5s'));
    const { config, diff } = await nextChange();
    expect(pingOf(config)).toBe(5_000);
    expect(diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
    expect(diff.unchanged.map((service) => service.key)).toEqual(['b']);
  });

  it('reports an invalid edit through onError and changes nothing; the fix diffs against the running config', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, fleetText('-1s'));
    const event = await log.next();
    expect(event.kind).toBe('error');
    const error = (event as { error: Error }).error;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`${file}:5:19 services.a.ping_timeout: must be > 0, got -1s`);

    // The next event is the fix's: the invalid edit was reported once and applied nothing.
    writeFileSync(file, fleetText('3s', '  c:\n    url: https://c.example.com/mcp\n'));
    const { diff } = await nextChange();
    expect(diff.added.map((service) => service.key)).toEqual(['c']);
    expect(diff.changed).toEqual([]);
  });

  it('a rejected reload carries no secret: not in the error, not in the "reload rejected" lines', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, 'services:\n  api:\n    url: https://user:hunter2@api.example.com/mcp?key=abc987\n    headers: "Authorization: Bearer s3cr3t"\n');
    const event = await log.next();
    if (event.kind !== 'error') throw new Error('expected the edit to be rejected');
    const lines = formatConfigEvent({ type: 'rejected', file, error: event.error, at: 0 });
    expect(lines).toContain('services.api.headers: expected a mapping, got a string');
    for (const text of [event.error.message, lines]) {
      for (const secret of ['hunter2', 'abc987', 's3cr3t']) expect(text).not.toContain(secret);
    }
  });

  it('follows editors that save by writing a temporary file and renaming it over the original', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    saveByRename(file, fleetText('3s').replace('  b:\n    command: node\n', ''));
    expect((await nextChange()).diff.removed.map((service) => service.key)).toEqual(['b']);

    // The watch survives the replacement: a second save is seen too.
    saveByRename(file, fleetText('9s').replace('  b:\n    command: node\n', ''));
    expect((await nextChange()).diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
  });

  it('debounces a burst of writes into one reload of the final text', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    // One synchronous burst: every file event of it is handled after the last write.
    for (const timeout of ['4s', '5s', '6s', '7s']) writeFileSync(file, fleetText(timeout));
    expect(pingOf((await nextChange()).config)).toBe(7_000);
    // Nothing else came of the burst: the next event is the next edit's.
    writeFileSync(file, fleetText('8s'));
    expect(pingOf((await nextChange()).config)).toBe(8_000);
  });

  it('an edit that changes no effective setting is reported as unchanged, and applies nothing', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, `# a comment\n${fleetText('3000ms')}`);
    expect((await log.next()).kind).toBe('unchanged');
    writeFileSync(file, fleetText('4s'));
    const { diff } = await nextChange();
    expect(diff.changed.map((entry) => [entry.before.lifecycle.pingTimeout, entry.after.lifecycle.pingTimeout])).toEqual([[3_000, 4_000]]);
  });

  it('without an initial config, reports the first load with every service added', async () => {
    startWatching(undefined);
    const { diff } = await nextChange();
    expect(diff.added.map((service) => service.key)).toEqual(['a', 'b']);
  });

  it('reports a deleted file, and picks the file up again when it comes back', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    unlinkSync(file);
    const event = await log.next();
    expect(event.kind === 'error' && event.error.message).toContain('cannot read the config file');
    writeFileSync(file, fleetText('8s'));
    expect((await nextChange()).diff.changed.map((entry) => entry.after.key)).toEqual(['a']);
  });

  it('never reads an empty file (an editor caught mid-save) as "remove every service"', async () => {
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, '');
    const event = await log.next();
    expect(event.kind === 'error' && event.error.message).toContain('the file is empty; keeping the running services');
    writeFileSync(file, 'services: {}\n');
    expect((await nextChange()).diff.removed.map((service) => service.key)).toEqual(['a', 'b']);
  });

  it('reports nothing after close: a second watcher of the same file sees the edit, the closed one nothing', async () => {
    const closedLog = new EventLog();
    const close = startWatching(await loadConfigFile(file, { env: {} }), closedLog);
    close();
    startWatching(await loadConfigFile(file, { env: {} }));
    writeFileSync(file, fleetText('5s'));
    expect(pingOf((await nextChange()).config)).toBe(5_000);
    expect(closedLog.events).toEqual([]);
  });
});

describe('watchConfigFile through symbolic links', () => {
  /** A Kubernetes ConfigMap volume: config.yaml -> ..data/config.yaml, ..data -> ..<timestamp>/. */
  class ConfigMapVolume {
    private version = 0;
    readonly file: string;

    constructor(
      readonly root: string,
      text: string,
    ) {
      mkdirSync(root);
      this.writeVersion(text);
      symlinkSync(this.versionDir(), path.join(root, '..data'));
      this.file = path.join(root, 'config.yaml');
      symlinkSync('..data/config.yaml', this.file);
    }

    /** The kubelet's update: a new timestamped directory, a new `..data` link renamed over the old one. */
    update(text: string, { removeOld = true } = {}): void {
      const old = this.versionDir();
      this.version += 1;
      this.writeVersion(text);
      const temporary = path.join(this.root, '..data_tmp');
      symlinkSync(this.versionDir(), temporary);
      renameSync(temporary, path.join(this.root, '..data'));
      if (removeOld) rmSync(path.join(this.root, old), { recursive: true });
    }

    /** The file `config.yaml` resolves to now. */
    get target(): string {
      return path.join(this.root, this.versionDir(), 'config.yaml');
    }

    private versionDir(): string {
      return `..2026_12_01_00_00_0${this.version}.${1000 + this.version}`;
    }

    private writeVersion(text: string): void {
      mkdirSync(path.join(this.root, this.versionDir()));
      writeFileSync(path.join(this.root, this.versionDir(), 'config.yaml'), text);
    }
  }

  it('reloads on a ConfigMap update (`..data` swapped), again and again, also when the old version stays', async () => {
    const volume = new ConfigMapVolume(path.join(dir, 'configmap'), fleetText('3s'));
    startWatching(await loadConfigFile(volume.file, { env: {} }), log, volume.file);

    volume.update(fleetText('4s'));
    expect(pingOf((await nextChange()).config)).toBe(4_000);
    volume.update(fleetText('5s'));
    expect(pingOf((await nextChange()).config)).toBe(5_000);
    // Some tools swap a link and keep what it pointed at: no deleted file to notice, only the link.
    volume.update(fleetText('6s'), { removeOld: false });
    expect(pingOf((await nextChange()).config)).toBe(6_000);
    volume.update(fleetText('7s', '  c:\n    command: node\n'), { removeOld: false });
    expect((await nextChange()).diff.added.map((service) => service.key)).toEqual(['c']);
  });

  it('reloads on an edit in place of the file a ConfigMap link resolves to, after a swap too', async () => {
    const volume = new ConfigMapVolume(path.join(dir, 'configmap'), fleetText('3s'));
    startWatching(await loadConfigFile(volume.file, { env: {} }), log, volume.file);
    writeFileSync(volume.target, fleetText('4s'));
    expect(pingOf((await nextChange()).config)).toBe(4_000);

    volume.update(fleetText('5s'), { removeOld: false });
    expect(pingOf((await nextChange()).config)).toBe(5_000);
    // The watch moved to the new target: an edit of it is seen.
    writeFileSync(volume.target, fleetText('6s'));
    expect(pingOf((await nextChange()).config)).toBe(6_000);
  });

  it('reloads on an edit of a plain symlink’s target in another directory, and follows the link when it is repointed', async () => {
    mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 'services.yaml');
    writeFileSync(target, fleetText('3s'));
    const link = path.join(dir, 'linked.yaml');
    symlinkSync(target, link);
    startWatching(await loadConfigFile(link, { env: {} }), log, link);

    writeFileSync(target, fleetText('4s'));
    expect(pingOf((await nextChange()).config)).toBe(4_000);

    // `ln -sfn other linked.yaml`, as a deploy script repoints a link.
    const other = path.join(dir, 'real', 'other.yaml');
    writeFileSync(other, fleetText('5s'));
    const temporary = path.join(dir, 'linked.yaml.new');
    symlinkSync(other, temporary);
    renameSync(temporary, link);
    expect(pingOf((await nextChange()).config)).toBe(5_000);
    writeFileSync(other, fleetText('6s'));
    expect(pingOf((await nextChange()).config)).toBe(6_000);
  });
});
