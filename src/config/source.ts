// A config file's text as data that still knows where everything came from: parsed with the `yaml`
// package (which also reads JSON), `${VAR}` interpolated in string values, and every key path mapped
// back to file:line:col. YAML syntax errors, duplicate keys, bad aliases and bad `${…}` are collected as
// issues here. Every pass over the tree is one linear walk and the input is bounded (its size here, alias
// expansion in aliases.ts), so a hostile file costs a bounded, linear amount of work.

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, ErrorCode, Node, Scalar } from 'yaml';
import { checkAliases, toPlainData } from './aliases.js';
import type { ConfigIssue, PathSegment } from './errors.js';
import { formatPath } from './errors.js';
import { interpolate } from './interpolate.js';
import type { VariableResolver } from './interpolate.js';
import { keyText, walk } from './yaml-tree.js';
import type { IssueLocator } from './zod-issues.js';

export interface ParsedSource {
  /** The document as plain data; `undefined` after a YAML syntax error (its tree is then a guess). */
  data: unknown;
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** The issue for a key path; `atKey` points at the map key itself rather than its value. */
  issueAt: IssueLocator;
}

export interface SourceOptions {
  file: string;
  resolveVariable: VariableResolver;
}

/** A config file bigger than this is refused before it is parsed: configs are kilobytes, not megabytes. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function parseSource(text: string, { file, resolveVariable }: SourceOptions): ParsedSource {
  const lineCounter = new LineCounter();
  const issueAtOffset = (offset: number | null, path: readonly PathSegment[], message: string): ConfigIssue => {
    const position = offset === null ? null : lineCounter.linePos(offset);
    return { file, line: position?.line ?? null, column: position?.col ?? null, path: formatPath(path), message };
  };
  const tooBig = sizeIssue(Buffer.byteLength(text, 'utf8'));
  if (tooBig !== null) {
    const issue = issueAtOffset(null, [], tooBig);
    return { data: undefined, issues: [issue], warnings: [], issueAt: () => issue };
  }

  // Duplicate keys are found below in one pass; yaml's own check compares each key with every earlier one.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: false });
  const issueAt = (path: readonly PathSegment[], message: string, atKey = false): ConfigIssue =>
    issueAtOffset(offsetOf(doc, path, atKey), path, message);

  // One syntax error per line: the parser's follow-on complaints about the same line are noise.
  const linesWithSyntaxErrors = new Set<number>();
  const issues = doc.errors.flatMap((error) => {
    const { line } = lineCounter.linePos(error.pos[0]);
    if (linesWithSyntaxErrors.has(line)) return [];
    linesWithSyntaxErrors.add(line);
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'a config file holds one YAML document: remove the extra `---`'
        : `${lowerFirst(error.message)}${syntaxHint(error.code, text, lineCounter.lineStarts[line - 1] ?? 0)}`;
    return [issueAtOffset(error.pos[0], [], `YAML syntax: ${message}`)];
  });
  const warnings = doc.warnings.map((warning) => issueAtOffset(warning.pos[0], [], `YAML: ${lowerFirst(warning.message)}`));
  issues.push(...duplicateKeys(doc, issueAtOffset));

  // After a syntax error or a bad alias the tree is a guess; a duplicate key leaves it sound.
  const aliases = checkAliases(doc, issueAtOffset);
  const readable = aliases.issues.length === 0 && doc.errors.length === 0;
  issues.push(...aliases.issues, ...interpolateValues(doc, text, resolveVariable, issueAtOffset));
  if (!readable) return { data: undefined, issues, warnings, issueAt };

  try {
    return { data: toPlainData(doc, aliases.links), issues, warnings, issueAt };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { data: undefined, issues: [...issues, issueAtOffset(0, [], `YAML: ${lowerFirst(reason)}`)], warnings, issueAt };
  }
}

/** The message for a config of `bytes` bytes if that is more than a config may be, else null. */
export function sizeIssue(bytes: number): string | null {
  if (bytes <= MAX_CONFIG_BYTES) return null;
  return (
    `the file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, the most a config may be (5,000 services fit in about 1 MiB): ` +
    'check that this is the config you meant, and move any bulk data out of it'
  );
}

