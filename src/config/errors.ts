// Config problems as data: each issue says where (file:line:col and key path) and what was expected.
// A `ConfigError` carries every error of a file at once, since the file is accepted or rejected whole.

import { McpSupervisorError } from '../mcp-supervisor-error.js';
import { redactUrl } from './transport.js';

/** One problem of a config: where it is, and what is wrong. */
export interface ConfigIssue {
  /** The config file, as the caller named it; null for a service given from code. */
  file: string | null;
  /** 1-based; null when the problem has no position (a service given from code, an unreadable file). */
  line: number | null;
  /** 1-based; null when the problem has no position. */
  column: number | null;
  /** The key path, e.g. `services.weather.ping_timeout`; empty for the document itself. */
  path: string;
  /** What is wrong and what was expected. */
  message: string;
}

export type PathSegment = string | number;

/** Keys whose values are often secrets (tokens in `env`, `Authorization` in `headers`): never quoted. */
const SECRET_KEYS: ReadonlySet<PropertyKey> = new Set(['env', 'headers']);

/**
 * A found value as a message shows it: short, typed, never a whole subtree, never a possible secret.
 * `path` is where the value sits: a string anywhere under `env` or `headers` is described, not quoted,
 * and a URL is shown redacted (credentials, query values, key-like path segments).
 */
export function describeValue(value: unknown, path: readonly PropertyKey[]): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') return `a ${typeof value}`;
  if (path.some((segment) => SECRET_KEYS.has(segment))) return 'a string';
  const shown = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? redactUrl(value) : value;
  return JSON.stringify(shown.length > 60 ? `${shown.slice(0, 57)}...` : shown);
}

/** `['services', 'weather', 'args', 0]` → `services.weather.args[0]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  return segments.reduce<string>((path, segment) => {
    if (typeof segment === 'number') return `${path}[${segment}]`;
    if (/^[A-Za-z0-9_/-]+$/.test(segment)) return path === '' ? segment : `${path}.${segment}`;
    return `${path}[${JSON.stringify(segment)}]`;
  }, '');
}

/** `config/services.yaml:12:5 services.weather.ping_timeout: must be > 0, got 0` */
export function formatIssue(issue: ConfigIssue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== null).join(':');
  const what = issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
  return where === '' ? what : `${where} ${what}`;
}

/** A message lists this many issues at most; the rest are counted (the `issues` array has them all). */
export const MAX_LISTED_ISSUES = 100;

/**
 * A config was rejected whole: its message lists every problem with `file:line:col` and what to do,
 * and `issues` has them as data (`warnings` those that did not reject it).
 */
export class ConfigError extends McpSupervisorError {
  /** Always `CONFIG_INVALID`. */
  readonly code = 'CONFIG_INVALID';
  /** Always `ConfigError`, also in minified code. */
  override readonly name = 'ConfigError';
  /** Every error of the config, in reading order. */
  readonly issues: readonly ConfigIssue[];
  /** Problems that would not have rejected it on their own. */
  readonly warnings: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], warnings: readonly ConfigIssue[] = []) {
    issues = byPosition(issues);
    warnings = byPosition(warnings);
    const source = issues[0]?.file ?? null;
    const count = issues.length === 1 ? '1 error' : `${issues.length} errors`;
    const lines = [
      `Invalid config${source === null ? '' : ` ${source}`} (${count}; nothing was applied):`,
      ...issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `  ${formatIssue(issue)}`),
      ...(issues.length > MAX_LISTED_ISSUES ? [`  … and ${issues.length - MAX_LISTED_ISSUES} more errors: fix these first`] : []),
      ...warnings.slice(0, MAX_LISTED_ISSUES).map((issue) => `  warning: ${formatIssue(issue)}`),
      ...(warnings.length > MAX_LISTED_ISSUES ? [`  … and ${warnings.length - MAX_LISTED_ISSUES} more warnings`] : []),
    ];
    super(lines.join('\n'));
    this.issues = issues;
    this.warnings = warnings;
  }
}

/** Issues in reading order: by line, then column; issues without a position first. */
function byPosition(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
