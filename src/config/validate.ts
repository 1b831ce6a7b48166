// The one validation path of every config source (YAML file, imported JSON, hot reload): schema,
// resolution, cross-key rules. Errors are collected and thrown together; warnings ride along.

import { ConfigError, MAX_LISTED_ISSUES } from './errors.js';
import type { ConfigIssue } from './errors.js';
import type { FleetConfig } from './model.js';
import { resolveFleet } from './resolve.js';
import { FleetDocumentSchema } from './schema.js';
import type { IssueLocator } from './zod-issues.js';
import { describeZodIssues } from './zod-issues.js';

export interface DocumentContext {
  file: string;
  /** Stdio services run in this directory unless `cwd` says otherwise; a relative `cwd` resolves against it. */
  baseDir: string;
  issueAt: IssueLocator;
  /** Problems already found reading the source (syntax, `${VAR}`); their paths are not reported twice. */
  issues: readonly ConfigIssue[];
  warnings: readonly ConfigIssue[];
}

/** Beyond this, a file's schema errors are not described (each is located by a walk of the document). */
const MAX_DESCRIBED_ISSUES = 10 * MAX_LISTED_ISSUES;

/** Validates document data (`undefined` when unreadable) into a fleet, or throws every error at once. */
export function validateFleetDocument(data: unknown, context: DocumentContext): FleetConfig {
  const { file, issueAt } = context;
  const warnings = [...context.warnings];
  if (data === undefined) throw new ConfigError(context.issues, warnings);

  const parsed = FleetDocumentSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const reported = new Set(context.issues.map((issue) => issue.path));
    parsed.error.issues.splice(MAX_DESCRIBED_ISSUES);
    const described = describeZodIssues(parsed.error, FleetDocumentSchema, data, issueAt).filter((issue) => !reported.has(issue.path));
    throw new ConfigError([...context.issues, ...described], warnings);
  }
  const fleet = resolveFleet(parsed.data, context.baseDir);
  const errors = [...context.issues];
  for (const finding of fleet.findings) {
    (finding.severity === 'error' ? errors : warnings).push(issueAt(finding.path, finding.message, finding.atKey));
  }
  if (errors.length > 0) throw new ConfigError(errors, warnings);
  if (fleet.services.length === 0) warnings.push(issueAt(['services'], 'no services are defined; nothing will run'));
  const { findings: _findings, ...model } = fleet;
  return { file, ...model, warnings };
}
