// Which config a command reads: the path given (refused, naming it, when it does not exist); without
// one, ./mcp-supervisor.yaml, else the demo fleet bundled with the package, wherever the shell is.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_DEMO, chooseConfig } from '../../src/cli/config-argument.js';
import { REPO_ROOT } from '../support/cli-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-config-arg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the config a command reads', () => {
  it('is the path given, relative to the shell’s directory', () => {
    writeFileSync(path.join(dir, 'fleet.yaml'), 'services: {}\n');
    expect(chooseConfig('fleet.yaml', 'run', 'running', dir)).toEqual({ ok: true, file: 'fleet.yaml', notice: null });
  });

  it('refuses a given path that does not exist, naming it (and where it looked) and what to do', () => {
    expect(chooseConfig('flet.yaml', 'run', 'running', dir)).toEqual({
      ok: false,
      message:
        `no config file at flet.yaml (${path.join(dir, 'flet.yaml')}): check the path, or run \`mcp-supervisor run\` ` +
        'without one to use ./mcp-supervisor.yaml or, if there is none, the bundled demo fleet',
    });
  });

  it('without one, is the bundled demo fleet, found beside the package rather than in the shell’s directory', () => {
    const elsewhere = path.join(dir, 'empty');
    mkdirSync(elsewhere);
    expect(BUNDLED_DEMO).toBe(path.join(REPO_ROOT, 'config/services.yaml'));
    expect(existsSync(BUNDLED_DEMO)).toBe(true);
    expect(chooseConfig(undefined, 'run', 'running', elsewhere)).toEqual({
      ok: true,
      file: BUNDLED_DEMO,
      notice: `no config given and no ./mcp-supervisor.yaml here: running the bundled demo fleet (${BUNDLED_DEMO})`,
    });
    // from the package's own directory it is shown relative, as people type it
    expect(chooseConfig(undefined, 'validate', 'validating', REPO_ROOT)).toMatchObject({ ok: true, file: 'config/services.yaml' });
  });

  it('without one, is ./mcp-supervisor.yaml when there is one', () => {
    const project = path.join(dir, 'project');
    mkdirSync(project);
    writeFileSync(path.join(project, 'mcp-supervisor.yaml'), 'services: {}\n');
    expect(chooseConfig(undefined, 'validate', 'validating', project)).toEqual({
      ok: true,
      file: 'mcp-supervisor.yaml',
      notice: 'no config given: validating ./mcp-supervisor.yaml',
    });
  });
});
