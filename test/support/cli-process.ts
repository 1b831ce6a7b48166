// Drives the real `mcp-supervisor` program as a child process (`node --import tsx src/cli/main.ts`, no
// build needed): waits on its output with bounded timeouts, finds the server processes it spawned in
// /proc, and kills whatever is left when a test ends.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REAPER_NAME } from '../../src/actors/orphan-reaper.js';
import { readProcessTable } from '../../src/actors/process-group.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/main.ts')];

/** How to start the program, when not as `node --import tsx src/cli/main.ts` in the repository. */
export interface Launch {
  /** The command and its first arguments, e.g. `['npx', 'mcp-supervisor']`. */
  program?: readonly string[];
  cwd?: string;
  /** The environment to start from (default: this process's). */
  baseEnv?: NodeJS.ProcessEnv;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class CliProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exit>;
  /** Every process seen below the CLI (server processes), by pid, for the leak checks. */
  readonly seen = new Map<number, ProcessInfo>();
  private readonly waiters = new Set<() => void>();

  constructor(args: readonly string[], env: Record<string, string> = {}, launch: Launch = {}) {
    const [command, ...prefix] = launch.program ?? [process.execPath, ...ENTRY];
    this.child = spawn(command ?? process.execPath, [...prefix, ...args], {
      cwd: launch.cwd ?? REPO_ROOT,
      env: { ...(launch.baseEnv ?? process.env), NO_COLOR: '1', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.append('stdout', chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.append('stderr', chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves with the first match of `pattern` in the stream; rejects (showing the output) after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs = 10_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = this[stream].match(pattern);
        if (!match) return false;
        cleanup();
        resolve(match);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`no ${pattern} on ${stream} within ${timeoutMs} ms\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = () => void check();
      if (!check()) this.waiters.add(waiter);
    });
  }

  /** Resolves with how the process ended; rejects if it is still running after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later\n--- stdout:\n${this.stdout}\n--- stderr:\n${this.stderr}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The processes below the CLI right now (and remembers them). */
  descendants(): ProcessInfo[] {
    const found = descendantsOf(this.pid);
    for (const entry of found) this.seen.set(entry.pid, entry);
    return found;
  }

  /** Ends the CLI and everything it started, whatever state they are in. */
  killAll(): void {
    for (const entry of this.descendants()) killGroupAndProcess(entry);
    // Orphans of an earlier server tree, if the CLI died; checked by command line, so a reused pid is safe.
    for (const entry of this.seen.values()) if (commandLine(entry.pid) === entry.command) killGroupAndProcess(entry);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private append(stream: 'stdout' | 'stderr', chunk: Buffer) {
    this[stream] += chunk.toString('utf8');
    for (const waiter of [...this.waiters]) waiter();
  }
}

export interface ProcessInfo {
  pid: number;
  pgid: number;
  command: string;
}

/** Every process whose chain of parents reaches `root` (zombies and the supervisor's reaper excluded). */
export function descendantsOf(root: number): ProcessInfo[] {
  const table = readProcessTable().filter((entry) => entry.state !== 'Z');
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table) {
      if (parents.has(entry.ppid) && !parents.has(entry.pid)) {
        parents.add(entry.pid);
        const command = commandLine(entry.pid);
        if (!command.startsWith(REAPER_NAME)) found.push({ pid: entry.pid, pgid: entry.pgid, command });
        grew = true;
      }
    }
  }
  return found;
}

/** The processes among `processes` still running (zombies count as gone; a reused pid is not them). */
export function stillRunning(processes: Iterable<ProcessInfo>): ProcessInfo[] {
  const alive = new Set(readProcessTable().filter((entry) => entry.state !== 'Z').map((entry) => entry.pid));
  return [...processes].filter((entry) => alive.has(entry.pid) && commandLine(entry.pid) === entry.command);
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** SIGKILL to the process and to its group (never to the test runner's own group). */
function killGroupAndProcess({ pid, pgid }: ProcessInfo) {
  const ownGroup = readProcessTable().find((entry) => entry.pid === process.pid)?.pgid;
  for (const target of pgid === ownGroup ? [pid] : [-pgid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs the CLI to completion (bounded) and returns its exit code and output. */
export async function runCli(args: readonly string[], timeoutMs = 15_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = new CliProcess(args);
  try {
    const { code } = await cli.exit(timeoutMs);
    return { code, stdout: cli.stdout, stderr: cli.stderr };
  } finally {
    cli.killAll();
  }
}
