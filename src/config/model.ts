// The loaded fleet, as the supervisor consumes it: every service fully resolved, nothing left to default.

import type { LifecycleConfig, SupervisorSettings } from '../machines/defaults.js';
import type { ConfigIssue } from './errors.js';
import type { TransportConfig } from './transport.js';

export interface ServiceConfig {
  name: string;
  /** The agent whose scope the service lives in; null for the global scope. */
  agentId: string | null;
  /** The fleet key, `serviceKey(name, agentId)`: `name` or `agent/name`. */
  key: string;
  /** A disabled service is validated and listed but not started. */
  enabled: boolean;
  transport: TransportConfig;
  /** Effective settings: built-in defaults < `defaults` < profile < the service's own keys. */
  lifecycle: LifecycleConfig;
  profile: string | null;
}

export interface FleetConfig {
  file: string;
  supervisor: SupervisorSettings;
  services: ServiceConfig[];
  warnings: ConfigIssue[];
  /** The file's `defaults:` layer, kept so a service added later from code resolves the same way. */
  defaults: Partial<LifecycleConfig>;
  /** Built-in and declared profiles by name (a declared one replaces a built-in of the same name). */
  profiles: Record<string, Partial<LifecycleConfig>>;
}
