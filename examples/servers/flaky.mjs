#!/usr/bin/env node
// Demo server "flaky": works, then crashes (exits with code 1) a while after it starts — 20 s by
// default — so the supervisor's reconnect can be watched: HEALTHY → RECONNECTING → HEALTHY, again and
// again, because each reconnect spawns a fresh process that crashes in its turn.
//
//   node examples/servers/flaky.mjs [--crash-after-ms 20000]     (or FLAKY_CRASH_AFTER_MS=…)

import { z } from 'zod';
import { log, millis, serveOverStdio, serverFlags, text } from './demo-server.mjs';

const flags = serverFlags({ 'crash-after-ms': { type: 'string' } });
const crashAfter = millis(flags['crash-after-ms'] ?? process.env.FLAKY_CRASH_AFTER_MS, 20_000, '--crash-after-ms');
const startedAt = Date.now();

serveOverStdio('flaky', (server) => {
  server.registerTool('coin_flip', { description: 'Heads or tails.' }, async () => text(Math.random() < 0.5 ? 'heads' : 'tails'));
  server.registerTool(
    'roll_dice',
    {
      description: 'Rolls `count` dice with `sides` sides.',
      inputSchema: z.object({ count: z.number().int().min(1).max(100), sides: z.number().int().min(2).max(1000) }),
    },
    async ({ count, sides }) => text(Array.from({ length: count }, () => 1 + Math.floor(Math.random() * sides)).join(' ')),
  );
  server.registerTool(
    'uptime',
    { description: 'How long this process has been up, and when it will crash.' },
    async () => text(`up ${Date.now() - startedAt} ms; crashing ${crashAfter} ms after start`),
  );
});

setTimeout(() => {
  log('flaky', `crashing on purpose, ${crashAfter} ms after start`);
  process.exit(1);
}, crashAfter);
