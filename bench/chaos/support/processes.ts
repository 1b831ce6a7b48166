// What this process holds — child processes (followed through their process groups), open file
// descriptors, active handles and timers — so a scenario can show each is back at its baseline.

import { readFileSync } from 'node:fs';
import { descendantsOf, openFdCount } from '../../../test/fixtures/test-servers.js';

export { openFdCount };

/** What ran before the scenario did (the TypeScript loader's esbuild service): not the scenario's. */
const preexisting = new Set(descendantsOf().map((entry) => entry.pid));

/** Processes the scenario started, directly or not, that still run (zombies left out), with their command line. */
export function liveDescendants(): { pid: number; command: string }[] {
  return descendantsOf()
    .filter((entry) => entry.state !== 'Z' && !preexisting.has(entry.pid))
    .map((entry) => ({ pid: entry.pid, command: commandLine(entry.pid) }));
}

/** `3: pid 123 (node …/mcp-test-server.mjs), …`, for a figure. */
export function describeProcesses(processes: readonly { pid: number; command: string }[]): string {
  if (processes.length === 0) return '0';
  const shown = processes.slice(0, 3).map(({ pid, command }) => `pid ${pid} (${command.replace(/\S*\//g, '').slice(0, 60)})`);
  return `${processes.length}: ${shown.join(', ')}${processes.length > 3 ? ', …' : ''}`;
}

/** Processes the scenario started, zombies included. */
export function allDescendants(): number {
  return descendantsOf().filter((entry) => !preexisting.has(entry.pid)).length;
}

/** SIGKILLs every live descendant, by PID. */
export function killDescendants(): void {
  for (const { pid } of liveDescendants()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
}

/** Whether `pid` runs (not a zombie). */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Active handles and requests by type (`Timeout`, `PipeWrap`, `ProcessWrap`, …), as Node reports them. */
export function activeResources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
  return counts;
}

/** `Timeout 3 → 5, PipeWrap 0 → 2` for the types whose count grew from `before` to `after`; '' if none. */
export function resourceGrowth(before: Map<string, number>, after: Map<string, number>): string {
  return [...after]
    .filter(([type, count]) => count > (before.get(type) ?? 0))
    .map(([type, count]) => `${type} ${before.get(type) ?? 0} → ${count}`)
    .join(', ');
}

export function describeResources(counts: Map<string, number>): string {
  return [...counts].map(([type, count]) => `${type} ${count}`).join(', ') || 'none';
}

/** heapUsed after full garbage collections (needs --expose-gc), in bytes. */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let round = 0; round < 3; round += 1) gc();
  return process.memoryUsage().heapUsed;
}
