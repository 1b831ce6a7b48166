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

/** What a redacted value reads (env and header values, secret parts of a URL). */
export const REDACTED = '***';

/**
 * The brand of a redacted transport. A registered symbol, so that every copy of the package knows it;
 * set on the object as a non-enumerable property, so that equality checks and JSON do not see it.
 */
export const REDACTED_TRANSPORT: unique symbol = Symbol.for('mcp-supervisor.redacted-transport');

/**
 * A transport as snapshots, logs and errors show it: env and header values read `***`, and a URL's
 * secrets (credentials, query values, key-like path segments) are removed. It tells what is set, but
 * cannot connect: `addService` refuses it, at compile time and at run time.
 */
export type RedactedTransportConfig = TransportConfig & { readonly [REDACTED_TRANSPORT]: true };

/**
 * A transport with its real values, as services are added with: a {@link RedactedTransportConfig}
 * (a snapshot's `config.transport`) does not type-check as one.
 */
export type RealTransportConfig = TransportConfig & { readonly [REDACTED_TRANSPORT]?: never };

/**
 * The transport as it may be shown in snapshots, logs and errors: env and header values replaced,
 * and any user:password in a URL removed. Keys stay so a user can see what is set.
 */
export function redactTransport(transport: TransportConfig): RedactedTransportConfig {
  const hide = (values: Record<string, string>) =>
    Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
  const redacted =
    transport.type === 'stdio'
      ? { ...transport, args: [...transport.args], env: hide(transport.env) }
      : { ...transport, url: redactUrl(transport.url), headers: hide(transport.headers) };
  return Object.defineProperty(redacted, REDACTED_TRANSPORT, { value: true }) as RedactedTransportConfig;
}

/**
 * Whether `transport` is a redacted copy rather than the real settings: it carries the brand of
 * `redactTransport`, or (a copy made by spreading or cloning one, which loses the brand) an env or
 * header value, or its URL, reads `***`.
 */
export function isRedactedTransport(transport: TransportConfig): boolean {
  if ((transport as Partial<RedactedTransportConfig>)[REDACTED_TRANSPORT] === true) return true;
  const values = transport.type === 'stdio' ? transport.env : transport.headers;
  if (Object.values(values ?? {}).some((value) => value === REDACTED)) return true;
  return transport.type !== 'stdio' && typeof transport.url === 'string' && transport.url.includes(REDACTED);
}

/**
 * A URL without its secrets: credentials, query values, the fragment, and any path segment that looks
 * like a key (hosted MCP servers often put the API key in the path: `/v1/sk-…/sse`, `/s/<uuid>/mcp`).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username) parsed.username = REDACTED;
    if (parsed.password) parsed.password = REDACTED;
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, REDACTED);
    if (parsed.hash) parsed.hash = REDACTED;
    parsed.pathname = parsed.pathname
      .split('/')
      .map((segment) => (looksLikeKey(segment) ? REDACTED : segment))
      .join('/');
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}

/** Prefixes of well-known API keys and tokens (OpenAI, Stripe, GitHub, GitLab, Slack, AWS). */
const KEY_PREFIX = /^(sk|pk|rk|ak)[-_]|^(ghp|gho|ghu|ghs|ghr|github_pat|glpat)_|^xox[abprs]-|^AKIA[0-9A-Z]{12}/;

/**
 * A path segment that is probably a secret: a well-known key prefix (`sk-…`, but not a locale `sk-SK`),
 * or 16+ characters where letters and digits alternate at least three times (random-looking: keys, hashes, UUIDs). Readable names stay
 * (`weather-forecast`, `server-2024-v1`); hiding a harmless long id costs a reader only that segment.
 */
function looksLikeKey(segment: string): boolean {
  if (segment.length >= 8 && KEY_PREFIX.test(segment)) return true;
  if (segment.length < 16) return false;
  let alternations = 0;
  for (let i = 1; i < segment.length; i += 1) {
    const [before, here] = [segment[i - 1] ?? '', segment[i] ?? ''];
    if ((/[0-9]/.test(before) && /[A-Za-z]/.test(here)) || (/[A-Za-z]/.test(before) && /[0-9]/.test(here))) alternations += 1;
  }
  return alternations >= 3;
}

/** A URL path ending in `/sse` is SSE; anything else Streamable HTTP (falling back to SSE). */
export function inferTransportType(url: string): 'streamable-http' | 'sse' {
  try {
    return /\/sse\/?$/.test(new URL(url).pathname) ? 'sse' : 'streamable-http';
  } catch {
    return 'streamable-http';
  }
}
