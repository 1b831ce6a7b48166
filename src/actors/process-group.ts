// Process groups the supervisor owns: signalling a whole server tree, telling whether any of it still
// runs, and killing every group still alive if the supervisor's own process exits, or dies.

import { readFileSync, readdirSync } from 'node:fs';
import { OrphanReaper } from './orphan-reaper.js';

/** One row of the process table: enough to follow parents and groups. */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  /** The kernel's one-letter state; `Z` is a zombie (exited, not yet reaped). */
  state: string;
}

/** The process table from /proc (Linux); empty where /proc does not exist. */
export function readProcessTable(): ProcessEntry[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const entries: ProcessEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcessEntry(Number(name));
    if (entry) entries.push(entry);
  }
  return entries;
}

function readProcessEntry(pid: number): ProcessEntry | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited while we listed
  }
  // `pid (comm) state ppid pgrp …`; comm may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgid] = fields;
  if (state === undefined || ppid === undefined || pgid === undefined) return null;
  return { pid, ppid: Number(ppid), pgid: Number(pgid), state };
}

/** Sends `signal` to every process of the group; a group that no longer exists is fine. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left to signal.
  }
}

/**
 * Whether any process of the group still runs. Zombies do not count: a grandchild orphaned to PID 1
 * stays a zombie until PID 1 reaps it, which some container inits do only every few seconds.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (process.platform !== 'linux') return true;
  return readProcessTable().some((entry) => entry.pgid === pgid && entry.state !== 'Z');
}

// If the supervisor exits while servers run (an uncaught error, process.exit), kill their groups
// synchronously so no server outlives it. One 'exit' listener, present only while groups are owned.
// A death that runs no handler (SIGKILL, the OOM killer) is the reaper's to clean up.
const ownedGroups = new Set<number>();
/** The one reaper of this process (see orphan-reaper.ts). */
export const orphanReaper = new OrphanReaper();
const killOwnedGroups = () => {
  for (const pgid of ownedGroups) signalProcessGroup(pgid, 'SIGKILL');
};

/** Records a group this process owns until `releaseProcessGroup`. */
export function ownProcessGroup(pgid: number): void {
  if (ownedGroups.size === 0) process.on('exit', killOwnedGroups);
  ownedGroups.add(pgid);
  orphanReaper.watch(pgid);
}

export function releaseProcessGroup(pgid: number): void {
  if (!ownedGroups.delete(pgid)) return;
  orphanReaper.forget(pgid);
  if (ownedGroups.size === 0) process.off('exit', killOwnedGroups);
}
