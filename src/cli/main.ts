#!/usr/bin/env node
// The `mcp-supervisor` binary. `npm start` runs `mcp-supervisor run config/services.yaml`.

import { main } from './program.js';

// A reader that goes away (`mcp-supervisor run --log | head`) ends the run like Ctrl-C would: the
// fleet stops gracefully. Other commands end as Unix tools do when their pipe closes.
let stdoutGone = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  if (stdoutGone) return;
  stdoutGone = true;
  process.kill(process.pid, 'SIGTERM');
});

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