export type OffsetIssue = (offset: number | null, path: readonly PathSegment[], message: string) => ConfigIssue;

/**
 * Replaces `${VAR}` in every string value (never in keys). A plain (unquoted) scalar is typed again
 * after substitution, so `timeout: ${T:-30}` is the number 30 as `timeout: 30` would be; a quoted one
 * stays a string.
 */
function interpolateValues(
  doc: Document,
  text: string,
  resolveVariable: VariableResolver,
  issueAtOffset: OffsetIssue,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walk(doc, (scalar, path, _container, slot) => {
    if (slot === 'key' || !isScalar(scalar) || typeof scalar.value !== 'string' || !scalar.value.includes('$')) return;
    const result = interpolate(scalar.value, resolveVariable);
    if (!result.ok) {
      for (const problem of result.problems) {
        issues.push(issueAtOffset(expressionOffset(text, scalar, problem.expression), path, problem.message));
      }
      return;
    }
    if (result.changed) scalar.value = scalar.type === 'PLAIN' ? retype(result.value) : result.value;
  });
  return issues;
}

/** The core-schema type of an unquoted scalar: numbers and booleans; everything else stays text. */
function retype(value: string): string | number | boolean {
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** Where `${…}` sits in the source: inside the scalar's text when found there, else the scalar's start. */
function expressionOffset(text: string, scalar: Scalar, expression: string): number | null {
  const [start, end] = scalar.range ?? [null, null];
  if (start === null) return null;
  const index = text.indexOf(expression, start);
  return index >= 0 && index < end ? index : start;
}

/** What to do about the YAML mistakes people make most. */
function syntaxHint(code: ErrorCode, text: string, lineStart: number): string {
  const lineEnd = text.indexOf('\n', lineStart);
  const line = text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  // `{` is a flow indicator: inside `[…]` or `{…}`, an unquoted `${VAR}` breaks the collection.
  if (line.includes('${') && /[[{]/.test(line.replace(/\$\{/g, ''))) return ' (inside `[…]` or `{…}`, quote a value that contains `${…}`)';
  if (code === 'BLOCK_AS_IMPLICIT_KEY') return ' (quote a value that contains `: `)';
  if (code === 'TAB_AS_INDENT') return ' (indent with spaces)';
  return '';
}

/** Offset for a key path: the deepest node that exists; a mapping or a missing value is shown at its key. */
function offsetOf(doc: Document, path: readonly PathSegment[], atKey: boolean): number | null {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  let reached = 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      keyNode = isScalar(pair.key) ? pair.key : null;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      keyNode = null;
      node = node.items[segment];
    } else break;
    reached += 1;
  }
  const complete = reached === path.length;
  // An empty value (`weather:` and nothing) has a zero-width range at the line's end: show its key.
  const range = isScalar(node) || isAlias(node) ? node.range : null;
  const scalarStart = range && range[1] > range[0] ? range[0] : null;
  if (complete && !atKey && scalarStart !== null) return scalarStart;
  if (keyNode?.range) return keyNode.range[0];
  if (isMap(node) || isSeq(node)) return node.range?.[0] ?? null;
  return scalarStart;
}

/** A key written twice in one mapping (merge keys `<<` may repeat); one pass, a set per mapping. */
function duplicateKeys(doc: Document, issueAtOffset: OffsetIssue): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walk(doc, (node, path) => {
    if (!isMap(node)) return;
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = keyText(pair.key);
      if (key === null || key === '<<') continue;
      if (seen.has(key)) {
        const offset = isScalar(pair.key) ? (pair.key.range?.[0] ?? null) : null;
        issues.push(issueAtOffset(offset, [...path, key], `duplicate key \`${key}\`: a key may appear only once in a mapping`));
      }
      seen.add(key);
    }
  });
  return issues;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
