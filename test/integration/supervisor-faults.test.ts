// The Supervisor's promises under faults, on real servers: a hung server is replaced within its
// reconnect's connect timeout, and a caller's abort reaches the caller as its own reason.

import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { ServiceSnapshot } from '../../src/supervisor/service-snapshot.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

let supervisor: Supervisor | null = null;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => descendantsOf().filter((entry) => entry.state !== 'Z').length === 0, 10_000, 'every server process is gone');
});

describe('a hung server', () => {
  it('is killed after failed_close_timeout, so the first reconnect attempt succeeds within its connect timeout', async () => {
    supervisor = new Supervisor({
      services: [
        {
          name: 'hung',
          // Answers initialize and tools/list, never a ping; ignores stdin EOF and SIGTERM.
          transport: stdioServer(['--ping', 'hang', '--ignore-sigterm', '--ignore-stdin-close']),
          lifecycle: {
            healthCheckInterval: 200,
            startupWaitTime: 0,
            pingTimeout: 200,
            warningFailureThreshold: 1,
            reconnectingFailureThreshold: 1,
            // Closing a replaced connection used to take 8 s of stdin and SIGTERM grace before SIGKILL,
            // more than the whole connect may take; the hung server now gets 300 ms.
            disconnectTimeout: 2_000,
            connectTimeout: 7_000,
            failedCloseTimeout: 300,
            reconnectBaseDelay: 60_000,
            jitter: 0,
          },
        },
      ],
    });
    const transitions: Transition[] = [];
    const attempts: ServiceSnapshot[] = [];
    supervisor.transitions$.subscribe((t) => transitions.push(t));
    supervisor.services$.subscribe((services) => {
      const hung = services.get('hung');
      if (hung?.state === 'RECONNECTING') attempts.push(hung);
    });
    supervisor.start();
    await eventually(() => transitions.some((t) => t.from === 'RECONNECTING' && t.to === 'HEALTHY'), 15_000, 'the hung server was replaced');
    const firstRecovery = transitions.findIndex((t) => t.from === 'RECONNECTING' && t.to === 'HEALTHY');
    expect(transitions.slice(0, firstRecovery + 1).map((t) => t.to)).toEqual(['INITIALIZING', 'HEALTHY', 'RECONNECTING', 'HEALTHY']);
    expect(attempts.every((snapshot) => snapshot.metadata.reconnectAttempts <= 1)).toBe(true);
    expect(attempts.map((snapshot) => snapshot.metadata.errorMessage)).not.toContain('connect timed out after 7000 ms');
  });
});

describe('callTool with an abort signal', () => {
  it('rejects with the signal’s own reason when aborted during the call', async () => {
    supervisor = new Supervisor({ services: [{ name: 'svc', transport: stdioServer() }] }).start();
    await supervisor.waitForService('svc', { timeoutMs: 15_000 });
    const controller = new AbortController();
    const reason = new Error('the user closed the tab');
    const call = supervisor.callTool('svc', 'sleep', { ms: 30_000 }, { timeoutMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(reason), 50);
    await expect(call).rejects.toBe(reason);
  });

  it('rejects with the signal’s own reason when it was aborted before the call', async () => {
    supervisor = new Supervisor({ services: [{ name: 'svc', transport: stdioServer() }] }).start();
    await supervisor.waitForService('svc', { timeoutMs: 15_000 });
    const reason = new Error('cancelled earlier');
    await expect(supervisor.callTool('svc', 'echo', { text: 'x' }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });
});
