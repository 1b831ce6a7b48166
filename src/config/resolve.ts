// From a validated document to the fleet model: layers merged (built-in defaults < `defaults` < profile
// < service), transports normalised, names scoped. Pure; findings carry key paths for the caller to place.

import path from 'node:path';
import { DEFAULT_SUPERVISOR_SETTINGS, resolveLifecycleConfig } from '../machines/defaults.js';
import type { LifecycleConfig, SupervisorSettings } from '../machines/defaults.js';
import { serviceKey } from '../machines/service-key.js';
import { checkLifecycle } from './consistency.js';
import { checkGateway, gatewayConfig, type GatewayConfig } from './gateway-section.js';
import type { Finding, Layer } from './consistency.js';
import type { PathSegment } from './errors.js';
import { camelizeKeys } from './keys.js';
import type { AlertsConfig, AlertSinkConfig, HttpSettings, ServiceConfig } from './model.js';
import { BUILT_IN_PROFILES } from './profiles.js';
import { LIFECYCLE_KEYS, splitServiceKey } from './schema.js';
import type { AlertsSection, FleetDocument, HttpSection, LifecycleOverrides, ServiceFields, SupervisorSection } from './schema.js';
import { inferTransportType } from './transport.js';
import type { TransportConfig } from './transport.js';

export interface ResolveContext {
  defaults: Partial<LifecycleConfig>;
  profiles: Readonly<Record<string, Partial<LifecycleConfig>>>;
  /** Which profiles were declared in the document (so findings can point into `profiles:`). */
  declaredProfiles: ReadonlySet<string>;
  /**
   * The declaring file's directory: a stdio service runs there unless its `cwd` says otherwise, and a
   * relative `cwd` resolves against it. Null (a service given from code) leaves `cwd` as written.
   */
  baseDir: string | null;
}

export interface ResolvedFleet {
  supervisor: SupervisorSettings;
  http: HttpSettings | null;
  alerts: AlertsConfig | null;
  services: ServiceConfig[];
  gateway: GatewayConfig;
  defaults: Partial<LifecycleConfig>;
  profiles: Record<string, Partial<LifecycleConfig>>;
  findings: Finding[];
}

/** The lifecycle keys of a section (defaults, a profile, a service) in camelCase, unset keys omitted. */
export function lifecycleOverrides(section: LifecycleOverrides | ServiceFields | null | undefined): Partial<LifecycleConfig> {
  if (!section) return {};
  const picked: LifecycleOverrides = {};
  for (const key of LIFECYCLE_KEYS) Object.assign(picked, { [key]: section[key] });
  return camelizeKeys(picked);
}

export function supervisorSettings(section: SupervisorSection | null | undefined): SupervisorSettings {
  return { ...DEFAULT_SUPERVISOR_SETTINGS, ...camelizeKeys(section ?? {}) };
}

export function resolveFleet(document: FleetDocument, baseDir: string | null): ResolvedFleet {
  const declared = Object.fromEntries(
    Object.entries(document.profiles ?? {}).map(([name, profile]) => [name, lifecycleOverrides(profile)]),
  );
  const context: ResolveContext = {
    defaults: lifecycleOverrides(document.defaults),
    profiles: { ...BUILT_IN_PROFILES, ...declared },
    declaredProfiles: new Set(Object.keys(declared)),
    baseDir,
  };
  const findings: Finding[] = [];
  const services = Object.entries(document.services ?? {}).map(([entryKey, fields]) => {
    const resolved = resolveService(entryKey, fields, context);
    findings.push(...resolved.findings);
    return resolved.service;
  });
  const gateway = gatewayConfig(document.gateway);
  findings.push(...checkGateway(gateway, services, Object.keys(document.services ?? {})));
  return {
    supervisor: supervisorSettings(document.supervisor),
    http: httpSettings(document.http),
    alerts: alertsConfig(document.alerts),
    services,
    gateway,
    defaults: context.defaults,
    profiles: { ...context.profiles },
    findings: dedupe(findings),
  };
}

export function httpSettings(section: HttpSection | null | undefined): HttpSettings | null {
  if (!section) return null;
  const readiness = section.readiness ?? 'critical';
  return {
    listen: section.listen,
    token: section.token ?? null,
    readiness: Array.isArray(readiness) ? { services: readiness } : readiness,
  };
}

/** Alert defaults: a burst of alerts within 10 s is one message; a rule repeats for a service after 1 minute at most. */
export const ALERT_DEFAULTS = { groupWindow: 10_000, cooldown: 60_000, queueSize: 100, maxAttempts: 5, sinkTimeout: 10_000, commandTimeout: 30_000 } as const;

