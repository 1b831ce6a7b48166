// The issues of the ConfigError that `run` throws, formatted as a user reads them (`file:line:col …`).

import { ConfigError, formatIssue } from '../../src/config/index.js';

export function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected a ConfigError');
}
