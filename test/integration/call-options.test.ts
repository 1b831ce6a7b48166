// callTool's options against a real server (the legacy stdio test server's `sleep` tool, which reports
// progress `steps` times): progress reaches onProgress, resetTimeoutOnProgress lets a call that keeps
// reporting outlast timeoutMs, and maxTotalTimeout bounds the whole call.

import type { Progress } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolCallTimeoutError } from '../../src/supervisor/errors.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

// No health check during a test (the calls are under test, not the pings).
const quiet = { healthCheckInterval: 3_600_000, startupWaitTime: 3_600_000, jitter: 0 };

let supervisor: Supervisor;

beforeEach(async () => {
  supervisor = new Supervisor({ services: [{ name: 'svc', transport: stdioServer(), lifecycle: quiet }] }).start();
  await supervisor.waitForService('svc', { timeoutMs: 20_000 });
});

afterEach(async () => {
  await supervisor.stop();
  await eventually(() => descendantsOf().length === 0, 10_000, 'every server process is gone');
});

const text = (result: Awaited<ReturnType<Supervisor['callTool']>>) => (result.content[0]?.type === 'text' ? result.content[0].text : null);

describe('callTool options', () => {
  it('hands every progress notification of the call to onProgress, in order', async () => {
    const seen: Progress[] = [];
    const result = await supervisor.callTool('svc', 'sleep', { ms: 300, steps: 3 }, { timeoutMs: 20_000, onProgress: (progress) => seen.push(progress) });
    expect(text(result)).toBe('slept 300 ms');
    expect(seen).toEqual([
      { progress: 1, total: 3 },
      { progress: 2, total: 3 },
      { progress: 3, total: 3 },
    ]);
  });

  // 40 progress notifications 100 ms apart; a 2 s wait never runs out between two of them.
  const longCall = { ms: 4_000, steps: 40 };

  it('with resetTimeoutOnProgress, lets a call longer than timeoutMs finish while progress keeps coming', async () => {
    // No onProgress: asking for the reset is enough for the server to be asked for progress.
    const result = await supervisor.callTool('svc', 'sleep', longCall, { timeoutMs: 2_000, resetTimeoutOnProgress: true });
    expect(text(result)).toBe('slept 4000 ms');
  });

  it('without it, times the same call out after timeoutMs', async () => {
    const outcome = await supervisor.callTool('svc', 'sleep', longCall, { timeoutMs: 2_000, onProgress: () => undefined }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(ToolCallTimeoutError);
    expect(outcome).toMatchObject({ timeoutMs: 2_000, limit: 'timeoutMs' });
  });

  it.each([
    ['with progress restarting timeoutMs', { ms: 30_000, steps: 300 }, { resetTimeoutOnProgress: true }],
    ['with a server that reports nothing', { ms: 30_000 }, {}],
  ])('bounds the whole call by maxTotalTimeout (%s)', async (_, args, options) => {
    const outcome = await supervisor
      .callTool('svc', 'sleep', args, { timeoutMs: 60_000, maxTotalTimeout: 1_000, ...options })
      .catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(ToolCallTimeoutError);
    expect(outcome).toMatchObject({ timeoutMs: 1_000, limit: 'maxTotalTimeout' });
    expect((outcome as Error).message).toBe("call of 'sleep' on service 'svc' ran past its maxTotalTimeout of 1000 ms — raise maxTotalTimeout if the tool may take that long");
  }, 20_000);
});