export function alertsConfig(section: AlertsSection | null | undefined): AlertsConfig | null {
  if (!section) return null;
  const sinks = Object.entries(section.sinks).map(([name, sink]): AlertSinkConfig => {
    switch (sink.type) {
      case 'webhook':
        return { type: 'webhook', name, url: sink.url, headers: sink.headers ?? {}, timeout: sink.timeout ?? ALERT_DEFAULTS.sinkTimeout };
      case 'command':
        return { type: 'command', name, command: sink.command, args: sink.args ?? [], timeout: sink.timeout ?? ALERT_DEFAULTS.commandTimeout };
      case 'email': {
        const secure = sink.secure ?? false;
        return {
          type: 'email',
          name,
          host: sink.host,
          port: sink.port ?? (secure ? 465 : 587),
          secure,
          requireTls: sink.require_tls ?? true,
          username: sink.username ?? null,
          password: sink.password ?? null,
          from: sink.from,
          to: typeof sink.to === 'string' ? [sink.to] : sink.to,
          timeout: sink.timeout ?? ALERT_DEFAULTS.sinkTimeout,
        };
      }
    }
  });
  const rules = Object.entries(section.rules).map(([name, rule]) => ({
    name,
    trigger:
      rule.enters !== undefined
        ? { kind: 'enters' as const, states: rule.enters }
        : { kind: 'lasts' as const, state: rule.state ?? 'UNREACHABLE', forMs: rule.for ?? 0 },
    services: rule.services ?? null,
    agents: rule.agents ?? null,
    priorities: rule.priorities ?? null,
    profiles: rule.profiles ?? null,
    sinks: rule.sinks,
    resolved: rule.resolved ?? true,
    cooldown: rule.cooldown ?? section.cooldown ?? ALERT_DEFAULTS.cooldown,
  }));
  return {
    sinks,
    rules,
    groupWindow: section.group_window ?? ALERT_DEFAULTS.groupWindow,
    queueSize: section.queue_size ?? ALERT_DEFAULTS.queueSize,
    maxAttempts: section.max_attempts ?? ALERT_DEFAULTS.maxAttempts,
  };
}

/** One service, given its entry key (`name` or `agent/name`) and validated fields. */
export function resolveService(
  entryKey: string,
  fields: ServiceFields,
  context: ResolveContext,
): { service: ServiceConfig; findings: Finding[] } {
  const { agent, name } = splitServiceKey(entryKey);
  const agentId = agent ?? fields.agent ?? null;
  const servicePath: PathSegment[] = ['services', entryKey];
  const profileName = fields.profile ?? null;
  const layers: Layer[] = [{ path: ['defaults'], values: context.defaults }];
  if (profileName !== null) {
    layers.push({
      path: ['profiles', profileName],
      ...(context.declaredProfiles.has(profileName) ? {} : { pointAt: [...servicePath, 'profile'] }),
      values: context.profiles[profileName] ?? {},
    });
  }
  layers.push({ path: servicePath, values: lifecycleOverrides(fields) });
  const lifecycle = resolveLifecycleConfig(Object.assign({}, ...layers.map((layer) => layer.values)) as Partial<LifecycleConfig>);
  return {
    service: {
      name,
      agentId,
      key: serviceKey(name, agentId),
      enabled: fields.enabled ?? true,
      transport: transportOf(fields, context.baseDir),
      lifecycle,
      profile: profileName,
      critical: fields.critical ?? false,
    },
    findings: checkLifecycle(lifecycle, layers, servicePath),
  };
}

/** `command` → stdio; `url` → the given transport, or inferred (Streamable HTTP falls back to SSE). */
function transportOf(fields: ServiceFields, baseDir: string | null): TransportConfig {
  if (fields.command !== undefined) {
    // Anchored at the file, so a config means the same whichever directory the supervisor starts in.
    const cwd = baseDir === null ? fields.cwd : path.resolve(baseDir, fields.cwd ?? '.');
    return { type: 'stdio', command: fields.command, args: fields.args ?? [], env: fields.env ?? {}, ...(cwd === undefined ? {} : { cwd }), ...protocolOf(fields) };
  }
  if (fields.url === undefined) throw new Error('a validated service has `command` or `url`');
  const headers = fields.headers ?? {};
  const type = fields.transport ?? inferTransportType(fields.url);
  if (type === 'sse') return { type, url: fields.url, headers };
  return { type, url: fields.url, headers, sseFallback: fields.transport === undefined, ...protocolOf(fields) };
}

/** `protocol: legacy` is kept; `auto`, the default, is left out. */
function protocolOf(fields: ServiceFields): { protocol?: 'legacy' } {
  return fields.protocol === 'legacy' ? { protocol: 'legacy' } : {};
}

function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const id = JSON.stringify([finding.path, finding.message]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
