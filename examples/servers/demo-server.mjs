// What the three demo servers share: flags, an SDK v2 `McpServer` served on stdio in whichever protocol
// era the client opens with (revision 2026-07-28, or the legacy `initialize` handshake), and the rule
// that a server exits as soon as its stdin closes (the supervisor's first, polite shutdown signal).

import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';

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

/**
 * Serves the server `name` over stdin/stdout until stdin closes. `defineTools(server)` fills each
 * instance: the serving entry builds one per connection (and one for a client's era probe). With
 * `healthProbeDelay`, every health probe — `ping`, or `server/discover` after the connect's own — waits
 * `healthProbeDelay()` ms before it is answered.
 */
export function serveOverStdio(name, defineTools, { healthProbeDelay } = {}) {
  process.stdin.on('end', () => process.exit(0));
  const factory = () => {
    const server = new McpServer({ name, version: '1.0.0' });
    defineTools(server);
    return server;
  };
  const transport = new StdioServerTransport();
  serveStdio(factory, { transport: healthProbeDelay ? delayingHealthProbes(transport, healthProbeDelay) : transport });
}

/** `inner`, with each health probe delivered `delay()` ms late. */
function delayingHealthProbes(inner, delay) {
  let discovers = 0;
  const outer = {
    onmessage: undefined,
    onerror: undefined,
    onclose: undefined,
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
  };
  inner.onmessage = (message, extra) => {
    const deliver = () => outer.onmessage?.(message, extra);
    const probe = message.method === 'ping' || (message.method === 'server/discover' && ++discovers > 1);
    if (probe) setTimeout(deliver, delay());
    else deliver();
  };
  inner.onerror = (error) => outer.onerror?.(error);
  inner.onclose = () => outer.onclose?.();
  return outer;
}

export const text = (value) => ({ content: [{ type: 'text', text: String(value) }] });

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
