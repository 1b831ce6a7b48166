// The loaded fleet, as the supervisor consumes it: every service fully resolved, nothing left to default.

import type { LifecycleConfig, SupervisorSettings } from '../machines/defaults.js';
import type { ConfigIssue } from './errors.js';
import type { GatewayConfig } from './gateway-section.js';
import type { TransportConfig } from './transport.js';

/** One service as a config file declares it, fully resolved. */
export interface ServiceConfig {
  /** The service's name within its scope. */
  name: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  agentId: string | null;
  /** The fleet key, `serviceKey(name, agentId)`: `name` or `agent/name`. */
  key: string;
  /** A disabled service is validated and listed but not started. */
  enabled: boolean;
  /** The real connection settings (env and header values as they are). */
  transport: TransportConfig;
  /** Effective settings, from lowest precedence: built-in defaults, `defaults`, the profile, the service's own keys. */
  lifecycle: LifecycleConfig;
  /** The profile it names; null for none. */
  profile: string | null;
}

/** A loaded config file (`loadConfigFile`, `parseConfig`): every service fully resolved. */
export interface FleetConfig {
  /** The file it was read from, as the caller named it. */
  file: string;
  /** The fleet-wide settings, defaults filled in. */
  supervisor: SupervisorSettings;
  /** Every service it declares, enabled or not. */
  services: ServiceConfig[];
  /** How `mcp-supervisor serve` shows the fleet to MCP clients (the `gateway:` section, defaults filled in). */
  gateway: GatewayConfig;
  /** Problems that did not reject the file (settings that contradict each other, no services at all). */
  warnings: ConfigIssue[];
  /** The file's `defaults:` layer, kept so a service added later from code resolves the same way. */
  defaults: Partial<LifecycleConfig>;
  /** Built-in and declared profiles by name (a declared one replaces a built-in of the same name). */
  profiles: Record<string, Partial<LifecycleConfig>>;
}
