// The Supervisor against real MCP servers: stdio child processes and Streamable HTTP on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { Transition } from '../../src/supervisor/transition.js';
import { ServiceUnavailableError, ToolCallTimeoutError } from '../../src/supervisor/errors.js';
import { ConnectionLostError } from '../../src/actors/errors.js';
import { descendantsOf, eventually, modernStdioServer, startHttpServer, stdioServer, stopHttpServers } from '../fixtures/test-servers.js';

// Short intervals, but a ping timeout far above a loaded machine's round trip: a slow ping is not a failure here.
const fast = { healthCheckInterval: 200, startupWaitTime: 50, pingTimeout: 5_000, reconnectBaseDelay: 50, reconnectMaxDelay: 200, jitter: 0 };

let supervisor: Supervisor | null = null;

afterEach(async () => {
  await supervisor?.stop();
  supervisor = null;
  await stopHttpServers();
  await eventually(() => descendantsOf().length === 0, 10_000, 'every server process is gone');
});

function track(s: Supervisor) {
  const transitions: Transition[] = [];
  s.transitions$.subscribe((t) => transitions.push(t));
  return transitions;
}

describe('Supervisor with real servers', () => {
  it('connects stdio and Streamable HTTP services and calls their tools', async () => {
    const http = await startHttpServer();
    supervisor = new Supervisor({
      services: [
        { name: 'local', transport: stdioServer(), lifecycle: fast },
        { name: 'remote', agentId: 'alice', transport: { type: 'streamable-http', url: http.url, headers: {}, sseFallback: false }, lifecycle: fast },
      ],
    }).start();
    await supervisor.waitForService('local', { timeoutMs: 10_000 });
    await supervisor.waitForService('alice/remote', { timeoutMs: 10_000 });

    expect(supervisor.listTools({ agent: 'alice' }).map((tool) => tool.name)).toEqual(expect.arrayContaining(['echo', 'add']));
    const local = await supervisor.callTool('local', 'echo', { text: 'over stdio' }, { timeoutMs: 10_000 });
    const remote = await supervisor.callTool('alice/remote', 'echo', { text: 'over http' }, { timeoutMs: 10_000 });
    expect(JSON.stringify(local)).toContain('over stdio');
    expect(JSON.stringify(remote)).toContain('over http');
    expect(await supervisor.checkHealth('local')).toMatchObject({ ok: true, state: 'HEALTHY' });
  });

  it('reconnects a crashed stdio server: HEALTHY → RECONNECTING → HEALTHY', async () => {
    supervisor = new Supervisor({ services: [{ name: 'flaky', transport: stdioServer(['--crash-after', '300']), lifecycle: fast }] });
    const transitions = track(supervisor);
    supervisor.start();
    // The crash of a HEALTHY connection, then a reconnect after it (on a slow machine a crash may also
    // hit a connect still listing tools, which goes INITIALIZING → RECONNECTING first).
    const lostAt = () => transitions.findIndex((t) => t.service === 'flaky' && t.from === 'HEALTHY' && t.to === 'RECONNECTING');
    await eventually(
      () => lostAt() >= 0 && transitions.slice(lostAt()).some((t) => t.from === 'RECONNECTING' && t.to === 'HEALTHY'),
      10_000,
      'the crashed server is reconnected',
    );
    expect(transitions[lostAt()]?.reason).toMatch(/connection lost: .*exit/i);
  });

  it('adds, stops, restarts and removes a running service, leaving no process behind', async () => {
    supervisor = new Supervisor({ services: [] }).start();
    const transitions = track(supervisor);
    supervisor.addService({ name: 'svc', transport: stdioServer(), lifecycle: fast });
    await supervisor.waitForService('svc', { timeoutMs: 10_000 });
    expect(descendantsOf().length).toBeGreaterThan(0);

    supervisor.stopService('svc');
    await supervisor.waitForService('svc', { states: ['DISCONNECTED'], timeoutMs: 10_000 });
    await eventually(() => descendantsOf().length === 0, 10_000, 'the stopped server is gone');
    await expect(supervisor.callTool('svc', 'echo', { text: 'x' })).rejects.toBeInstanceOf(ServiceUnavailableError);

    supervisor.restartService('svc');
    await supervisor.waitForService('svc', { timeoutMs: 10_000 });
    await supervisor.removeService('svc');
    expect(supervisor.listServices()).toEqual([]);
    await eventually(() => descendantsOf().length === 0, 10_000, 'the removed server is gone');
    expect(transitions.map((t) => t.to)).toEqual([
      'INITIALIZING', 'HEALTHY', 'DISCONNECTING', 'DISCONNECTED', 'INITIALIZING', 'HEALTHY', 'DISCONNECTING', 'DISCONNECTED', 'REMOVED',
    ]);
  });

  it('shows the server pid and its last stderr lines, secrets redacted, in getServiceInfo', async () => {
    supervisor = new Supervisor({
      services: [{ name: 'svc', transport: stdioServer(['--print-env', 'API_TOKEN'], { API_TOKEN: 'hunter2-secret' }), lifecycle: fast }],
    }).start();
    await supervisor.waitForService('svc', { timeoutMs: 10_000 });
    await eventually(() => (supervisor?.getServiceInfo('svc').diagnostics?.stderrTail.length ?? 0) > 0, 10_000, 'stderr is captured');
    const info = supervisor.getServiceInfo('svc');
    expect(info.diagnostics?.pid).toEqual(expect.any(Number));
    expect(info.diagnostics?.stderrTail.join('\n')).toMatch(/API_TOKEN=\S+/);
    expect(JSON.stringify(info)).not.toContain('hunter2-secret');
  });

  it.each([
    ['legacy', stdioServer],
    ['modern', modernStdioServer],
  ] as const)('bounds a slow tool call by its timeout (%s server)', async (_, server) => {
    supervisor = new Supervisor({ services: [{ name: 'svc', transport: server(), lifecycle: fast }] }).start();
    await supervisor.waitForService('svc', { timeoutMs: 10_000 });
    const error = await supervisor.callTool('svc', 'sleep', { ms: 5_000 }, { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolCallTimeoutError);
    expect((error as Error).message).toBe("call of 'sleep' on service 'svc' timed out after 200 ms — raise timeoutMs if the tool is slow");
  });

  it.each([
    ['legacy', stdioServer],
    ['modern', modernStdioServer],
  ] as const)('rejects a call in flight with ConnectionLostError when the server exits (%s server)', async (_, server) => {
    supervisor = new Supervisor({ services: [{ name: 'svc', transport: server(), lifecycle: fast }] }).start();
    await supervisor.waitForService('svc', { timeoutMs: 10_000 });
    const error = await supervisor.callTool('svc', 'exit', { code: 3 }, { timeoutMs: 15_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as Error).message).toMatch(/^connection lost: the server process exited with code 3/);
  });

  it('stop() takes every service to DISCONNECTED and leaves no child process, even a SIGTERM-ignoring one', async () => {
    supervisor = new Supervisor({
      services: [
        { name: 'a', transport: stdioServer(), lifecycle: { ...fast, disconnectTimeout: 1_000 } },
        { name: 'stubborn', transport: stdioServer(['--ignore-sigterm', '--ignore-stdin-close', '--grandchild']), lifecycle: { ...fast, disconnectTimeout: 1_000 } },
      ],
    });
    const transitions = track(supervisor);
    supervisor.start();
    await supervisor.waitForService('a', { timeoutMs: 10_000 });
    await supervisor.waitForService('stubborn', { timeoutMs: 10_000 });
    await supervisor.stop();
    supervisor = null;
    expect(transitions.filter((t) => t.to === 'DISCONNECTED').map((t) => t.service).sort()).toEqual(['a', 'stubborn']);
    await eventually(() => descendantsOf().length === 0, 10_000, 'every server process is gone');
  });
});
