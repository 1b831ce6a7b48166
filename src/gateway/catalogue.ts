// What the gateway shows one client: the tools, prompts, resources and resource templates of the
// services in its scope, named and filtered as configured, in a deterministic order — and, for routing,
// which service and which of its names each exposed name stands for. Pure: built from snapshots.

import { UriTemplate, type Prompt, type Resource, type ResourceTemplateType as ResourceTemplate } from '@modelcontextprotocol/server';
import type { ServiceExposure } from '../config/gateway-section.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { ToolDescriptor } from '../machines/service-io.js';
import { defaultPrefix, exposedName, matchesPattern } from './exposed-name.js';

/** How names are made: `<prefix><separator><name>`, or the servers' own names (`none`). */
export interface Naming {
  namespace: 'prefix' | 'none';
  separator: string;
  expose: Readonly<Record<string, ServiceExposure>>;
}

/** A service's resources and prompts, as last listed (tools come with its snapshot). */
export interface ServiceExtras {
  resources: readonly Resource[];
  templates: readonly ResourceTemplate[];
  prompts: readonly Prompt[];
}

export interface ToolEntry {
  name: string;
  service: string;
  available: boolean;
  tool: ToolDescriptor;
}

export interface PromptEntry {
  name: string;
  service: string;
  available: boolean;
  prompt: Prompt;
}

export interface ResourceEntry {
  service: string;
  available: boolean;
  resource: Resource;
}

export interface TemplateEntry {
  service: string;
  available: boolean;
  template: ResourceTemplate;
}

export interface Catalogue {
  tools: ToolEntry[];
  prompts: PromptEntry[];
  resources: ResourceEntry[];
  templates: TemplateEntry[];
  toolsByName: ReadonlyMap<string, ToolEntry>;
  promptsByName: ReadonlyMap<string, PromptEntry>;
  resourcesByUri: ReadonlyMap<string, ResourceEntry>;
  /** Names two services would both take (namespace `none`): the first service keeps it. */
  conflicts: string[];
}

/** Which services a client sees: every one (undefined), or the global ones and one agent's. */
export type Scope = string | undefined;

export function inScope(service: Pick<ServiceSnapshot, 'agentId'>, scope: Scope): boolean {
  return scope === undefined || service.agentId === null || service.agentId === scope;
}

const SHOW_ALL: ServiceExposure = { prefix: null, tools: { allow: null, deny: [] }, resources: true, prompts: true };

export function exposureOf(naming: Naming, service: string): ServiceExposure {
  return naming.expose[service] ?? SHOW_ALL;
}

export function prefixOf(naming: Naming, service: string): string {
  if (naming.namespace === 'none') return '';
  return exposureOf(naming, service).prefix ?? defaultPrefix(service);
}

/** Whether `expose` shows (and so lets clients call) the service's tool `name`. */
export function toolShown(exposure: ServiceExposure, name: string): boolean {
  const { allow, deny } = exposure.tools;
  if (allow !== null && !allow.some((pattern) => matchesPattern(pattern, name))) return false;
  return !deny.some((pattern) => matchesPattern(pattern, name));
}

/**
 * The catalogue of `services` (those in the client's scope), ordered by prefix then by the order each
 * server listed its entries. Available services come first, so that with namespace `none` a name an
 * unavailable service last held goes to an available one that has it.
 */
export function buildCatalogue(
  services: readonly ServiceSnapshot[],
  extras: ReadonlyMap<string, ServiceExtras>,
  naming: Naming,
): Catalogue {
  const ordered = [...services].sort(
    (a, b) => Number(b.available) - Number(a.available) || prefixOf(naming, a.key).localeCompare(prefixOf(naming, b.key)) || a.key.localeCompare(b.key),
  );
  const toolsByName = new Map<string, ToolEntry>();
  const promptsByName = new Map<string, PromptEntry>();
  const resourcesByUri = new Map<string, ResourceEntry>();
  const templates: TemplateEntry[] = [];
  const conflicts: string[] = [];
  for (const service of ordered) {
    const exposure = exposureOf(naming, service.key);
    const prefix = prefixOf(naming, service.key);
    const available = service.available;
    for (const tool of service.tools) {
      if (!toolShown(exposure, tool.name)) continue;
      const name = exposedName(prefix, naming.separator, tool.name);
      const held = toolsByName.get(name);
      if (held) {
        conflicts.push(`tool \`${name}\` of \`${service.key}\` is hidden: \`${held.service}\` has a tool of that name`);
        continue;
      }
      toolsByName.set(name, { name, service: service.key, available, tool });
    }
    const extra = extras.get(service.key);
    if (!extra) continue;
    if (exposure.prompts) {
      for (const prompt of extra.prompts) {
        const name = exposedName(prefix, naming.separator, prompt.name);
        const held = promptsByName.get(name);
        if (held) {
          conflicts.push(`prompt \`${name}\` of \`${service.key}\` is hidden: \`${held.service}\` has a prompt of that name`);
          continue;
        }
        promptsByName.set(name, { name, service: service.key, available, prompt });
      }
    }
    if (exposure.resources) {
      for (const resource of extra.resources) {
        const held = resourcesByUri.get(resource.uri);
        if (held) {
          conflicts.push(`resource \`${resource.uri}\` of \`${service.key}\` is hidden: \`${held.service}\` lists the same URI`);
          continue;
        }
        resourcesByUri.set(resource.uri, { service: service.key, available, resource });
      }
      for (const template of extra.templates) templates.push({ service: service.key, available, template });
    }
  }
  return {
    tools: [...toolsByName.values()].filter((entry) => entry.available),
    prompts: [...promptsByName.values()].filter((entry) => entry.available),
    resources: [...resourcesByUri.values()].filter((entry) => entry.available),
    templates: templates.filter((entry) => entry.available),
    toolsByName,
    promptsByName,
    resourcesByUri,
    conflicts,
  };
}

/**
 * The service a resource URI belongs to: the one that listed it, else the first available one whose
 * template matches it; `available` says whether that service is available now. Null when none owns it.
 */
export function ownerOfUri(catalogue: Catalogue, uri: string): { service: string; available: boolean } | null {
  const listed = catalogue.resourcesByUri.get(uri);
  if (listed) return { service: listed.service, available: listed.available };
  const template = catalogue.templates.find((entry) => new UriTemplate(entry.template.uriTemplate).match(uri) !== null);
  return template ? { service: template.service, available: true } : null;
}

/**
 * The service a name that is not (or no longer) in the catalogue would belong to, by its prefix: a call
 * to `github__search` while `github` is still connecting for the first time has no tool list to be
 * found in, yet clearly means `github`. Null for namespace `none` or no matching prefix.
 */
export function serviceByPrefix(
  name: string,
  services: readonly ServiceSnapshot[],
  naming: Naming,
): { service: string; tool: string } | null {
  if (naming.namespace === 'none') return null;
  for (const service of services) {
    const lead = `${prefixOf(naming, service.key)}${naming.separator}`;
    if (!name.startsWith(lead) || name.length === lead.length) continue;
    const tool = name.slice(lead.length);
    // A tool `expose` hides can no more be called than listed.
    return toolShown(exposureOf(naming, service.key), tool) ? { service: service.key, tool } : null;
  }
  return null;
}
