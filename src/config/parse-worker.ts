// The worker thread of `parseConfigOffThread`: one config text in, its fleet or its issues out, as plain
// data (a ConfigError does not survive the copy between threads; its issues do).

import { parentPort, workerData } from 'node:worker_threads';
import { ConfigError } from './errors.js';
import { parseConfig } from './load.js';
import type { OffThreadReply, OffThreadRequest } from './parse-off-thread.js';

const { text, options } = workerData as OffThreadRequest;
let reply: OffThreadReply;
try {
  reply = { ok: true, config: parseConfig(text, options) };
} catch (error) {
  reply =
    error instanceof ConfigError
      ? { ok: false, issues: [...error.issues], warnings: [...error.warnings] }
      : { ok: false, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
parentPort?.postMessage(reply);
