// The one way in for an embedding application: a supervisor from a config file, a loaded config, or a
// fleet described in code — built, not started, so that its streams can be subscribed to first.

import type { LoadOptions } from '../config/load.js';
import type { FleetConfig } from '../config/model.js';
import { Supervisor, type FleetSpec, type SupervisorOptions } from './supervisor.js';

/** What a supervisor is built from: a config file's path, a config loaded with `loadConfigFile`, or a fleet described in code. */
export type SupervisorSource = string | FleetConfig | FleetSpec;

/** The supervisor's options, and how a config file is read when the source is a path. */
export interface CreateSupervisorOptions extends SupervisorOptions {
  /** How the config file is read (its environment for `${VAR}`); only for a path. */
  load?: LoadOptions;
}

/**
 * Builds a supervisor, not yet started: subscribe to its streams, then call `start()`.
 *
 * - a path: the YAML (or `mcpServers` JSON) file is loaded; a bad file rejects with a `ConfigError`
 *   listing every problem, and nothing starts. `watchConfig()` then reloads that file.
 * - a `FleetConfig` (from `loadConfigFile` / `parseConfig`): used as loaded; services added later as
 *   written in YAML resolve against its `defaults` and profiles.
 * - a `FleetSpec` (`{ services: [{ name, transport, lifecycle? }] }`): the fleet as given.
 *
 * @example
 * ```ts
 * const supervisor = await createSupervisor('config/services.yaml');
 * supervisor.transitions$.subscribe((t) => console.log(`${t.service}: ${t.to}`));
 * supervisor.start();
 * ```
 */
export async function createSupervisor(source: SupervisorSource, options: CreateSupervisorOptions = {}): Promise<Supervisor> {
  if (typeof source === 'string') return Supervisor.fromFile(source, options);
  if (isFleetConfig(source)) return Supervisor.fromConfig(source, options);
  return new Supervisor(source, options);
}

/** A loaded config names its file and keeps its `defaults` and profiles; a fleet from code has neither. */
function isFleetConfig(source: FleetConfig | FleetSpec): source is FleetConfig {
  return typeof (source as Partial<FleetConfig>).file === 'string' && typeof (source as Partial<FleetConfig>).profiles === 'object';
}
