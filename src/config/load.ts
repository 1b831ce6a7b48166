// Reading a config file: YAML (`.yaml`, `.yml`) or an imported MCP client JSON file (`.json`), into the
// fleet model. A file with any error yields a ConfigError listing all of them, and no fleet.

import { createReadStream } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { parseMcpJson } from './import-mcp-json.js';
import type { ParseOptions } from './import-mcp-json.js';
import { environmentResolver } from './interpolate.js';
import type { FleetConfig } from './model.js';
import { parseConfigOffThread } from './parse-off-thread.js';
import { MAX_CONFIG_BYTES, parseSource, sizeIssue } from './source.js';
import { validateFleetDocument } from './validate.js';

export type { ParseOptions };
/** How `loadConfigFile` reads a file: the environment for `${VAR}` (default `process.env`). */
export type LoadOptions = Omit<ParseOptions, 'file'>;

/**
 * Texts from this size, or that use YAML anchors (whose aliases multiply the work), are parsed on a
 * worker thread. Below it, with no anchor, a parse is linear in a few kilobytes: milliseconds.
 */
export const OFF_THREAD_BYTES = 16 * 1024;

/**
 * Loads a YAML (`.yaml`, `.yml`) or MCP client JSON (`.json`) config file into the fleet model. A file
 * with any problem rejects with ConfigError listing every one with `file:line:col`; `signal` aborts.
 */
export async function loadConfigFile(file: string, options: LoadOptions = {}, signal?: AbortSignal): Promise<FleetConfig> {
  return parseConfigAsync(await readConfigText(file), { ...options, file }, signal);
}

/**
 * A config file's text, read at most MAX_CONFIG_BYTES (+1, to tell a bigger one) so that even a device
 * or a runaway file cannot fill memory. A ConfigError if it cannot be read or is too big.
 */
export async function readConfigText(file: string): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file, { start: 0, end: MAX_CONFIG_BYTES })) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      bytes += buffer.length;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : error instanceof Error ? error.message : String(error);
    throw fileError(file, `cannot read the config file: ${reason}`);
  }
  const tooBig = sizeIssue(bytes);
  if (tooBig !== null) throw fileError(file, tooBig);
  return Buffer.concat(chunks, bytes).toString('utf8');
}

/** Parses config text; `file` names it in issues and picks the format (`.json` is an MCP client file). */
export function parseConfig(text: string, options: ParseOptions): FleetConfig {
  if (path.extname(options.file).toLowerCase() === '.json') return parseMcpJson(text, options);
  const { file, env = process.env } = options;
  const source = parseSource(text, { file, resolveVariable: environmentResolver(env) });
  return validateFleetDocument(source.data, {
    file,
    baseDir: path.dirname(path.resolve(file)),
    issueAt: source.issueAt,
    issues: source.issues,
    warnings: source.warnings,
  });
}

/** `parseConfig` that keeps the event loop free: a big text, or one with anchors, is parsed on a worker thread. */
export async function parseConfigAsync(text: string, options: ParseOptions, signal?: AbortSignal): Promise<FleetConfig> {
  const tooBig = sizeIssue(Buffer.byteLength(text, 'utf8'));
  if (tooBig !== null) throw fileError(options.file, tooBig);
  if (text.length >= OFF_THREAD_BYTES || mayUseAnchors(text)) return parseConfigOffThread(text, options, signal);
  return parseConfig(text, options);
}

/** An `&name` after a space, `[`, `{` or `,`: a YAML anchor, or (rarely, harmlessly) text that looks like one. */
function mayUseAnchors(text: string): boolean {
  return /(?:^|[\s[{,])&[^\s,[\]{}]/.test(text);
}

function fileError(file: string, message: string): ConfigError {
  return new ConfigError([{ file, line: null, column: null, path: '', message }]);
}
