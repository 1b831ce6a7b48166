// The loaded fleet, as the supervisor consumes it: every service fully resolved, nothing left to default.

import type { LifecycleConfig, Priority, SupervisorSettings } from '../machines/defaults.js';
import type { ServiceState } from '../machines/service.machine.js';
import type { ConfigIssue } from './errors.js';
import type { ListenAddress } from './listen-address.js';
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
  /** Marked `critical`: by default the supervisor is ready (`/readyz`) only while every such service is available. Absent: false. */
  critical?: boolean;
}

/**
 * When the operators' `/readyz` says ready: every service marked `critical` is available (`critical`;
 * ready when none is marked), every enabled service is (`all`), at least one is (`any`), or each of
 * the listed service keys is.
 */
export type ReadinessPolicy = 'critical' | 'all' | 'any' | { services: string[] };

/** The operators' HTTP listener (`http:`): `/metrics`, `/healthz`, `/readyz`. */
export interface HttpSettings {
  /** Where it listens; loopback unless a token is set. */
  listen: ListenAddress;
  /** A bearer token every path but `/healthz` requires; null for none (loopback only). */
  token: string | null;
  readiness: ReadinessPolicy;
}

/** Where alerts go: an HTTP POST, a command (argv, no shell), or an e-mail over SMTP. Times in ms. */
export type AlertSinkConfig =
  | { type: 'webhook'; name: string; url: string; headers: Record<string, string>; timeout: number }
  | { type: 'command'; name: string; command: string; args: string[]; timeout: number }
  | {
      type: 'email';
      name: string;
      host: string;
      port: number;
      /** TLS from the first byte (port 465); otherwise STARTTLS. */
      secure: boolean;
      /** Refuse to send unless the server upgrades the connection with STARTTLS (when not `secure`). */
      requireTls: boolean;
      username: string | null;
      password: string | null;
      from: string;
      to: string[];
      timeout: number;
    };

/** When a rule fires: on entering one of `states`, or once a service has been in `state` for `forMs`. */
export type AlertTrigger = { kind: 'enters'; states: ServiceState[] } | { kind: 'lasts'; state: ServiceState; forMs: number };

/** One alert rule: its trigger, the services it watches (every filter must match; absent = any), its sinks. */
export interface AlertRuleConfig {
  name: string;
  trigger: AlertTrigger;
  services: string[] | null;
  agents: string[] | null;
  priorities: Priority[] | null;
  profiles: string[] | null;
  sinks: string[];
  /** Send one "resolved" message when the service is HEALTHY again after the rule fired. */
  resolved: boolean;
  /** After a firing, the same rule stays quiet for the same service this long (ms). */
  cooldown: number;
}

/** `alerts:`: where alerts go, when they fire, and how they are grouped and delivered. */
export interface AlertsConfig {
  sinks: AlertSinkConfig[];
  rules: AlertRuleConfig[];
  /** Alerts of this many ms are sent together, one message per sink. */
  groupWindow: number;
  /** Undelivered messages kept per sink; beyond it the oldest are dropped (and counted). */
  queueSize: number;
  /** Delivery attempts per message, with jittered backoff between them. */
  maxAttempts: number;
}

/** A loaded config file (`loadConfigFile`, `parseConfig`): every service fully resolved. */
export interface FleetConfig {
  /** The file it was read from, as the caller named it. */
  file: string;
  /** The fleet-wide settings, defaults filled in. */
  supervisor: SupervisorSettings;
  /** The operators' listener, if `http:` configures one. */
  http: HttpSettings | null;
  /** The alert rules and sinks, if `alerts:` configures them. */
  alerts: AlertsConfig | null;
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
