// The shape of a config document (YAML, or an imported mcpServers file mapped onto it), in zod.
// Keys are snake_case as users write them; durations leave here as milliseconds. The TypeScript types
// of the document are derived from these schemas, so validation and types cannot drift.

import { z } from 'zod';
import { PRIORITIES } from '../machines/defaults.js';
import type { LifecycleConfig, SupervisorSettings } from '../machines/defaults.js';
import type { ServiceState } from '../machines/service.machine.js';
import { DURATION_HINT, MAX_TIMER_MS, parseDuration } from './duration.js';
import { describeValue } from './errors.js';
import type { CamelToSnake } from './keys.js';
import { BUILT_IN_PROFILES } from './profiles.js';
import { didYouMean } from './suggest.js';
import { redactUrl } from './transport.js';
import { isLoopbackHost, parseListenAddress } from './listen-address.js';

/** Service names, agent ids and profile names: safe in a fleet key (`agent/name`), a log line or a URL. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SAFE_NAME_HINT = 'letters, digits, `_`, `.` and `-`, starting with a letter or digit';

/** Marks an issue that is about a map key (a name), not its value, so it is located at the key. */
export const AT_KEY = { at: 'key' } as const;

const always = { when: () => true };

const count = (min: number) => z.int().min(min);

const MAX_TIMER_HOURS = Math.floor(MAX_TIMER_MS / 3_600_000);

/** A duration in ms: `min` 0 allows zero, 1 requires a positive one; none may overflow a timer. */
function duration(min: 0 | 1) {
  return z
    .custom<number | string>((value) => typeof value === 'number' || typeof value === 'string', {
      error: (issue) => `expected ${DURATION_HINT}, got ${describeValue(issue.input, issue.path ?? [])}`,
    })
    .transform((value, ctx) => {
      const parsed = parseDuration(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      else if (parsed.ms < min) ctx.addIssue({ code: 'custom', message: `must be ${min === 0 ? '≥ 0' : '> 0'}, got ${String(value)}` });
      else if (parsed.ms > MAX_TIMER_MS) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_TIMER_HOURS}h (about 24.8 days, the longest timer Node can run), got ${String(value)}` });
      } else return parsed.ms;
      return z.NEVER;
    });
}

/** Env values, header values and args: YAML may type `8080` or `true`; they are passed on as text. */
const text = z
  .custom<string | number | boolean>((value) => ['string', 'number', 'boolean'].includes(typeof value), {
    error: (issue) => `expected a string, got ${describeValue(issue.input, issue.path ?? [])}`,
  })
  .transform((value) => String(value));

/** Every lifecycle key; the `satisfies` keeps it exactly the snake_case of `LifecycleConfig`. */
const LIFECYCLE_SHAPE = {
  health_check_interval: duration(1).optional(),
  warning_check_interval: duration(1).optional(),
  tools_update_interval: duration(1).optional(),
  warning_failure_threshold: count(1).optional(),
  reconnecting_failure_threshold: count(1).optional(),
  recovery_success_threshold: count(1).optional(),
  max_reconnect_attempts: count(1).optional(),
  ping_timeout: duration(1).optional(),
  startup_wait_time: duration(0).optional(),
  connect_timeout: duration(1).optional(),
  disconnect_timeout: duration(1).optional(),
  failed_close_timeout: duration(1).optional(),
  cleanup_interval_hours: z.number().positive().max(MAX_TIMER_HOURS).optional(),
  max_disconnected_age_hours: z.number().min(0).optional(),
  healthy_threshold: duration(1).optional(),
  warning_threshold: duration(1).optional(),
  slow_threshold: duration(1).optional(),
  enable_adaptive_timeout: z.boolean().optional(),
  passive_health: z.boolean().optional(),
  adaptive_multiplier: z.number().positive().optional(),
  history_size: count(1).optional(),
  priority: z.enum(PRIORITIES).optional(),
  reconnect_base_delay: duration(1).optional(),
  reconnect_max_delay: duration(1).optional(),
  unreachable_base_delay: duration(1).optional(),
  unreachable_max_delay: duration(1).optional(),
  max_unreachable_retries: count(0).optional(),
  jitter: z.number().min(0).max(1).optional(),
} satisfies { [K in keyof LifecycleConfig as CamelToSnake<K>]: z.ZodType<LifecycleConfig[K] | undefined> };

export const LIFECYCLE_KEYS = Object.keys(LIFECYCLE_SHAPE) as Array<keyof typeof LIFECYCLE_SHAPE>;

/** `defaults:` and each profile: any lifecycle key, all optional. */
export const LifecycleOverridesSchema = z.strictObject(LIFECYCLE_SHAPE);

export const SupervisorSchema = z.strictObject({
  max_concurrent_connects: count(1).optional(),
  max_restarts: count(0).optional(),
  restart_window: duration(1).optional(),
} satisfies { [K in keyof SupervisorSettings as CamelToSnake<K>]: z.ZodType<SupervisorSettings[K] | undefined> });

const httpUrl = z.string().refine(
  (value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  },
  // The URL is shown redacted: tokens often travel in its query or credentials.
  { error: (issue) => `expected an http:// or https:// URL${URL.canParse(String(issue.input)) ? `, got "${redactUrl(String(issue.input))}"` : ''}` },
);

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: 'is not a valid HTTP header name' });
const envName = z.string().regex(/^[^=\0]+$/, { error: 'is not a valid environment variable name' });

