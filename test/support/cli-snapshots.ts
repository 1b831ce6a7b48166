// Service snapshots for the CLI's rendering tests: real `ServiceSnapshot`s built from the statechart's
// own initial context, with the metadata a test sets.

import { initialServiceContext, type ServiceContext } from '../../src/machines/service.context.js';
import type { ServiceState } from '../../src/machines/service.machine.js';
import { toServiceSnapshot, type ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';

export const NOW = Date.UTC(2025, 0, 15, 9, 30, 0);

export function snapshot(name: string, state: ServiceState, context: Partial<ServiceContext> = {}): ServiceSnapshot {
  const base = initialServiceContext(
    { serviceName: name, transport: { type: 'stdio', command: 'node', args: [`${name}.mjs`], env: {} } },
    NOW - 60_000,
  );
  return toServiceSnapshot(state, { ...base, ...context });
}
