// Parsing a config on a worker thread. A big file's YAML parse and validation take CPU seconds on a slow
// machine; on the main thread that time would stop health checks, call replies and crash detection.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ConfigError } from './errors.js';
import type { ConfigIssue } from './errors.js';
import type { ParseOptions } from './import-mcp-json.js';
import type { FleetConfig } from './model.js';

export interface OffThreadRequest {
  text: string;
  options: { file: string; env: Readonly<Record<string, string | undefined>> };
}

export type OffThreadReply =
  | { ok: true; config: FleetConfig }
  | { ok: false; issues: ConfigIssue[]; warnings: ConfigIssue[] }
  | { ok: false; failure: string };

/** A parse that takes longer is abandoned: the input is bounded, so only a stalled machine gets here. */
export const OFF_THREAD_TIMEOUT_MS = 60_000;

/** Heap for the parse; a 4 MiB file of the worst shape needs a few hundred MiB. */
const WORKER_HEAP_MB = 1024;

/**
 * `parseConfig` on a worker thread; the same fleet or the same ConfigError. `signal` abandons the
 * parse (the worker is terminated).
 */
export function parseConfigOffThread(text: string, options: ParseOptions, signal?: AbortSignal): Promise<FleetConfig> {
  const { file } = options;
  const request: OffThreadRequest = { text, options: { file, env: { ...(options.env ?? process.env) } } };
  return new Promise<FleetConfig>((resolve, reject) => {
    signal?.throwIfAborted();
    const worker = startWorker(request);
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const configError = (message: string) => new ConfigError([{ file, line: null, column: null, path: '', message }]);
    const onAbort = () => finish(() => reject(signal?.reason instanceof Error ? signal.reason : new Error('config parse aborted')));
    const timer = setTimeout(
      () => finish(() => reject(configError(`parsing took longer than ${OFF_THREAD_TIMEOUT_MS / 1000} s and was stopped: the machine is overloaded, or the file is far larger than a config should be`))),
      OFF_THREAD_TIMEOUT_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: OffThreadReply) =>
      finish(() => {
        if (reply.ok) resolve(reply.config);
        else if ('failure' in reply) reject(new Error(`config parse failed on its worker thread: ${reply.failure}`));
        else reject(new ConfigError(reply.issues, reply.warnings));
      }),
    );
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? configError(`parsing needed more than ${WORKER_HEAP_MB} MiB of memory and was stopped: make the file smaller`)
            : error,
        ),
      ),
    );
    worker.once('exit', (code) => finish(() => reject(new Error(`config parse worker exited (code ${code}) without an answer`))));
  });
}

/**
 * The worker, running the module beside this one: compiled JavaScript in dist/. From TypeScript sources
 * (tsx, vitest) a worker does not inherit the loader that reads TypeScript, so a small bootstrap
 * registers tsx's loader in the worker first, then imports the module.
 */
function startWorker(request: OffThreadRequest): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, execArgv: [] };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./parse-worker.js', import.meta.url), { ...options, workerData: request });
  const entry = new URL('./parse-worker.ts', import.meta.url).href;
  const bootstrap = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((tsx) => { tsx.register(); return import(workerData.entry); });`;
  return new Worker(bootstrap, { ...options, eval: true, workerData: { ...request, tsx: tsxLoaderApi(), entry } });
}

/** tsx's ESM `register()` module, found through tsx's own package manifest. */
function tsxLoaderApi(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  const api = manifest.exports['./esm/api']?.import.default;
  if (api === undefined) throw new Error('tsx does not export ./esm/api: cannot parse configs on a worker thread from TypeScript sources');
  return pathToFileURL(path.join(path.dirname(manifestPath), api)).href;
}