const STDIO_KEYS = ['command', 'args', 'env', 'cwd'] as const;
const REMOTE_KEYS = ['url', 'transport', 'headers'] as const;

const safeName = z.string().regex(SAFE_NAME, { error: `must use ${SAFE_NAME_HINT}` });

const SERVICE_FIELDS = {
  ...LIFECYCLE_SHAPE,
  command: z.string().min(1).optional(),
  args: z.array(text).nullish(),
  env: z.record(envName, text).nullish(),
  cwd: z.string().min(1).optional(),
  url: httpUrl.optional(),
  transport: z.enum(['streamable-http', 'sse']).optional(),
  headers: z.record(headerName, text).nullish(),
  protocol: z.enum(['auto', 'legacy']).optional(),
  profile: z.string().optional(),
  agent: safeName.nullish(),
  enabled: z.boolean().optional(),
  critical: z.boolean().optional(),
};

/** One service as written (without its name, which is its key in `services:`). */
export const ServiceFieldsSchema = z.strictObject(SERVICE_FIELDS).superRefine(serviceRules, always);

/** A service given from code (`addService`): the same fields plus its `name`. */
export const ServiceDefinitionSchema = z.strictObject({ ...SERVICE_FIELDS, name: safeName }).superRefine(serviceRules, always);

/** A service is stdio (`command`) or remote (`url`), and takes only the keys of its kind. */
function serviceRules(service: unknown, ctx: z.RefinementCtx): void {
  if (!isMapping(service)) return;
  const has = (key: string) => service[key] !== undefined && service[key] !== null;
  if (has('command') && has('url')) {
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'a service takes `command` (stdio) or `url` (remote), not both' });
    return;
  }
  if (!has('command') && !has('url')) {
    ctx.addIssue({ code: 'custom', message: 'needs `command` (a stdio server) or `url` (a remote server)' });
    return;
  }
  const [kind, foreign, owner] = has('command') ? (['stdio', REMOTE_KEYS, 'url'] as const) : (['remote', STDIO_KEYS, 'command'] as const);
  for (const key of foreign) {
    if (has(key)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` applies to services with \`${owner}\`; this one is ${kind}` });
    }
  }
}

const listenAddress = z.string().transform((value, ctx) => {
  const parsed = parseListenAddress(value);
  if (parsed.ok) return parsed.address;
  ctx.addIssue({ code: 'custom', message: parsed.message });
  return z.NEVER;
});

/** When `/readyz` reports ready: the services marked `critical` (default), all of them, any one, or those listed. */
export const READINESS_POLICIES = ['critical', 'all', 'any'] as const;

