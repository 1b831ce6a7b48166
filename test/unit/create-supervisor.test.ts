// createSupervisor: one factory for a config file, a loaded config and a fleet from code, each giving a
// supervisor that is built but not started.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createSupervisor, ConfigError, parseConfig, SupervisorStoppedError, type Supervisor, type Transition } from '../../src/index.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-create-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const FLEET_YAML = `
profiles:
  sparse: { health_check_interval: 5m }
services:
  steady:
    command: node
    args: [steady.mjs]
    profile: sparse
`;

let supervisor: Supervisor | null = null;
afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
});

function fakeIo() {
  const clock = new VirtualClock();
  return { clock, connections: inMemoryLayer(clock) };
}

/** The supervisor is built but not started: it refuses work until start(). */
async function expectNotStarted(built: Supervisor) {
  await expect(built.callTool('steady', 'echo')).rejects.toThrow(SupervisorStoppedError);
  await expect(built.callTool('steady', 'echo')).rejects.toMatchObject({ reason: 'not-started' });
}

describe('createSupervisor', () => {
  it('loads a config file, and remembers it for watchConfig', async () => {
    const file = path.join(scratch, 'fleet.yaml');
    writeFileSync(file, FLEET_YAML);
    supervisor = await createSupervisor(file, fakeIo());
    await expectNotStarted(supervisor);
    const transitions: Transition[] = [];
    supervisor.transitions$.subscribe((transition) => transitions.push(transition));

    supervisor.start();
    await flush();
    expect(transitions[0]).toMatchObject({ service: 'steady', from: null, to: 'INITIALIZING' });
    expect(supervisor.getServiceInfo('steady').config.lifecycle.healthCheckInterval).toBe(300_000);
    // The file it was created from is the one watched (no `file` needed).
    const unwatch = supervisor.watchConfig();
    unwatch();
  });

  it('rejects a bad config file with every problem, building nothing', async () => {
    const file = path.join(scratch, 'bad.yaml');
    writeFileSync(file, 'services:\n  steady:\n    command: node\n    ping_timeout: soon\n');
    await expect(createSupervisor(file)).rejects.toThrow(ConfigError);
    await expect(createSupervisor(file)).rejects.toThrow(/bad\.yaml:4:\d+ services\.steady\.ping_timeout/);
  });

  it('takes a loaded config: services added later as written in YAML resolve against its profiles', async () => {
    const config = parseConfig(FLEET_YAML, { file: 'fleet.yaml', env: {} });
    supervisor = await createSupervisor(config, fakeIo());
    await expectNotStarted(supervisor);

    supervisor.start();
    const added = supervisor.addService({ name: 'later', command: 'node', args: ['later.mjs'], profile: 'sparse' });
    expect(added.config.lifecycle.healthCheckInterval).toBe(300_000);
    expect(supervisor.listServices().map((service) => service.key).sort()).toEqual(['later', 'steady']);
  });

  it('takes a fleet described in code', async () => {
    const fleet = { services: [{ name: 'steady', transport: { type: 'stdio' as const, command: 'node', args: ['steady.mjs'], env: {} } }] };
    supervisor = await createSupervisor(fleet, fakeIo());
    await expectNotStarted(supervisor);

    supervisor.start();
    expect(supervisor.listServices().map((service) => service.key)).toEqual(['steady']);
    // Not created from a file: there is none to watch.
    expect(() => supervisor?.watchConfig()).toThrow(/watchConfig needs a file/);
  });
});
