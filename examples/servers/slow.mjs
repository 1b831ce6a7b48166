#!/usr/bin/env node
// Demo server "slow": healthy but sluggish. It answers its health probe (`ping`, or `server/discover`
// for a client of the 2026-07-28 revision) after 1.5–2.5 s, so its health tier is `warning` (slower than
// healthy_threshold, within warning_threshold) while it stays available.
//
//   node examples/servers/slow.mjs [--min-ping-ms 1500] [--max-ping-ms 2500]

import { z } from 'zod';
import { millis, serveOverStdio, serverFlags, sleep, text } from './demo-server.mjs';

const flags = serverFlags({
  'min-ping-ms': { type: 'string' },
  'max-ping-ms': { type: 'string' },
});
const minPing = millis(flags['min-ping-ms'], 1500, '--min-ping-ms');
const maxPing = Math.max(minPing, millis(flags['max-ping-ms'], 2500, '--max-ping-ms'));
const pingDelay = () => minPing + Math.random() * (maxPing - minPing);

serveOverStdio(
  'slow',
  (server) => {
    server.registerTool(
      'slow_echo',
      {
        description: 'Returns the text after a delay (default 2 s), like a slow upstream API.',
        inputSchema: z.object({ text: z.string(), delay_ms: z.number().min(0).max(60_000).optional() }),
      },
      async ({ text: value, delay_ms: delay = 2000 }) => {
        await sleep(delay);
        return text(value);
      },
    );
    server.registerTool(
      'fibonacci',
      {
        description: 'The n-th Fibonacci number (n ≤ 1000), computed slowly on purpose.',
        inputSchema: z.object({ n: z.number().int().min(0).max(1000) }),
      },
      async ({ n }) => {
        await sleep(pingDelay());
        let [a, b] = [0n, 1n];
        for (let i = 0; i < n; i++) [a, b] = [b, a + b];
        return text(a);
      },
    );
  },
  { healthProbeDelay: pingDelay },
);
