// Walking a parsed YAML document: every node once, in document order, with its key path and its place
// in its parent. Aliases are not followed, so a walk is linear in the size of the file.

import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLSeq } from 'yaml';
import type { PathSegment } from './errors.js';

/** Where a node sits: a pair's key or value, or a sequence item (for the document's root: null). */
export type Container = Pair | YAMLSeq | null;
export type Slot = 'key' | 'value' | number;

export type Visit = (node: Node, path: readonly PathSegment[], container: Container, slot: Slot) => void;

/**
 * Calls `visit` for every node in document order with its key path (valid only during the call) and its
 * place, then `exit` after its children. Aliases are not followed, so this is one pass over the tree;
 * yaml caps how deep a document nests, which bounds the recursion.
 */
export function walk(doc: Document, visit: Visit, exit?: (node: Node) => void): void {
  const path: PathSegment[] = [];
  const step = (node: unknown, container: Container, slot: Slot): void => {
    if (!isNode(node)) return;
    visit(node, path, container, slot);
    if (isMap(node)) {
      for (const pair of node.items) {
        step(pair.key, pair, 'key');
        path.push(keyText(pair.key) ?? '?');
        step(pair.value, pair, 'value');
        path.pop();
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        path.push(index);
        step(item, node, index);
        path.pop();
      });
    }
    exit?.(node);
  };
  step(doc.contents, null, 'value');
}

/** Puts `node` in a place `walk` reported. */
export function place(container: Container, slot: Slot, node: Node): void {
  if (container === null) return;
  if (isSeq(container) && typeof slot === 'number') container.items[slot] = node;
  else if (isPair(container) && slot === 'key') container.key = node;
  else if (isPair(container)) container.value = node;
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isAlias(value) || isMap(value) || isSeq(value);
}

/** A map key as the text of a key path; `<<` for the merge key; null for a key that is not a scalar. */
export function keyText(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const { value } = key;
  if (typeof value === 'symbol') return '<<'; // the merge key
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}
