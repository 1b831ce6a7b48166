// A config file's text as data that still knows where everything came from: parsed with the `yaml`
// package (which also reads JSON), `${VAR}` interpolated in string values, and every key path mapped
// back to file:line:col. YAML syntax errors, duplicate keys and bad `${…}` are collected as issues here.

import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, ErrorCode, Node, Scalar } from 'yaml';
import type { ConfigIssue, PathSegment } from './errors.js';
import { formatPath } from './errors.js';
import { interpolate } from './interpolate.js';
import type { VariableResolver } from './interpolate.js';

export interface ParsedSource {
  /** The document as plain data; `undefined` after a YAML syntax error (its tree is then a guess). */
  data: unknown;
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
  /** Offset of the first YAML syntax error, if any. */
  syntaxErrorOffset: number | undefined;
  /** The issue for a key path; `atKey` points at the map key itself rather than its value. */
  issueAt(path: readonly PathSegment[], message: string, atKey?: boolean): ConfigIssue;
}

export interface SourceOptions {
  file: string;
  resolveVariable: VariableResolver;
}

export function parseSource(text: string, { file, resolveVariable }: SourceOptions): ParsedSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });

  const issueAtOffset = (offset: number | null, path: readonly PathSegment[], message: string): ConfigIssue => {
    const position = offset === null ? null : lineCounter.linePos(offset);
    return { file, line: position?.line ?? null, column: position?.col ?? null, path: formatPath(path), message };
  };
  const issueAt = (path: readonly PathSegment[], message: string, atKey = false): ConfigIssue =>
    issueAtOffset(offsetOf(doc, path, atKey), path, message);

  // One syntax error per line: the parser's follow-on complaints about the same line are noise.
  const linesWithSyntaxErrors = new Set<number>();
  const issues = doc.errors.flatMap((error) => {
    if (error.code === 'DUPLICATE_KEY') {
      const path = pathOfKeyAt(doc, error.pos[0]);
      return [issueAtOffset(error.pos[0], path, `duplicate key \`${String(path.at(-1) ?? '')}\`: a key may appear only once in a mapping`)];
    }
    const { line } = lineCounter.linePos(error.pos[0]);
    if (linesWithSyntaxErrors.has(line)) return [];
    linesWithSyntaxErrors.add(line);
    const message =
      error.code === 'MULTIPLE_DOCS'
        ? 'a config file holds one YAML document: remove the extra `---`'
        : `${lowerFirst(error.message)}${syntaxHint(error.code, text, lineCounter.lineStarts[line - 1] ?? 0)}`;
    return [issueAtOffset(error.pos[0], [], `YAML syntax: ${message}`)];
  });
  const syntaxErrorOffset = doc.errors.find((error) => error.code !== 'DUPLICATE_KEY')?.pos[0];
  const warnings = doc.warnings.map((warning) => issueAtOffset(warning.pos[0], [], `YAML: ${lowerFirst(warning.message)}`));

  // After a syntax error or a dangling alias the tree is a guess; a duplicate key leaves it sound.
  const aliasIssues = unknownAliases(doc, issueAtOffset);
  const readable = aliasIssues.length === 0 && doc.errors.every((error) => error.code === 'DUPLICATE_KEY');
  issues.push(...aliasIssues, ...interpolateValues(doc, text, resolveVariable, issueAtOffset));
  if (!readable) return { data: undefined, issues, warnings, syntaxErrorOffset, issueAt };

  try {
    return { data: doc.toJS({ maxAliasCount: 1000 }), issues, warnings, syntaxErrorOffset, issueAt };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { data: undefined, issues: [...issues, issueAtOffset(0, [], `YAML: ${lowerFirst(reason)}`)], warnings, syntaxErrorOffset, issueAt };
  }
}

type OffsetIssue = (offset: number | null, path: readonly PathSegment[], message: string) => ConfigIssue;

function unknownAliases(doc: Document, issueAtOffset: OffsetIssue): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Alias(_key, alias) {
      if (alias.resolve(doc) !== undefined) return;
      const message = `YAML: unknown alias \`*${alias.source}\` (an alias needs an \`&${alias.source}\` anchor before it)`;
      issues.push(issueAtOffset(alias.range?.[0] ?? null, pathOfNode(doc, alias), message));
    },
  });
  return issues;
}

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
  visit(doc, {
    Scalar(key, scalar) {
      if (key === 'key' || typeof scalar.value !== 'string' || !scalar.value.includes('$')) return;
      const result = interpolate(scalar.value, resolveVariable);
      if (!result.ok) {
        const path = pathOfNode(doc, scalar);
        for (const problem of result.problems) {
          issues.push(issueAtOffset(expressionOffset(text, scalar, problem.expression), path, problem.message));
        }
        return;
      }
      if (result.changed) scalar.value = scalar.type === 'PLAIN' ? retype(result.value) : result.value;
    },
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

type Segments = PathSegment[];

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

function keyText(key: unknown): string | null {
  if (!isScalar(key)) return null;
  const { value } = key;
  if (typeof value === 'symbol') return '<<'; // the merge key
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
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

/** The key path of whatever node starts at `offset` as a map key (for yaml's duplicate-key errors). */
function pathOfKeyAt(doc: Document, offset: number): Segments {
  return findPath(doc.contents, (key) => key?.range?.[0] === offset) ?? [];
}

function pathOfNode(doc: Document, target: Node): Segments {
  return findPath(doc.contents, (key, value) => value === target) ?? [];
}

/** Depth-first search of the document tree; the tree is finite and aliases are not followed. */
function findPath(node: unknown, match: (key: Node | null, value: unknown) => boolean): Segments | null {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key : null;
      const segment = keyText(pair.key) ?? '?';
      if (match(key, pair.value)) return [segment];
      const below = findPath(pair.value, match);
      if (below) return [segment, ...below];
    }
  } else if (isSeq(node)) {
    for (const [index, item] of node.items.entries()) {
      if (match(null, item)) return [index];
      const below = findPath(item, match);
      if (below) return [index, ...below];
    }
  }
  return null;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
