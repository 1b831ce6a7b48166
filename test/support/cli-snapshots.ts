// Service snapshots for the CLI's rendering tests: real `ServiceSnapshot`s built from the statechart's
// own initial context, with the metadata a test sets.

import { initialServiceContext } from '../../src/machines/service.context.js';
import { AVAILABLE_STATES, type ServiceState } from '../../src/machines/service.machine.js';
import { toServiceSnapshot, type ServiceMetadata, type ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';

export const NOW = Date.UTC(2025, 0, 15, 9, 30, 0);

export function snapshot(name: string, state: ServiceState, metadata: Partial<ServiceMetadata> = {}): ServiceSnapshot {
  const base = initialServiceContext(
    { serviceName: name, transport: { type: 'stdio', command: 'node', args: [`${name}.mjs`], env: {} } },
    NOW - 60_000,
  );
  const built = toServiceSnapshot({ state, available: AVAILABLE_STATES.includes(state), context: base });
  return { ...built, metadata: { ...built.metadata, ...metadata } };
}
