// Hot reload: watch a config file and report each applied edit as a new fleet plus its diff. Edits in
// place, editors' rename-over saves and swapped symbolic links (a Kubernetes ConfigMap update) are all
// seen (path-watcher.ts). An edit that does not validate is reported through `onError` and changes
// nothing. A big file is parsed on a worker thread, so a reload never stalls the event loop that
// supervises the fleet.

import { DEFAULT_SUPERVISOR_SETTINGS } from '../machines/defaults.js';
import { diffFleetConfig, isEmptyDiff } from './diff.js';
import type { FleetDiff } from './diff.js';
import { ConfigError } from './errors.js';
import { parseConfigAsync, readConfigText } from './load.js';
import type { LoadOptions } from './load.js';
import type { FleetConfig } from './model.js';
import { watchPath } from './path-watcher.js';

export interface WatchOptions extends LoadOptions {
  /** Quiet time after the last file event before reloading (editors write in bursts). */
  debounceMs?: number;
  /** The config now running. Without it, the first load reports every service as added. */
  initial?: Pick<FleetConfig, 'services' | 'supervisor'>;
  /** A valid edit that changes something: apply `diff` to reach `config`. */
  onChange: (config: FleetConfig, diff: FleetDiff) => void;
  /** A valid edit that changes no effective setting (a comment, `3s` written `3000ms`): nothing to apply. */
  onUnchanged?: (config: FleetConfig) => void;
  /** An unreadable or invalid edit (a ConfigError), or a watcher failure; the running fleet stays as is. */
  onError: (error: Error) => void;
}

export const DEFAULT_WATCH_DEBOUNCE_MS = 250;

/** Starts watching; returns the function that stops it (idempotent). */
export function watchConfigFile(file: string, options: WatchOptions): () => void {
  const { debounceMs = DEFAULT_WATCH_DEBOUNCE_MS, initial, onChange, onUnchanged, onError, ...loadOptions } = options;
  let current: Pick<FleetConfig, 'services' | 'supervisor'> = initial ?? { services: [], supervisor: DEFAULT_SUPERVISOR_SETTINGS };
  let lastText: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let reloading = false;
  let pending = false;
  let closed = false;
  /** Abandons a parse in progress (its worker thread) when the watch stops. */
  const closing = new AbortController();

  const report = (error: unknown) => {
    if (!closed) onError(error instanceof Error ? error : new Error(String(error)));
  };

  const reload = async () => {
    let text: string;
    try {
      text = await readConfigText(file);
    } catch (error) {
      lastText = null;
      report(error);
      return;
    }
    if (closed || text === lastText) return;
    lastText = text;
    // Caught mid-save (truncated, not yet written), a file reads as empty: never take that as "remove all".
    if (text.trim() === '') {
      report(new ConfigError([{ file, line: null, column: null, path: '', message: 'the file is empty; keeping the running services (write `services: {}` to remove them all)' }]));
      return;
    }
    let next: FleetConfig;
    try {
      next = await parseConfigAsync(text, { ...loadOptions, file }, closing.signal);
    } catch (error) {
      if (!closed) report(error);
      return;
    }
    if (closed) return;
    const diff = diffFleetConfig(current, next);
    current = next;
    if (isEmptyDiff(diff)) onUnchanged?.(next);
    else onChange(next, diff);
  };

  /** One reload at a time; events during a reload schedule one more afterwards. */
  const run = () => {
    timer = undefined;
    if (closed) return;
    if (reloading) {
      pending = true;
      return;
    }
    reloading = true;
    reload()
      .catch(report)
      .finally(() => {
        reloading = false;
        if (pending) {
          pending = false;
          schedule();
        }
      });
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };

  const stopWatching = watchPath(file, { onEvent: schedule, onError: report });
  if (!initial) schedule();

  return () => {
    if (closed) return;
    closed = true;
    if (timer) clearTimeout(timer);
    closing.abort();
    stopWatching();
  };
}
