// The Stately inspector bridge, received over a real loopback WebSocket.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SimulatedClock } from 'xstate';
import { startInspector } from '../../src/supervisor/inspector.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { FakeConnections } from '../support/fake-connections.js';

const run = promisify(execFile);

describe('Stately inspector bridge', () => {
  it('streams the supervisor and service statecharts to a WebSocket client on 127.0.0.1', async () => {
    const bridge = await startInspector();
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new WebSocket(bridge.webSocketUrl);
    const messages: { type: string; snapshot?: { value?: unknown }; name?: string }[] = [];
    client.on('message', (data) => messages.push(JSON.parse(String(data))));
    await new Promise((resolve) => client.once('open', resolve));

    const supervisor = new Supervisor(
      { services: [{ name: 'demo', transport: { type: 'stdio', command: 'node', args: [], env: { SECRET: 'hunter2' } } }] },
      { connections: new FakeConnections(new SimulatedClock()), inspect: bridge.inspect },
    ).start();
    await supervisor.waitForService('demo', { timeoutMs: 5000 });
    await expect.poll(() => messages.some((m) => m.type === '@xstate.snapshot' && String(JSON.stringify(m.snapshot?.value)).includes('HEALTHY'))).toBe(true);
    expect(messages.some((m) => m.type === '@xstate.actor')).toBe(true);
    expect(JSON.stringify(messages)).not.toContain('hunter2');

    const page = await fetch(bridge.url).then((response) => response.text());
    expect(page).toContain(bridge.webSocketUrl);

    await supervisor.stop();
    await bridge.stop();
    await expect(fetch(bridge.url)).rejects.toThrow();
    client.terminate();
  });

  it('does not keep the process alive after stop()', async () => {
    const script = `
      import { startInspector } from './src/supervisor/inspector.ts';
      import { WebSocket } from 'ws';
      const bridge = await startInspector();
      const client = new WebSocket(bridge.webSocketUrl);
      await new Promise((resolve) => client.once('open', resolve));
      await bridge.stop();
      console.log('stopped');
    `;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      timeout: 15_000,
      cwd: process.cwd(),
    });
    expect(stdout.trim()).toBe('stopped');
  });
});
