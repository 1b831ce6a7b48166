// zod's issues in the words of a config file: what was expected, what was found, where, and for a
// misspelt key the nearest valid one. Positions come from the caller's `issueAt` (file:line:col).

import { z } from 'zod';
import { describeValue } from './errors.js';
import type { ConfigIssue, PathSegment } from './errors.js';
import { AT_KEY } from './schema.js';
import { didYouMean } from './suggest.js';

export type IssueLocator = (path: readonly PathSegment[], message: string, atKey?: boolean) => ConfigIssue;

export function describeZodIssues(
  error: z.ZodError,
  schema: z.ZodType,
  data: unknown,
  issueAt: IssueLocator,
): ConfigIssue[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
    const found = valueAt(data, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(schema, path);
        return issue.keys.map((key) => issueAt([...path, key], `unknown key \`${key}\`${didYouMean(key, known)}`, true));
      }
      case 'invalid_key':
        return [issueAt(path, `key \`${String(path.at(-1))}\` ${issue.issues.map((inner) => inner.message).join('; ')}`, true)];
      case 'invalid_type':
        return [issueAt(path, found === undefined ? `is required (${noun(issue.expected)})` : `expected ${noun(issue.expected)}, got ${describeValue(found, path)}`)];
      case 'too_small':
        return [issueAt(path, issue.origin === 'string' ? 'must not be empty' : `must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}, got ${describeValue(found, path)}`)];
      case 'too_big':
        return [issueAt(path, `must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}, got ${describeValue(found, path)}`)];
      case 'invalid_value': {
        const values = issue.values.map(String);
        const hint = typeof found === 'string' ? didYouMean(found, values) : '';
        return [issueAt(path, `expected one of ${values.join(' | ')}, got ${describeValue(found, path)}${hint}`)];
      }
      case 'custom': {
        const atKey = (issue.params as { at?: unknown } | undefined)?.at === AT_KEY.at;
        return [issueAt(path, issue.message, atKey)];
      }
      case 'invalid_format':
        return [issueAt(path, `${issue.message}, got ${describeValue(found, path)}`)];
      default:
        return [issueAt(path, issue.message)];
    }
  });
}

const NOUNS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  record: 'a mapping',
};

function noun(expected: string): string {
  return NOUNS[expected] ?? expected;
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((node, segment) => {
    if (typeof node !== 'object' || node === null) return undefined;
    return (node as Record<string, unknown>)[String(segment)];
  }, data);
}

/** The keys an object schema accepts at a path, for "did you mean". Wrappers are looked through. */
function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  let node: z.ZodType | undefined = schema;
  // Each step descends one path segment or unwraps one wrapper; schemas are finite trees.
  for (let i = 0, steps = 0; node !== undefined && steps < 64; steps += 1) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable || node instanceof z.ZodDefault) {
      node = node.unwrap() as z.ZodType;
      continue;
    }
    if (node instanceof z.ZodPipe) {
      node = node.in as z.ZodType;
      continue;
    }
    if (i === path.length) break;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(path[i])];
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return [];
    i += 1;
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}