/** `http:`: the operators' listener (`/metrics`, `/healthz`, `/readyz`). */
export const HttpSchema = z
  .strictObject({
    listen: listenAddress,
    token: z.string().min(1, { error: 'must not be empty (leave `token` out for no token)' }).optional(),
    readiness: z.union([z.enum(READINESS_POLICIES), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .superRefine((http, ctx) => {
    if (http.token === undefined && !isLoopbackHost(http.listen.host)) {
      ctx.addIssue({
        code: 'custom',
        path: ['listen'],
        message: `${http.listen.host} is reachable from other machines: set \`token\` (e.g. token: \${MCP_SUPERVISOR_HTTP_TOKEN}), or listen on 127.0.0.1`,
      });
    }
  });

/** The lifecycle states a rule may name (the chart's, checked against its type; no runtime import of the chart). */
export const ALERT_STATES = ['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE', 'DISCONNECTING', 'DISCONNECTED'] as const satisfies readonly ServiceState[];

const names = z.array(z.string().min(1)).min(1);

/** A rule: when it fires (entering states, or a state that lasted), for which services, to which sinks. */
export const AlertRuleSchema = z
  .strictObject({
    enters: z.array(z.enum(ALERT_STATES)).min(1).optional(),
    state: z.enum(ALERT_STATES).optional(),
    for: duration(1).optional(),
    services: names.optional(),
    agents: names.optional(),
    priorities: z.array(z.enum(PRIORITIES)).min(1).optional(),
    profiles: names.optional(),
    sinks: names,
    resolved: z.boolean().optional(),
    cooldown: duration(0).optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.enters !== undefined && (rule.state !== undefined || rule.for !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['enters'], message: 'a rule fires on `enters` (states) or on `state` + `for` (a state that lasted), not both' });
    } else if (rule.enters === undefined && (rule.state === undefined || rule.for === undefined)) {
      const missing = rule.state === undefined ? (rule.for === undefined ? '`enters`, or `state` and `for`' : '`state`') : '`for`';
      ctx.addIssue({ code: 'custom', message: `needs ${missing}: e.g. enters: [WARNING, RECONNECTING, UNREACHABLE], or state: UNREACHABLE with for: 5m` });
    }
  });

const WebhookSinkSchema = z.strictObject({
  type: z.literal('webhook'),
  url: httpUrl,
  headers: z.record(headerName, text).optional(),
  timeout: duration(1).optional(),
});
const CommandSinkSchema = z.strictObject({
  type: z.literal('command'),
  command: z.string().min(1),
  args: z.array(text).optional(),
  timeout: duration(1).optional(),
});
const EmailSinkSchema = z.strictObject({
  type: z.literal('email'),
  host: z.string().min(1),
  port: z.int().min(1).max(65_535).optional(),
  secure: z.boolean().optional(),
  require_tls: z.boolean().optional(),
  username: text.optional(),
  password: text.optional(),
  from: z.string().min(3),
  to: z.union([z.string().min(3), z.array(z.string().min(3)).min(1)]),
  timeout: duration(1).optional(),
});
export const AlertSinkSchema = z.discriminatedUnion('type', [WebhookSinkSchema, CommandSinkSchema, EmailSinkSchema]);

/** `alerts:`: sinks (where alerts go), rules (when), and the noise and delivery controls. */
export const AlertsSchema = z.strictObject({
  sinks: z.record(z.string(), AlertSinkSchema),
  rules: z.record(z.string(), AlertRuleSchema),
  group_window: duration(0).optional(),
  cooldown: duration(0).optional(),
  queue_size: count(1).optional(),
  max_attempts: count(1).optional(),
});

/** What a prefix or a separator may hold: the MCP specification's tool-name alphabet. */
const namePart = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'must use letters, digits, `_`, `.` and `-`' });

const origin = z.string().refine((value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ''), {
  error: 'expected an origin such as `https://app.example.com` (scheme, host and port only)',
});

/** `gateway.expose.<service>`: what one service shows through the gateway. */
const ExposureSchema = z.strictObject({
  prefix: namePart.max(32).optional(),
  tools: z.strictObject({ allow: z.array(z.string().min(1)).nullish(), deny: z.array(z.string().min(1)).nullish() }).nullish(),
  resources: z.boolean().optional(),
  prompts: z.boolean().optional(),
});

/** `gateway:`, read by `mcp-supervisor serve` (see gateway-section.ts for what each key means). */
export const GatewaySchema = z.strictObject({
  namespace: z.enum(['prefix', 'none']).optional(),
  separator: namePart.max(8).optional(),
  call_wait: duration(0).optional(),
  auth_token: z
    .string()
    .refine((token) => token.length >= 16, { error: 'must be at least 16 characters long: it is all that guards the fleet on the network' })
    .nullish(),
  allowed_origins: z.array(origin).nullish(),
  mode: z.enum(['full', 'lazy']).optional(),
  expose: z.record(z.string(), ExposureSchema).nullish(),
});

export const FleetDocumentSchema = z
  .strictObject({
    defaults: LifecycleOverridesSchema.nullish(),
    profiles: z.record(z.string(), LifecycleOverridesSchema).nullish(),
    supervisor: SupervisorSchema.nullish(),
    http: HttpSchema.nullish(),
    alerts: AlertsSchema.nullish(),
    services: z.record(z.string(), ServiceFieldsSchema).nullish(),
    gateway: GatewaySchema.nullish(),
  })
  .superRefine(documentRules, always);

