// The corpus of bad configs: each fixture ends with `# expect: line:col path: message` lines (`// expect:`
// in JSON), one per error, in file order. The loader must report exactly those, and start nothing.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, loadConfigFile } from '../../src/config/index.js';

const dir = 'test/fixtures/config/bad';
const fixtures = readdirSync(dir).sort();
const env = { HOME: '/home/operator' };

function expectations(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => /^(?:#|\/\/) expect: (.*)$/.exec(line)?.[1] ?? [])
    .map((expected) => `${file}:${expected}`);
}

describe('bad configs', () => {
  it('holds at least 30 fixtures, each with its expected errors', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(30);
    for (const name of fixtures) expect(expectations(path.join(dir, name)), name).not.toEqual([]);
  });

  it.each(fixtures)('%s is rejected with the expected file:line:col, key path and message', async (name) => {
    const file = path.join(dir, name);
    const error = await loadConfigFile(file, { env }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map(formatIssue);
    expect(issues).toEqual(expectations(file));
    expect((error as ConfigError).message).toContain(`Invalid config ${file}`);
  });
});
