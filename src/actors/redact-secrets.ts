// Keeps a service's secrets out of every message the actors produce. Error texts from the SDK, fetch or
// a server's stderr may quote a header, an env value or a URL with a token; they pass through here.

import { REDACTED, type TransportConfig } from '../config/transport.js';

/** Values shorter than this are not treated as secrets: replacing "1" everywhere would garble text. */
const MIN_SECRET_LENGTH = 4;

/** The secret values of a transport: env values, header values, URL credentials and query values. */
export function secretsOf(transport: TransportConfig): string[] {
  const values =
    transport.type === 'stdio' ? Object.values(transport.env) : [...Object.values(transport.headers), ...urlSecrets(transport.url)];
  // Longest first, so a secret that contains another is replaced whole.
  return [...new Set(values)].filter((value) => value.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function urlSecrets(url: string): string[] {
  try {
    const parsed = new URL(url);
    const values = [parsed.username, parsed.password, ...parsed.searchParams.values()];
    // As written in a URL and as decoded: messages quote either.
    return values.flatMap((value) => (value ? [value, encodeURIComponent(value)] : []));
  } catch {
    return [];
  }
}

/** `text` with every occurrence of each secret replaced by `***`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let redacted = text;
  for (const secret of secrets) redacted = redacted.split(secret).join(REDACTED);
  return redacted;
}
