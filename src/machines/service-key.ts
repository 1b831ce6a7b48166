// A service is named uniquely within its scope: the global store, or one agent.

/** The fleet-wide key of a service: `name` in the global scope, `agent/name` in an agent's scope. */
export function serviceKey(serviceName: string, agentId?: string | null): string {
  return agentId ? `${agentId}/${serviceName}` : serviceName;
}
