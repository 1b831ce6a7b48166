// A supervisor in a process of its own, for scenarios that kill the supervisor itself: it supervises
// `count` test servers over stdio (each writing its pids to `<dir>/<name>.json`) and prints `ready` once
// every one is HEALTHY, or, with `--slow-start`, once every one has been spawned (connects in flight).
// Then it waits to be killed.
//
//   node --import tsx bench/chaos/support/supervisor-host.ts <count> <dir> [--slow-start] [server flags…]

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Supervisor } from '../../../src/index.js';
import { stdioServer } from '../../../test/fixtures/test-servers.js';

const [countArgument = '1', dir = '.', ...rest] = process.argv.slice(2);
const slowStart = rest.includes('--slow-start');
const serverFlags = rest.filter((flag) => flag !== '--slow-start');
const names = Array.from({ length: Number(countArgument) }, (_, index) => `host-server-${index}`);

const supervisor = new Supervisor({
  services: names.map((name) => ({
    name,
    transport: stdioServer([...serverFlags, ...(slowStart ? ['--start-delay', '60000'] : []), '--pid-file', join(dir, `${name}.json`)]),
    lifecycle: { connectTimeout: 120_000 },
  })),
  supervisor: { maxConcurrentConnects: names.length },
}).start();

const everyPidFile = () => names.every((name) => existsSync(join(dir, `${name}.json`)));
const everyHealthy = () => supervisor.listServices().every((service) => service.state === 'HEALTHY');
const timer = setInterval(() => {
  if (!everyPidFile() || (!slowStart && !everyHealthy())) return;
  clearInterval(timer);
  process.stdout.write('ready\n');
}, 20);
setInterval(() => undefined, 60_000);
