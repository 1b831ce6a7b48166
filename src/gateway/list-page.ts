// The gateway's lists a page at a time. A page holds up to the page size of entries, across services;
// its cursor says which service the next page starts in and how far into that service's entries, so a
// large server's catalogue pages through, and a service that comes or goes moves no other service's
// place. Cursors are opaque to clients (base64url JSON) and checked when they come back: a cursor that
// is not the gateway's, is for another list, or names a place no longer in the catalogue is refused.

import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';

/** Entries per page when the gateway is not told otherwise. */
export const DEFAULT_PAGE_SIZE = 100;

interface Cursor {
  /** Which list (tools, prompts, resources, templates). */
  list: string;
  service: string;
  /** How many of the service's entries earlier pages held. */
  offset: number;
}

/** One page of `entries` (in catalogue order, each service's contiguous) from `cursor` on. */
export function listPage<T extends { service: string }>(
  list: string,
  entries: readonly T[],
  cursor: string | undefined,
  pageSize: number,
): { items: T[]; nextCursor?: string } {
  let start = 0;
  if (cursor !== undefined) {
    const at = decode(cursor, list);
    const first = entries.findIndex((entry) => entry.service === at.service);
    start = first + at.offset;
    if (first < 0 || entries[start]?.service !== at.service) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `the cursor's place in the ${list} list is gone (its service '${at.service}' changed or left): list again without a cursor`);
    }
  }
  const items = entries.slice(start, start + pageSize);
  const next = entries[start + items.length];
  if (next === undefined) return { items };
  const offset = start + items.length - entries.findIndex((entry) => entry.service === next.service);
  return { items, nextCursor: encode({ list, service: next.service, offset }) };
}

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.list, cursor.service, cursor.offset])).toString('base64url');
}

function decode(text: string, list: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid(list);
  const [kind, service, offset] = parsed as unknown[];
  if (typeof kind !== 'string' || typeof service !== 'string' || typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw invalid(list);
  if (kind !== list) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `that cursor is for the ${kind} list, not the ${list} list`);
  return { list: kind, service, offset };
}

function invalid(list: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, `not a cursor this gateway gave for the ${list} list: pass the nextCursor of the previous page, or none for the first`);
}
