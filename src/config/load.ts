// Reading a config file: YAML (`.yaml`, `.yml`) or an imported MCP client JSON file (`.json`), into the
// fleet model. A file with any error yields a ConfigError listing all of them, and no fleet.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './errors.js';
import { parseMcpJson } from './import-mcp-json.js';
import type { ParseOptions } from './import-mcp-json.js';
import { environmentResolver } from './interpolate.js';
import type { FleetConfig } from './model.js';
import { parseSource } from './source.js';
import { validateFleetDocument } from './validate.js';

export type { ParseOptions };
export type LoadOptions = Omit<ParseOptions, 'file'>;

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<FleetConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ file, line: null, column: null, path: '', message: `cannot read the config file: ${reason}` }]);
  }
  return parseConfig(text, { ...options, file });
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
