// The normalised connection settings of one service (after YAML/JSON loading) and their redaction.
// One zod schema; the TypeScript types are derived from it.

import { z } from 'zod';

export const StdioTransportSchema = z.object({
  type: z.literal('stdio'),
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  /** Merged onto the SDK's safe default environment (HOME, PATH, …), not onto the supervisor's own. */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  /** `legacy`: skip the 2026-07-28 probe and make the 2025 handshake; absent: negotiate (`auto`). */
  protocol: z.enum(['auto', 'legacy']).optional(),
});

export const StreamableHttpTransportSchema = z.object({
  type: z.literal('streamable-http'),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Set when the transport was inferred: a 4xx to the Streamable HTTP initialize retries over SSE. */
  sseFallback: z.boolean().default(false),
  /** `legacy`: skip the 2026-07-28 probe and make the 2025 handshake; absent: negotiate (`auto`). */
  protocol: z.enum(['auto', 'legacy']).optional(),
});

export const SseTransportSchema = z.object({
  type: z.literal('sse'),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
});

export const TransportConfigSchema = z.discriminatedUnion('type', [
  StdioTransportSchema,
  StreamableHttpTransportSchema,
  SseTransportSchema,
]);

/** A local server: `command` with `args`, run in its own process group, talking over stdin/stdout. */
export type StdioTransportConfig = z.output<typeof StdioTransportSchema>;
/** A remote server over Streamable HTTP at `url`, with `headers` on every request. */
export type StreamableHttpTransportConfig = z.output<typeof StreamableHttpTransportSchema>;
/** A remote server over the older SSE transport at `url`, with `headers` on every request. */
export type SseTransportConfig = z.output<typeof SseTransportSchema>;
/** How to reach one MCP server, with its real settings: stdio, Streamable HTTP or SSE, told apart by `type`. */
export type TransportConfig = z.output<typeof TransportConfigSchema>;
/** `stdio`, `streamable-http` or `sse`. */
export type TransportType = TransportConfig['type'];

// How a transport is shown (redacted) is decided where the statechart stores it, beside the chart.
export {
  REDACTED,
  REDACTED_TRANSPORT,
  isRedactedTransport,
  redactTransport,
  redactUrl,
  type RealTransportConfig,
  type RedactedTransportConfig,
} from '../machines/redacted-transport.js';

/** A URL path ending in `/sse` is SSE; anything else Streamable HTTP (falling back to SSE). */
export function inferTransportType(url: string): 'streamable-http' | 'sse' {
  try {
    return /\/sse\/?$/.test(new URL(url).pathname) ? 'sse' : 'streamable-http';
  } catch {
    return 'streamable-http';
  }
}
