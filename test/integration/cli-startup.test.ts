// Start-up: `--version` and `--help` load the program and nothing of the supervisor (no XState, no MCP
// SDK, no YAML or zod), because each command's module is imported only when that command runs. A
// loader hook records every module the real program loads.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/cli-process.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Registered after tsx, so its `load` runs first and sees every module URL, then hands on.
const hooks = path.join(dir, 'record-hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
let file;
export function initialize(data) { file = data.file; }
export async function load(url, context, next) { appendFileSync(file, url + '\\n'); return next(url, context); }
`,
);
const recorder = path.join(dir, 'record.mjs');
writeFileSync(
  recorder,
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { file: process.env.MODULE_LOG } });
`,
);

/** The module URLs the program loads for `args` (relative to the repository where they are in it). */
async function loadedModules(args: string[]): Promise<string[]> {
  const log = path.join(dir, `${args.join('_').replace(/\W/g, '')}.log`);
  writeFileSync(log, '');
  await run(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(recorder).href, path.join(REPO_ROOT, 'src/cli/main.ts'), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, MODULE_LOG: log },
    timeout: 30_000,
  });
  const root = pathToFileURL(REPO_ROOT).href;
  return readFileSync(log, 'utf8').split('\n').filter(Boolean).map((url) => url.replace(`${root}/`, ''));
}

const HEAVY = /node_modules\/(xstate|@modelcontextprotocol|rxjs|yaml|zod|ws|@statelyai)\/|^src\/(supervisor|machines|actors)\//;

describe('start-up', () => {
  it.each([['--version'], ['--help']])('%s loads no module of the supervisor and none of its dependencies', async (flag) => {
    const modules = await loadedModules([flag]);
    expect(modules).toContain('src/cli/program.ts');
    expect(modules.filter((url) => HEAVY.test(url))).toEqual([]);
  });

  it('loads a command’s modules when it runs (the recorder sees them)', async () => {
    const modules = await loadedModules(['diagram']);
    expect(modules.some((url) => url.includes('node_modules/xstate/'))).toBe(true);
    expect(modules).toContain('src/machines/service.machine.ts');
  });

  it('`diagram` loads the statechart without zod or YAML: the machines take only types from the config code', async () => {
    const modules = await loadedModules(['diagram']);
    expect(modules).toContain('src/machines/service.context.ts');
    expect(modules.filter((url) => /node_modules\/(zod|yaml)\/|^src\/config\/(transport|schema)\.ts/.test(url))).toEqual([]);
  });
});
