#!/usr/bin/env node
// The `mcp-supervisor` binary. `npm start` runs `mcp-supervisor run config/services.yaml`.

import { main } from './program.js';

process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
