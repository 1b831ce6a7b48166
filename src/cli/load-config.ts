// A command's config, loaded: a config with problems is reported on stderr (every problem, at its
// line:col) and the command goes no further.

import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import type { FleetConfig } from '../config/model.js';
import type { CliIO } from './command.js';

/** The loaded config; null once its problems are written to stderr. Other failures are thrown. */
export async function loadConfigOrReport(file: string, io: CliIO): Promise<FleetConfig | null> {
  try {
    return await loadConfigFile(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return null;
  }
}
