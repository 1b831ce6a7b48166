// Tells when what a path reads may have changed: an edit of the file, an editor's rename-over save, a
// deleted or re-created file, or a symbolic link on the way swapped for another (a Kubernetes ConfigMap
// update). It watches the directory of every path in the resolution chain (a directory watch survives the
// entry being replaced), and resolves the chain again after each event, since a swap changes it.

import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import path from 'node:path';
import { resolutionChain } from './resolution-chain.js';

export interface PathWatcherCallbacks {
  /** Something that decides what the path reads was touched; may come in bursts, and for no change. */
  onEvent: () => void;
  /** A watch of the path's own directory failed (a watch of another link's directory is replaced quietly). */
  onError: (error: Error) => void;
}

/** Starts watching `file`; returns the function that stops it (idempotent). Throws if its directory cannot be watched. */
export function watchPath(file: string, { onEvent, onError }: PathWatcherCallbacks): () => void {
  const own = path.resolve(file);
  const ownDirectory = path.dirname(own);
  /** The names that matter in each watched directory. */
  let names = new Map<string, Set<string>>([[ownDirectory, new Set([path.basename(own)])]]);
  const watchers = new Map<string, FSWatcher>();
  let closed = false;

  const open = (directory: string): void => {
    const watcher = watch(directory, (_event, changed) => {
      if (closed) return;
      if (changed !== null && names.get(directory)?.has(changed) !== true) return;
      onEvent();
      follow();
    });
    watcher.on('error', (error) => {
      if (directory === ownDirectory) {
        onError(error);
        return;
      }
      // Another link's directory can go away when its link is swapped (an old ConfigMap version).
      watcher.close();
      watchers.delete(directory);
      follow();
    });
    watchers.set(directory, watcher);
  };

  /** Watches the directories of the current chain, and only those (the path's own always). */
  const follow = (): void => {
    if (closed) return;
    let chain: string[];
    try {
      chain = resolutionChain(own);
    } catch (error) {
      // An unreadable link: report it, and keep the watches there are.
      onError(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const wanted = new Map<string, Set<string>>([[ownDirectory, new Set([path.basename(own)])]]);
    for (const entry of chain) {
      const directory = path.dirname(entry);
      wanted.set(directory, (wanted.get(directory) ?? new Set()).add(path.basename(entry)));
    }
    for (const [directory, watcher] of watchers) {
      if (!wanted.has(directory)) {
        watcher.close();
        watchers.delete(directory);
      }
    }
    names = wanted;
    for (const directory of wanted.keys()) {
      if (watchers.has(directory)) continue;
      try {
        open(directory);
      } catch {
        // A directory of the chain that is gone already (a swap in progress): the next event resolves again.
        names.delete(directory);
      }
    }
  };

  open(ownDirectory);
  follow();

  return () => {
    if (closed) return;
    closed = true;
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
