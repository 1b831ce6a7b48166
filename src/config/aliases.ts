// YAML anchors and aliases in a config: every alias must name an anchor before it and outside it, and
// together they may expand to a bounded number of values. Checked in one walk; the checked aliases are
// then resolved in linear time for the conversion to plain data.

import { isAlias } from 'yaml';
import type { Alias, Document, Node } from 'yaml';
import type { ConfigIssue, PathSegment } from './errors.js';
import type { OffsetIssue } from './source.js';
import { place, walk } from './yaml-tree.js';
import type { Container, Slot } from './yaml-tree.js';

/**
 * Aliases (`*name`) may stand for at most this many values in all: enough for `<<: *defaults` in every
 * service of a large fleet, and a bound on the work a file of aliases to one huge anchor can cause.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/** An alias, where it sits, and the node it names. */
interface AliasLink {
  alias: Alias;
  container: Container;
  slot: Slot;
  target: Node;
}

interface Anchor {
  node: Node;
  /** In values, its own aliases expanded; undefined while its block is still open. */
  size: number | undefined;
  uses: number;
  path: PathSegment[];
}

/**
 * Every alias must follow its anchor and may not sit inside the block it names; together they may stand
 * for at most MAX_ALIAS_EXPANSION values. One walk: each anchor's size is known by the time an alias
 * after it is reached. Returns the issues, and each alias with its target for `toPlainData`.
 */
export function checkAliases(doc: Document, issueAtOffset: OffsetIssue): { issues: ConfigIssue[]; links: AliasLink[] } {
  const issues: ConfigIssue[] = [];
  const links: AliasLink[] = [];
  /** The latest anchor of each name. */
  const anchors = new Map<string, Anchor>();
  /** Values under each open node so far, innermost last. */
  const counts: number[] = [];
  const addToParent = (values: number) => {
    if (counts.length > 0) counts[counts.length - 1] = (counts.at(-1) ?? 0) + values;
  };
  let expansion = 0;

  walk(
    doc,
    (node, path, container, slot) => {
      if (!isAlias(node)) {
        counts.push(0);
        if (node.anchor !== undefined) anchors.set(node.anchor, { node, size: undefined, uses: 0, path: [...path] });
        return;
      }
      const { source } = node;
      const anchor = anchors.get(source);
      if (anchor?.size === undefined) {
        const problem = anchor
          ? `alias \`*${source}\` is inside the block \`&${source}\` it names: a config cannot contain itself`
          : `unknown alias \`*${source}\` (an alias needs an \`&${source}\` anchor before it)`;
        issues.push(issueAtOffset(node.range?.[0] ?? null, path, `YAML: ${problem}`));
        return;
      }
      expansion += anchor.size;
      anchor.uses += 1;
      addToParent(anchor.size);
      links.push({ alias: node, container, slot, target: anchor.node });
    },
    (node) => {
      if (isAlias(node)) return;
      const size = (counts.pop() ?? 0) + 1;
      addToParent(size);
      const anchor = node.anchor === undefined ? undefined : anchors.get(node.anchor);
      if (anchor?.node === node) anchor.size = size;
    },
  );
  if (expansion > MAX_ALIAS_EXPANSION) {
    // Shown at the anchor that costs most, so the user knows where to look.
    const cost = (anchor: Anchor) => (anchor.size ?? 0) * anchor.uses;
    const [name, worst] = [...anchors].reduce((a, b) => (cost(b[1]) > cost(a[1]) ? b : a));
    const n = (value: number) => value.toLocaleString('en-US');
    const message =
      `YAML: the aliases in this file stand for ${n(expansion)} values, more than the ${n(MAX_ALIAS_EXPANSION)} a config may expand to ` +
      `(\`*${name}\` alone: ${n(worst.uses)} uses of ${n(worst.size ?? 0)} values): write the values out, or anchor a smaller block`;
    issues.push(issueAtOffset(worst.node.range?.[0] ?? null, worst.path, message));
  }
  return { issues, links };
}

/**
 * The document as plain data. yaml resolves each alias by scanning the document's anchors from the
 * start, which is quadratic in the number of aliases; so each alias is replaced by the node it names
 * (checked and bounded above) for the conversion, and put back after it, for positions in messages.
 */
export function toPlainData(doc: Document, links: readonly AliasLink[]): unknown {
  for (const link of links) place(link.container, link.slot, link.target);
  try {
    return doc.toJS();
  } finally {
    for (const link of links) place(link.container, link.slot, link.alias);
  }
}
