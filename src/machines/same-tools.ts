// Whether a new `tools/list` says anything new. A refresh that lists the same tools keeps the list the
// service already has, so that its snapshot stays the same object and nobody downstream (the gateway's
// catalogue and its clients' list_changed, the streams, the dashboards) hears of a change that is not one.

import type { ToolDescriptor } from './service-io.js';

/** `next` if it differs from `previous` in any tool or field, else `previous` itself. */
export function keepIfSame(previous: readonly ToolDescriptor[], next: readonly ToolDescriptor[]): readonly ToolDescriptor[] {
  return previous.length === next.length && previous.every((tool, index) => sameJson(tool, next[index])) ? previous : next;
}

/** Deep equality of JSON data, whatever the order of object keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  return keys.length === Object.keys(right).length && keys.every((key) => Object.hasOwn(right, key) && sameJson(left[key], right[key]));
}
