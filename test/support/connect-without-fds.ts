// Run under a low `ulimit -n`: uses up every file descriptor, then connects a stdio server, and prints
// the connect's failure as JSON ({ name, message }) on stdout.

import { openSync } from 'node:fs';
import { McpConnections } from '../../src/actors/connection-registry.js';
import { stdioServer } from '../fixtures/test-servers.js';

const held: number[] = [];
try {
  for (;;) held.push(openSync('/dev/null', 'r'));
} catch {
  // EMFILE: every descriptor is taken.
}
const connections = new McpConnections();
connections.register('svc', stdioServer());
try {
  await connections.connect('svc', { timeoutMs: 10_000 });
  process.stdout.write(JSON.stringify({ name: 'none', message: 'the connect succeeded' }));
} catch (error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  process.stdout.write(JSON.stringify({ name: failure.name, message: failure.message }));
}
await connections.closeAll(1_000);
