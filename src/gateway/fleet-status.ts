// The fleet as an agent reads it (`mcp-supervisor://fleet`): every service in the client's scope, its
// state, when it next retries and how many tools it has, so that an agent can say why a tool is missing.

import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';

export const FLEET_STATUS_URI = 'mcp-supervisor://fleet';

export const FLEET_STATUS_RESOURCE = {
  uri: FLEET_STATUS_URI,
  name: 'fleet',
  title: 'Fleet status',
  description:
    'Every MCP service behind this gateway: its state (HEALTHY, WARNING, RECONNECTING, UNREACHABLE, …), next retry, last error and tool count. Read it to explain why a tool is missing.',
  mimeType: 'application/json',
} as const;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The resource's JSON text: services in key order, times in ISO-8601. */
export function fleetStatusText(services: readonly ServiceSnapshot[], conflicts: readonly string[], now: number): string {
  const rows = [...services]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((service) => ({
      service: service.key,
      state: service.state,
      available: service.available,
      since: iso(service.metadata.stateEnteredTime),
      nextRetry: iso(service.metadata.nextRetryTime),
      lastError: service.metadata.errorMessage,
      toolCount: service.metadata.toolCount,
      protocol: service.metadata.protocolVersion,
    }));
  return JSON.stringify({ at: new Date(now).toISOString(), services: rows, conflicts }, null, 2);
}
