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
});

export const StreamableHttpTransportSchema = z.object({
  type: z.literal('streamable-http'),
  url: z.url(),
  headers: z.record(z.string(), z.string()).default({}),
  /** Set when the transport was inferred: a 4xx to the Streamable HTTP initialize retries over SSE. */
  sseFallback: z.boolean().default(false),
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

export type StdioTransportConfig = z.output<typeof StdioTransportSchema>;
export type StreamableHttpTransportConfig = z.output<typeof StreamableHttpTransportSchema>;
export type SseTransportConfig = z.output<typeof SseTransportSchema>;
export type TransportConfig = z.output<typeof TransportConfigSchema>;
export type TransportType = TransportConfig['type'];

export const REDACTED = '***';

/**
 * The transport as it may be shown in snapshots, logs and errors: env and header values replaced,
 * and any user:password in a URL removed. Keys stay so a user can see what is set.
 */
export function redactTransport(transport: TransportConfig): TransportConfig {
  const hide = (values: Record<string, string>) =>
    Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
  if (transport.type === 'stdio') return { ...transport, args: [...transport.args], env: hide(transport.env) };
  return { ...transport, url: redactUrl(transport.url), headers: hide(transport.headers) };
}

/** A URL without its credentials or query values (tokens often travel as `?key=`). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = REDACTED;
    if (parsed.password) parsed.password = REDACTED;
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, REDACTED);
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}

/** SPEC §4: a URL path ending in `/sse` is SSE; anything else Streamable HTTP (falling back to SSE). */
export function inferTransportType(url: string): 'streamable-http' | 'sse' {
  try {
    return /\/sse\/?$/.test(new URL(url).pathname) ? 'sse' : 'streamable-http';
  } catch {
    return 'streamable-http';
  }
}
