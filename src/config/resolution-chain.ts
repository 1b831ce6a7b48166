// The paths that decide what reading a config path returns: the path itself, every symbolic link met on
// the way to the file (a Kubernetes ConfigMap mounts `config.yaml -> ..data/config.yaml` with
// `..data -> ..2026_12_01_…/`, and an update swaps `..data`), and the file it resolves to. A change to any
// of them can change the config, so the watcher watches them all.

import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** As the kernel's own limit on links followed in one path (ELOOP). */
const MAX_LINKS = 40;

/**
 * Absolute paths: `file`, each symlink resolved on the way, and the final target. A missing entry ends
 * the chain (it is included: its creation is a change too); so does a loop of links. Synchronous, so a
 * watch is complete when it starts: a handful of lstat calls on entries the kernel has just resolved.
 */
export function resolutionChain(file: string): string[] {
  const start = path.resolve(file);
  const chain = new Set<string>([start]);
  let resolved = path.parse(start).root;
  let rest = start.slice(resolved.length).split(path.sep).filter(Boolean);
  for (let links = 0; rest.length > 0; ) {
    const [name = '', ...remaining] = rest;
    const next = path.join(resolved, name);
    let isLink: boolean;
    try {
      isLink = lstatSync(next).isSymbolicLink();
    } catch {
      chain.add(path.join(next, ...remaining));
      break;
    }
    if (!isLink) {
      resolved = next;
      rest = remaining;
      continue;
    }
    links += 1;
    if (links > MAX_LINKS) break;
    chain.add(next);
    const target = readlinkSync(next);
    if (path.isAbsolute(target)) resolved = path.parse(target).root;
    rest = [...target.split(path.sep).filter(Boolean), ...remaining];
  }
  if (rest.length === 0) chain.add(resolved);
  return [...chain];
}
