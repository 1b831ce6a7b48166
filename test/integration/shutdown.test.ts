// When stop() or removeService() resolves, no process of the services it stopped is alive — whatever the
// connect was doing: in flight, timed out, or a server that ignores stdin EOF and SIGTERM.

import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

const STUBBORN = ['--ignore-sigterm', '--ignore-stdin-close', '--grandchild'];
/** A server that is alive but has not answered initialize yet: its connect is in flight. */
const SLOW_START = ['--start-delay', '60000'];

let supervisor: Supervisor | null = null;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => running().length === 0, 10_000, 'every server process is gone');
});

/** Our descendants that still run (a reaped child is gone; an exited grandchild may linger as a zombie). */
function running() {
  return descendantsOf().filter((entry) => entry.state !== 'Z');
}

function services(count: number, flags: string[], lifecycle: ServiceSpec['lifecycle'] = {}): ServiceSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `s${index}`,
    transport: stdioServer(flags),
    lifecycle: { disconnectTimeout: 1_000, ...lifecycle },
  }));
}

describe('stop()', () => {
  it('leaves no process alive when it resolves during connects in flight', async () => {
    supervisor = new Supervisor({ services: services(6, SLOW_START) }).start();
    await eventually(() => running().length >= 6, 15_000, 'every server was spawned');
    await supervisor.stop();
    supervisor = null;
    expect(running()).toEqual([]);
  });

  it('leaves no process alive when it resolves during connects in flight to servers that ignore stdin EOF and SIGTERM', async () => {
    supervisor = new Supervisor({ services: services(3, [...SLOW_START, ...STUBBORN]) }).start();
    await eventually(() => running().length >= 6, 15_000, 'every server and its grandchild was spawned');
    await supervisor.stop();
    supervisor = null;
    expect(running()).toEqual([]);
  });

  it('leaves no process alive when a connect had timed out and its server ignores SIGTERM', async () => {
    supervisor = new Supervisor({
      services: services(2, [...SLOW_START, ...STUBBORN], { connectTimeout: 300, reconnectBaseDelay: 60_000, failedCloseTimeout: 10_000 }),
    });
    const timedOut = new Set<string>();
    supervisor.transitions$.subscribe((t) => {
      if (t.to === 'RECONNECTING') timedOut.add(t.service);
    });
    supervisor.start();
    await eventually(() => timedOut.size === 2, 15_000, 'both connects timed out');
    await supervisor.stop();
    supervisor = null;
    expect(running()).toEqual([]);
  });
});

describe('removeService()', () => {
  it('leaves no process of the service alive when it resolves during its connect', async () => {
    supervisor = new Supervisor({ services: [] }).start();
    for (let round = 0; round < 5; round += 1) {
      supervisor.addService({ name: 'svc', transport: stdioServer([...SLOW_START, ...STUBBORN]), lifecycle: { disconnectTimeout: 1_000 } });
      await eventually(() => running().length >= 2, 15_000, 'the server and its grandchild were spawned');
      await supervisor.removeService('svc');
      expect(running()).toEqual([]);
    }
  });

  it('leaves no process alive when it resolves while the service is HEALTHY', async () => {
    supervisor = new Supervisor({ services: [] }).start();
    supervisor.addService({ name: 'svc', transport: stdioServer(STUBBORN), lifecycle: { disconnectTimeout: 1_000 } });
    await supervisor.waitForService('svc', { timeoutMs: 15_000 });
    await supervisor.removeService('svc');
    expect(running()).toEqual([]);
  });
});
