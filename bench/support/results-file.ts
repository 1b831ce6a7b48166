// bench/RESULTS.md holds one `## …` section per benchmark; each bench rewrites only its own.

import { readFile, writeFile } from 'node:fs/promises';

const RESULTS_FILE = new URL('../RESULTS.md', import.meta.url);

/** Replaces the section that starts with `heading` (or appends it), keeping every other section. */
export async function writeResultsSection(heading: string, section: string): Promise<void> {
  const existing = await readFile(RESULTS_FILE, 'utf8').catch(() => '# Benchmarks\n');
  const start = existing.indexOf(`${heading}\n`);
  let updated: string;
  if (start === -1) {
    updated = `${existing.trimEnd()}\n\n${section}`;
  } else {
    const next = existing.indexOf('\n## ', start + heading.length);
    const rest = next === -1 ? '' : existing.slice(next + 1);
    updated = `${existing.slice(0, start)}${section}${rest ? `\n${rest}` : ''}`;
  }
  await writeFile(RESULTS_FILE, updated.trimEnd() + '\n');
}
