// The `gateway:` section: how `mcp-supervisor serve` shows the fleet to MCP clients (names, which tools
// of which service, how long a call waits for a reconnect, who may connect over HTTP). Its schema, its
// defaults, and the rule a config is rejected by: two services whose tools would take the same names.

import type { Finding } from './consistency.js';
import type { ServiceConfig } from './model.js';
import type { GatewaySection } from './schema.js';
import { didYouMean } from './suggest.js';

/** What one service shows through the gateway (`gateway.expose.<service>`). */
export interface ServiceExposure {
  /** Its names' prefix; null for the default, the service's key (`agent/name` as `agent.name`). */
  prefix: string | null;
  /** The tools shown: those `allow` matches (all when null), less those `deny` matches; `*` is a wildcard. */
  tools: { allow: readonly string[] | null; deny: readonly string[] };
  /** Whether its resources and resource templates are shown. */
  resources: boolean;
  /** Whether its prompts are shown. */
  prompts: boolean;
}

/** The `gateway:` section, resolved: every key set. */
export interface GatewayConfig {
  /** `prefix`: names are `<prefix><separator><name>`; `none`: names as the servers give them; null: `none` for a one-service fleet, else `prefix`. */
  namespace: 'prefix' | 'none' | null;
  /** Between a prefix and a name (default `__`). */
  separator: string;
  /** How long a call to a RECONNECTING or INITIALIZING service waits for it, in ms (default 10 s). */
  callWait: number;
  /** The bearer token HTTP clients must present; null: none (then only a loopback bind is allowed). */
  authToken: string | null;
  /** Browser origins allowed besides the loopback ones (`http://localhost:*`, …). */
  allowedOrigins: readonly string[];
  /** `full`: every tool listed; `lazy`: three meta-tools that search, describe and call the fleet's tools. */
  mode: 'full' | 'lazy';
  /** Per service (by fleet key), what it shows; a service not named shows everything under its default prefix. */
  expose: Readonly<Record<string, ServiceExposure>>;
}

export const DEFAULT_GATEWAY_CONFIG: GatewayConfig = Object.freeze({
  namespace: null,
  separator: '__',
  callWait: 10_000,
  authToken: null,
  allowedOrigins: [],
  mode: 'full',
  expose: {},
});

/** The section with every unset key defaulted. */
export function gatewayConfig(section: GatewaySection | null | undefined): GatewayConfig {
  if (!section) return DEFAULT_GATEWAY_CONFIG;
  const expose = Object.fromEntries(
    Object.entries(section.expose ?? {}).map(([key, entry]) => [
      key,
      {
        prefix: entry.prefix ?? null,
        tools: { allow: entry.tools?.allow ?? null, deny: entry.tools?.deny ?? [] },
        resources: entry.resources ?? true,
        prompts: entry.prompts ?? true,
      } satisfies ServiceExposure,
    ]),
  );
  return {
    namespace: section.namespace ?? null,
    separator: section.separator ?? DEFAULT_GATEWAY_CONFIG.separator,
    callWait: section.call_wait ?? DEFAULT_GATEWAY_CONFIG.callWait,
    authToken: section.auth_token ?? null,
    allowedOrigins: section.allowed_origins ?? [],
    mode: section.mode ?? 'full',
    expose,
  };
}

/**
 * Rules of the section against the services: `expose` names existing services, and no two services'
 * names can coincide — the same prefix, or one prefix and separator beginning another's (`a` and
 * `a__b` with `__`: `a__b__x` would be both `a`'s `b__x` and `a__b`'s `x`).
 */
export function checkGateway(gateway: GatewayConfig, services: readonly ServiceConfig[], entryKeys: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const keys = services.map((service) => service.key);
  for (const key of Object.keys(gateway.expose)) {
    if (!keys.includes(key)) {
      findings.push({
        severity: 'error',
        path: ['gateway', 'expose', key],
        atKey: true,
        message: `no service \`${key}\` to expose (services: ${keys.join(', ') || 'none'})${didYouMean(key, keys)}`,
      });
    }
  }
  if (gateway.namespace === 'none') return findings;
  const { separator } = gateway;
  const prefixes = services.map((service, index) => {
    const given = gateway.expose[service.key]?.prefix ?? null;
    return {
      key: service.key,
      prefix: given ?? service.key.replace('/', '.'),
      path: given === null ? ['services', entryKeys[index] ?? service.key] : ['gateway', 'expose', service.key, 'prefix'],
      atKey: given === null,
    };
  });
  const overlaps = (a: string, b: string) => `${a}${separator}`.startsWith(`${b}${separator}`) || `${b}${separator}`.startsWith(`${a}${separator}`);
  for (const [index, later] of prefixes.entries()) {
    const clash = prefixes.slice(0, index).find((earlier) => overlaps(earlier.prefix, later.prefix));
    if (!clash) continue;
    const how =
      clash.prefix === later.prefix
        ? `both would name their tools \`${later.prefix}${separator}…\``
        : `\`${clash.prefix}${separator}…\` and \`${later.prefix}${separator}…\` overlap, so a tool of one could take the name of a tool of the other`;
    findings.push({
      severity: 'error',
      path: later.path,
      atKey: later.atKey,
      message: `services \`${clash.key}\` and \`${later.key}\` clash in the gateway: ${how}; give one a distinct \`gateway.expose.<service>.prefix\``,
    });
  }
  return findings;
}
