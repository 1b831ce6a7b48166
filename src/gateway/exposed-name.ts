// The name a service's tool or prompt takes in the gateway: `<prefix><separator><name>`, kept within
// the 64 characters MCP allows a tool name by a deterministic shortening that depends on nothing but the
// full name, so the same tool has the same name in every session and after every restart.

import { createHash } from 'node:crypto';

/** The longest tool name the MCP specification allows. */
export const MAX_NAME_LENGTH = 64;
/** Hex digits of the full name's SHA-256 that tell shortened names apart. */
const DIGEST_LENGTH = 8;

/**
 * `name` as the gateway exposes it: prefixed with `prefix` and `separator` (not at all for an empty
 * prefix); a result over 64 characters keeps its first 55 and ends with `_` and 8 hex digits of the
 * SHA-256 of the full name.
 */
export function exposedName(prefix: string, separator: string, name: string): string {
  const full = prefix === '' ? name : `${prefix}${separator}${name}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const digest = createHash('sha256').update(full).digest('hex').slice(0, DIGEST_LENGTH);
  return `${full.slice(0, MAX_NAME_LENGTH - DIGEST_LENGTH - 1)}_${digest}`;
}

/** The prefix a service takes by default: its fleet key, with an agent's `/` made a `.` (tool names allow no `/`). */
export function defaultPrefix(serviceKey: string): string {
  return serviceKey.replace('/', '.');
}

/**
 * Whether `pattern` (`*` matches any run of characters, everything else itself) matches the whole of
 * `name`: how `tools.allow` and `tools.deny` name tools.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}
