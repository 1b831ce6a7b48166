// Hot reload against a live supervisor: a real file, real fs watching, scriptable connections.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firstValueFrom } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor, type ConfigReloadEvent } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const fleet = (services: string) => `
defaults:
  health_check_interval: 30s
services:
${services}
`;

const service = (name: string, extra = '') => `  ${name}:
    command: node
    args: [${name}.mjs]
${extra}`;

describe('hot reload with a live supervisor', () => {
  let dir: string;
  let file: string;
  let supervisor: Supervisor | null = null;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-reload-'));
    file = path.join(dir, 'services.yaml');
  });

  afterEach(async () => {
    await supervisor?.stop();
    supervisor = null;
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(text: string) {
    writeFileSync(file, text);
    const connections = inMemoryLayer();
    supervisor = await Supervisor.fromFile(file, { connections });
    const transitions: Transition[] = [];
    supervisor.transitions$.subscribe((t) => transitions.push(t));
    supervisor.start();
    await flush();
    supervisor.watchConfig({ debounceMs: 20 });
    return { supervisor, connections, transitions };
  }

  const nextReload = (s: Supervisor): Promise<ConfigReloadEvent> => firstValueFrom(s.configEvents$);

  it('keeps unchanged services untouched, restarts changed ones, stops removed ones, starts added ones', async () => {
    const { supervisor: s, connections, transitions } = await start(
      fleet(service('keep') + service('change') + service('drop')),
    );
    const keepConnection = s.getServiceInfo('keep').metadata;
    const connectsBefore = connections.calls.connect.map((call) => call.input.serviceKey);
    expect(connectsBefore.sort()).toEqual(['change', 'drop', 'keep']);

    const reloaded = nextReload(s);
    writeFileSync(file, fleet(service('keep') + service('change', '    ping_timeout: 5s\n') + service('added')));
    const event = await reloaded;
    await flush();

    expect(event).toMatchObject({ type: 'applied', added: ['added'], removed: ['drop'], changed: ['change'] });
    expect(s.listServices().map((x) => [x.key, x.state])).toEqual([
      ['keep', 'HEALTHY'],
      ['change', 'HEALTHY'],
      ['added', 'HEALTHY'],
    ]);
    const connectsAfter = connections.calls.connect.slice(3).map((call) => call.input.serviceKey).sort();
    expect(connectsAfter).toEqual(['added', 'change']);
    expect(s.getServiceInfo('keep').metadata.connectedTime).toBe(keepConnection.connectedTime);
    expect(s.getServiceInfo('change').config.lifecycle.pingTimeout).toBe(5000);
    expect(connections.unregistered).toContain('drop');
    const dropped = transitions.filter((t) => t.service === 'drop').slice(-3);
    expect(dropped.map((t) => [t.to, t.reason])).toEqual([
      ['DISCONNECTING', 'removed from the config'],
      ['DISCONNECTED', 'removed from the config'],
      ['REMOVED', 'removed from the config'],
    ]);
  });

  it('starts a service enabled by an edit and forgets a disabled one that is removed', async () => {
    const { supervisor: s } = await start(fleet(service('later', '    enabled: false\n') + service('gone', '    enabled: false\n')));
    expect(s.listServices()).toEqual([]);
    const reloaded = nextReload(s);
    writeFileSync(file, fleet(service('later')));
    expect(await reloaded).toMatchObject({ type: 'applied', changed: ['later'], removed: ['gone'] });
    await flush();
    expect(s.listServices().map((x) => [x.key, x.state])).toEqual([['later', 'HEALTHY']]);
    const again = nextReload(s);
    writeFileSync(file, fleet(service('later') + service('gone')));
    expect(await again).toMatchObject({ type: 'applied', added: ['gone'] });
  });

  it('reports an invalid edit and changes nothing', async () => {
    const { supervisor: s, connections, transitions } = await start(fleet(service('keep')));
    const before = transitions.length;
    const reloaded = nextReload(s);
    writeFileSync(file, fleet(service('keep', '    helth_check_interval: 5s\n')));
    const event = await reloaded;
    expect(event.type).toBe('rejected');
    expect(event.type === 'rejected' && event.error.message).toMatch(/services\.yaml:\d+:\d+.*did you mean `health_check_interval`/s);
    expect(transitions).toHaveLength(before);
    expect(connections.calls.connect).toHaveLength(1);
    expect(s.getServiceInfo('keep').state).toBe('HEALTHY');
  });

  it('restarts only the services whose effective config a changed default touches', async () => {
    const { supervisor: s, connections } = await start(fleet(service('inherits') + service('overrides', '    ping_timeout: 9s\n')));
    const reloaded = nextReload(s);
    writeFileSync(file, fleet(service('inherits') + service('overrides', '    ping_timeout: 9s\n')).replace('health_check_interval: 30s', 'health_check_interval: 30s\n  ping_timeout: 7s'));
    const event = await reloaded;
    expect(event).toMatchObject({ type: 'applied', changed: ['inherits'], added: [], removed: [] });
    await flush();
    expect(connections.calls.connect.map((call) => call.input.serviceKey)).toEqual(['inherits', 'overrides', 'inherits']);
    expect(s.getServiceInfo('inherits').config.lifecycle.pingTimeout).toBe(7000);
  });

  it('rejects an edit that adds a name already added from code, changing nothing, and applies the next edit', async () => {
    const { supervisor: s, connections } = await start(fleet(service('keep') + service('change')));
    s.addService({ name: 'extra', command: 'node', args: ['extra.mjs'] });
    await flush();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const rejected = nextReload(s);
      writeFileSync(file, fleet(service('keep') + service('change', '    ping_timeout: 5s\n') + service('extra')));
      const event = await rejected;
      expect(event.type).toBe('rejected');
      expect(event.type === 'rejected' && event.error.message).toMatch(/'extra' already exists .*added from code and is also in the config/);
      expect(s.getServiceInfo('change').config.lifecycle.pingTimeout).toBe(3000);
      expect(connections.calls.connect).toHaveLength(3);

      // The next edit is applied, with the changes of the rejected one it still contains.
      const applied = nextReload(s);
      writeFileSync(file, fleet(service('keep') + service('change', '    ping_timeout: 5s\n') + service('added')));
      expect(await applied).toMatchObject({ type: 'applied', added: ['added'], changed: ['change'], removed: [] });
      await flush();
      expect(s.getServiceInfo('change').config.lifecycle.pingTimeout).toBe(5000);
      expect(s.listServices().map((x) => x.key).sort()).toEqual(['added', 'change', 'extra', 'keep']);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('drops an edit being applied when the supervisor stops, without an unhandled rejection', async () => {
    const { supervisor: s } = await start(fleet(service('a') + service('b')));
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const events: ConfigReloadEvent[] = [];
      s.configEvents$.subscribe((event) => events.push(event));
      writeFileSync(file, fleet(service('a', '    ping_timeout: 5s\n') + service('c')));
      // Stop as soon as the edit's apply has begun: a's restart is under way.
      await new Promise<void>((resolve) => {
        const subscription = s.transitions$.subscribe((t) => {
          if (t.service === 'a' && t.to === 'DISCONNECTING') {
            subscription.unsubscribe();
            resolve();
          }
        });
      });
      await s.stop();
      // An unhandled rejection is reported once the microtasks of the current turn have run.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      expect(events.filter((event) => event.type === 'rejected')).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
