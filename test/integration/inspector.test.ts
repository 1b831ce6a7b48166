// The Stately inspector bridge, received over a real loopback WebSocket.

import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { InspectorPortInUseError, startInspector } from '../../src/supervisor/inspector.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { inMemoryLayer } from '../support/service-harness.js';

const run = promisify(execFile);

describe('Stately inspector bridge', () => {
  it('streams the supervisor and service statecharts to a WebSocket client on 127.0.0.1', async () => {
    const bridge = await startInspector();
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new WebSocket(bridge.webSocketUrl);
    type Message = { type: string; snapshot?: { value?: unknown }; name?: string };
    const messages: Message[] = [];
    // ws hands text frames over as a Buffer (its default binaryType, 'nodebuffer').
    client.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8')) as Message));
    await new Promise((resolve) => client.once('open', resolve));

    const supervisor = new Supervisor(
      { services: [{ name: 'demo', transport: { type: 'stdio', command: 'node', args: [], env: { SECRET: 'hunter2' } } }] },
      { connections: inMemoryLayer(), inspect: bridge.inspect },
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

  /** Opens a WebSocket to the bridge as a page of `origin` would; resolves with the HTTP status of a refusal, or 'open'. */
  const connectFrom = (url: string, origin: string | undefined) =>
    new Promise<number | 'open'>((resolve, reject) => {
      const client = new WebSocket(url, origin === undefined ? {} : { origin });
      client.once('open', () => {
        client.terminate();
        resolve('open');
      });
      client.once('unexpected-response', (_, response) => {
        resolve(response.statusCode ?? 0);
        client.terminate();
      });
      client.once('error', (error) => reject(error));
    });

  it('accepts a WebSocket from the Stately inspector’s site, the bridge’s own page or a non-browser client', async () => {
    const bridge = await startInspector();
    const port = new URL(bridge.url).port;
    try {
      for (const origin of ['https://stately.ai', bridge.url, `http://localhost:${port}`, `http://[::1]:${port}`, undefined]) {
        expect(await connectFrom(bridge.webSocketUrl, origin), String(origin)).toBe('open');
      }
    } finally {
      await bridge.stop();
    }
  });

  it('refuses (403) a WebSocket from any other web page', async () => {
    const bridge = await startInspector();
    try {
      // A page of another program on this machine (another loopback port) is another site too.
      const elsewhere = `http://127.0.0.1:${Number(new URL(bridge.url).port) + 1}`;
      for (const origin of ['https://evil.example', 'https://stately.ai.evil.example', 'http://127.0.0.1.nip.io', 'http://localhost:3000', elsewhere, 'null', 'file://']) {
        expect(await connectFrom(bridge.webSocketUrl, origin), origin).toBe(403);
      }
    } finally {
      await bridge.stop();
    }
  });

  it('listens on the port asked for, and says when it is in use', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const error = await startInspector({ port }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InspectorPortInUseError);
      expect((error as Error).message).toBe(
        `the Stately inspector bridge cannot listen on 127.0.0.1:${port}: the port is in use; pick another port, or 0 for a free one`,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const bridge = await startInspector({ port });
    expect(bridge.url).toBe(`http://127.0.0.1:${port}`);
    await bridge.stop();
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
