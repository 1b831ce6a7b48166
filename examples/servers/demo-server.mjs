// What the three demo servers share: flags, an SDK `McpServer` on stdio, and the rule that a server
// exits as soon as its stdin closes (the supervisor's first, polite shutdown signal).

import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';

/** Parses the server's own flags (strict: a typo is an error, not a silently ignored flag). */
export function serverFlags(options) {
  return parseArgs({ options, strict: true, allowPositionals: false }).values;
}

/** A whole number of milliseconds from a flag or an environment variable, else `fallback`. */
export function millis(value, fallback, what) {
  if (value === undefined || value === '') return fallback;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${what} must be a number of milliseconds ≥ 0, got ${JSON.stringify(value)}`);
  return ms;
}

/** Diagnostics go to stderr: stdout carries JSON-RPC only. */
export function log(name, line) {
  process.stderr.write(`[${name}] ${line}\n`);
}

export function createDemoServer(name) {
  return new McpServer({ name, version: '1.0.0' });
}

/** Serves `server` over stdin/stdout until stdin closes. */
export async function serveOverStdio(server) {
  process.stdin.on('end', () => process.exit(0));
  await server.connect(new StdioServerTransport());
}

export const text = (value) => ({ content: [{ type: 'text', text: String(value) }] });

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
