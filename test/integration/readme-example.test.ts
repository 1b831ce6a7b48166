// The README's embedding example, run as a user would run it, against the demo servers.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-readme-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('runs the Embedding example of README.md', async () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const example = /## Embedding\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const script = path.join(scratch, 'example.mts');
  writeFileSync(script, (example as string).replace("from 'mcp-supervisor'", `from ${JSON.stringify(path.join(root, 'src/index.ts'))}`));

  const { stdout } = await run(process.execPath, ['--import', 'tsx', script], { cwd: root, timeout: 60_000 });

  expect(stdout).toContain('steady: (new) → INITIALIZING — service registered');
  expect(stdout).toMatch(/steady: INITIALIZING → HEALTHY — connected with 4 tools/);
  expect(stdout).toContain('steady offers: echo, add, now, word_count');
  expect(stdout).toContain('2 + 3 = 5');
  expect(stdout).toMatch(/3 services, \d+ % healthy/);
  expect(stdout).toMatch(/steady: HEALTHY → DISCONNECTING — supervisor stopped/);
});
