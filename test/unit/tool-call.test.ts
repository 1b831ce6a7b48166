// A tool call on the supervisor's own (virtual) clock: its bounds pass when that clock moves, and a
// long-lived caller signal keeps nothing of the calls it was given to.

import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { ToolCallTimeoutError } from '../../src/supervisor/errors.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { inMemoryLayer } from '../support/service-harness.js';

/** The entries a signal keeps for the signals AbortSignal.any derived from it (Node keeps them under a symbol). */
function derivedSignalsKeptBy(signal: AbortSignal): number {
  const key = Object.getOwnPropertySymbols(signal).find((symbol) => symbol.description === 'kDependantSignals');
  const kept = key ? (signal as unknown as Record<symbol, { size?: unknown } | undefined>)[key] : undefined;
  return typeof kept?.size === 'number' ? kept.size : 0;
}

let supervisor: Supervisor | null = null;
afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
});

async function healthyService() {
  const clock = new VirtualClock(1_700_000_000_000);
  const connections = inMemoryLayer(clock);
  supervisor = new Supervisor({ services: [{ name: 'notes', transport: { type: 'stdio', command: 'node', args: ['notes.mjs'], env: {} } }] }, { clock, connections });
  supervisor.start();
  await clock.advanceUntil(() => supervisor?.listServices()[0]?.state === 'HEALTHY', 10_000);
  return { clock, connections, supervisor };
}

describe('a tool call on a virtual clock', () => {
  it('leaves no listener and no derived signal in a long-lived caller signal', async () => {
    const { supervisor } = await healthyService();
    const appLifetime = new AbortController();
    for (let call = 0; call < 200; call++) {
      await supervisor.callTool('notes', 'echo', { call }, { signal: appLifetime.signal, timeoutMs: 5_000 });
    }
    expect(getEventListeners(appLifetime.signal, 'abort')).toHaveLength(0);
    expect(derivedSignalsKeptBy(appLifetime.signal)).toBe(0);
  });

  it('times out when the clock passes timeoutMs, and still follows the caller’s signal', async () => {
    const { clock, connections, supervisor } = await healthyService();
    connections.defaults.call = 'hang';
    const timedOut = supervisor.callTool('notes', 'echo', {}, { timeoutMs: 2_000 }).catch((error: unknown) => error);
    await clock.advance(2_000);
    expect(await timedOut).toBeInstanceOf(ToolCallTimeoutError);
    const caller = new AbortController();
    const aborted = supervisor.callTool('notes', 'echo', {}, { timeoutMs: 2_000, signal: caller.signal }).catch((error: unknown) => error);
    caller.abort(new Error('user cancelled'));
    expect(await aborted).toMatchObject({ message: 'user cancelled' });
  });
});
