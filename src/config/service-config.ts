// A single service given from code (`addService`): the same fields and rules as a `services:` entry,
// plus its `name`, resolved against the fleet's `defaults` and profiles. Issues carry key paths only.

import type { LifecycleConfig } from '../machines/defaults.js';
import { ConfigError, formatPath } from './errors.js';
import type { ConfigIssue, PathSegment } from './errors.js';
import type { ServiceConfig } from './model.js';
import { BUILT_IN_PROFILES } from './profiles.js';
import { resolveService } from './resolve.js';
import { ServiceDefinitionSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { describeZodIssues } from './zod-issues.js';

export interface ServiceConfigOptions {
  /** The fleet's `defaults:` layer (`FleetConfig.defaults`). */
  defaults?: Partial<LifecycleConfig>;
  /** Profiles by name (`FleetConfig.profiles`); the built-in ones when absent. */
  profiles?: Readonly<Record<string, Partial<LifecycleConfig>>>;
  /** Told about legal but doubtful settings (e.g. warning threshold ≥ reconnecting threshold). */
  onWarning?: (warning: ConfigIssue) => void;
}

/** Validates and resolves one service; throws a ConfigError naming every problem by key path. */
export function parseServiceConfig(raw: unknown, options: ServiceConfigOptions = {}): ServiceConfig {
  const issueAt = (path: readonly PathSegment[], message: string): ConfigIssue => ({
    file: null,
    line: null,
    column: null,
    path: formatPath(path),
    message,
  });
  const parsed = ServiceDefinitionSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(describeZodIssues(parsed.error, ServiceDefinitionSchema, raw, issueAt));
  const { name, ...fields } = parsed.data;
  const profiles = options.profiles ?? BUILT_IN_PROFILES;
  if (fields.profile !== undefined && profiles[fields.profile] === undefined) {
    const known = Object.keys(profiles);
    throw new ConfigError([
      issueAt(['profile'], `unknown profile \`${fields.profile}\`${didYouMean(fields.profile, known)} (defined: ${known.join(', ')})`),
    ]);
  }
  const { service, findings } = resolveService(name, fields, {
    defaults: options.defaults ?? {},
    profiles,
    declaredProfiles: new Set(),
    baseDir: null,
  });
  // Paths from resolution are relative to the document (`services.<name>.…`); here the object is the root.
  const relative = (path: readonly PathSegment[]) => (path[0] === 'services' ? path.slice(2) : path);
  const errors = findings.filter((finding) => finding.severity === 'error').map((finding) => issueAt(relative(finding.path), finding.message));
  if (errors.length > 0) throw new ConfigError(errors);
  for (const finding of findings) {
    if (finding.severity === 'warning') options.onWarning?.(issueAt(relative(finding.path), finding.message));
  }
  return service;
}