/** Names, scopes and profile references: rules about the document as a whole. */
function documentRules(document: unknown, ctx: z.RefinementCtx): void {
  if (!isMapping(document)) return;
  const profiles = isMapping(document.profiles) ? document.profiles : {};
  for (const name of Object.keys(profiles)) {
    if (!SAFE_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: ['profiles', name], params: AT_KEY, message: `profile name \`${name}\` must use ${SAFE_NAME_HINT}` });
    }
  }
  const knownProfiles = new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(profiles)]);
  const services = isMapping(document.services) ? document.services : {};
  const seen = new Map<string, string>();
  for (const [entryKey, service] of Object.entries(services)) {
    const path = ['services', entryKey];
    const { agent: keyAgent, name } = splitServiceKey(entryKey);
    if ([keyAgent ?? 'global', name].some((part) => !SAFE_NAME.test(part))) {
      ctx.addIssue({
        code: 'custom',
        path,
        params: AT_KEY,
        message: `service name \`${entryKey}\` must be \`name\` or \`agent/name\`, each using ${SAFE_NAME_HINT}`,
      });
      continue;
    }
    const fields = isMapping(service) ? service : {};
    const fieldAgent = typeof fields.agent === 'string' ? fields.agent : null;
    if (keyAgent !== null && fieldAgent !== null && keyAgent !== fieldAgent) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'agent'],
        message: `agent \`${fieldAgent}\` contradicts the key \`${entryKey}\`, which names agent \`${keyAgent}\``,
      });
    }
    const agent = keyAgent ?? fieldAgent;
    const fleetKey = agent === null ? name : `${agent}/${name}`;
    const first = seen.get(fleetKey);
    if (first !== undefined) {
      const scope = agent === null ? 'the global scope' : `agent \`${agent}\`'s scope`;
      ctx.addIssue({
        code: 'custom',
        path,
        params: AT_KEY,
        message: `duplicate service \`${name}\` in ${scope}: \`services.${first}\` already defines it`,
      });
    } else seen.set(fleetKey, entryKey);
    if (typeof fields.profile === 'string' && !knownProfiles.has(fields.profile)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'profile'],
        message: `unknown profile \`${fields.profile}\`${didYouMean(fields.profile, knownProfiles)} (defined: ${[...knownProfiles].join(', ')})`,
      });
    }
  }
  alertRules(document, new Set(seen.keys()), ctx);
  const readiness = isMapping(document.http) ? document.http.readiness : undefined;
  if (Array.isArray(readiness)) {
    readiness.forEach((key, index) => {
      if (typeof key === 'string' && !seen.has(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['http', 'readiness', index],
          message: `unknown service \`${key}\`${didYouMean(key, seen.keys())} (readiness names services by their key: \`name\` or \`agent/name\`)`,
        });
      }
    });
  }
}

/** Sink and rule names, and what rules refer to: sinks that exist, services the file defines. */
function alertRules(document: Record<string, unknown>, services: ReadonlySet<string>, ctx: z.RefinementCtx): void {
  if (!isMapping(document.alerts)) return;
  const sinks = isMapping(document.alerts.sinks) ? Object.keys(document.alerts.sinks) : [];
  const rules = isMapping(document.alerts.rules) ? document.alerts.rules : {};
  for (const [section, keys] of [['sinks', sinks], ['rules', Object.keys(rules)]] as const) {
    for (const name of keys) {
      if (!SAFE_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: ['alerts', section, name], params: AT_KEY, message: `name \`${name}\` must use ${SAFE_NAME_HINT}` });
      }
    }
  }
  for (const [name, rule] of Object.entries(rules)) {
    if (!isMapping(rule)) continue;
    const refer = (field: 'sinks' | 'services', known: Iterable<string>, what: string) => {
      const list = rule[field];
      if (!Array.isArray(list)) return;
      const candidates = [...known];
      list.forEach((entry, index) => {
        if (typeof entry === 'string' && !candidates.includes(entry)) {
          const defined = candidates.length === 0 ? `no ${what} is defined` : `defined: ${candidates.join(', ')}`;
          ctx.addIssue({ code: 'custom', path: ['alerts', 'rules', name, field, index], message: `unknown ${what} \`${entry}\`${didYouMean(entry, candidates)} (${defined})` });
        }
      });
    };
    refer('sinks', sinks, 'sink');
    refer('services', services, 'service');
  }
}

/** `services:` keys are `name` or `agent/name`. */
export function splitServiceKey(entryKey: string): { agent: string | null; name: string } {
  const slash = entryKey.indexOf('/');
  return slash < 0 ? { agent: null, name: entryKey } : { agent: entryKey.slice(0, slash), name: entryKey.slice(slash + 1) };
}

/** A YAML/JSON mapping as plain data. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type LifecycleOverrides = z.output<typeof LifecycleOverridesSchema>;
export type SupervisorSection = z.output<typeof SupervisorSchema>;
export type HttpSection = z.output<typeof HttpSchema>;
export type AlertsSection = z.output<typeof AlertsSchema>;
export type GatewaySection = z.output<typeof GatewaySchema>;
export type ServiceFields = z.output<typeof ServiceFieldsSchema>;
export type ServiceDefinition = z.output<typeof ServiceDefinitionSchema>;
/** What `addService` accepts: a service as it would be written in YAML, plus its name. */
export type ServiceDefinitionInput = z.input<typeof ServiceDefinitionSchema>;
export type FleetDocument = z.output<typeof FleetDocumentSchema>;
export type FleetDocumentInput = z.input<typeof FleetDocumentSchema>;
