// The operators' HTTP listener on loopback: its three paths, the token, the loopback gate, mounted
// handlers, and a CLI run that serves real metrics of the demo fleet.

import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventLoopWatch } from '../../src/observe/event-loop-watch.js';
import { OperatorListener, OperatorListenerError, type OperatorListenerOptions } from '../../src/observe/operator-listener.js';
import { CliProcess } from '../support/cli-process.js';

const opened: OperatorListener[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((listener) => listener.close()));
});

interface Answer {
  status: number;
  body: string;
  type: string | undefined;
}

/** A request with any headers (fetch would not let a test set Host). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, type: response.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

let ready = false;
async function listen(options: Partial<OperatorListenerOptions> = {}): Promise<OperatorListener> {
  const listener = await OperatorListener.start({
    listen: { host: '127.0.0.1', port: 0 },
    metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: () => Promise.resolve('mcp_supervisor_up 1\n') },
    readiness: () => ({ ready, waitingFor: ready ? [] : ['files'] }),
    liveness: { responsive: () => true, recentDelayMs: () => 3 },
    ...options,
  });
  opened.push(listener);
  return listener;
}

describe('the operators\' listener', () => {
  it('serves /metrics, /healthz and /readyz', async () => {
    ready = false;
    const listener = await listen();
    expect(listener.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const metrics = await get(`${listener.url}/metrics`);
    expect(metrics).toMatchObject({ status: 200, body: 'mcp_supervisor_up 1\n' });
    expect(metrics.type).toContain('text/plain');
    expect(JSON.parse((await get(`${listener.url}/healthz`)).body)).toEqual({ status: 'ok', eventLoopDelayMs: 3 });
    const notReady = await get(`${listener.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ status: 'not ready', waitingFor: ['files'] });
    ready = true;
    expect((await get(`${listener.url}/readyz`)).status).toBe(200);
    expect((await get(`${listener.url}/nope`)).status).toBe(404);
    expect((await get(`${listener.url}/metrics`, {}, 'POST')).status).toBe(405);
  });

  it('says unhealthy when the event loop is not responsive', async () => {
    const listener = await listen({ liveness: { responsive: () => false, recentDelayMs: () => 7_000 } });
    const health = await get(`${listener.url}/healthz`);
    expect(health.status).toBe(503);
    expect(JSON.parse(health.body)).toEqual({ status: 'event loop unresponsive', eventLoopDelayMs: 7_000 });
  });

  it('with a token, requires it on every path but /healthz', async () => {
    const listener = await listen({ token: 's3cret-token' });
    expect((await get(`${listener.url}/metrics`)).status).toBe(401);
    expect((await get(`${listener.url}/readyz`)).status).toBe(401);
    expect((await get(`${listener.url}/metrics`, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await get(`${listener.url}/metrics`, { Authorization: 'Bearer s3cret-token' })).status).toBe(200);
    expect((await get(`${listener.url}/healthz`)).status).toBe(200);
    const refused = await get(`${listener.url}/metrics`);
    expect(refused.body).not.toContain('s3cret-token');
  });

  it('refuses requests addressed to another host name, or from another site\'s page', async () => {
    const listener = await listen();
    expect((await get(`${listener.url}/metrics`, { Host: 'attacker.example:80' })).status).toBe(421);
    expect((await get(`${listener.url}/metrics`, { Origin: 'https://attacker.example' })).status).toBe(403);
    expect((await get(`${listener.url}/metrics`, { Origin: 'http://localhost:3000' })).status).toBe(200);
  });

  it('hands the requests of a mounted path to its handler, behind the same gate', async () => {
    const listener = await listen({ token: 'mount-token' });
    listener.mount('/mcp', (req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`mounted ${req.method ?? ''} ${req.url ?? ''}`);
    });
    expect((await get(`${listener.url}/mcp`)).status).toBe(401);
    const answer = await get(`${listener.url}/mcp/session`, { Authorization: 'Bearer mount-token' }, 'POST');
    expect(answer).toMatchObject({ status: 200, body: 'mounted POST /mcp/session' });
    expect(() => listener.mount('/metrics', () => undefined)).toThrow(OperatorListenerError);
    expect(() => listener.mount('/mcp', () => undefined)).toThrow(/already served/);
    expect(() => listener.mount('mcp/x', () => undefined)).toThrow(/one segment/);
  });

  it('leaves a mount that guards itself ungated: its own Origin and token rules decide', async () => {
    const listener = await listen({ token: 'listener-token' });
    listener.mount('/mcp', (req, res) => {
      res.writeHead(req.headers.authorization === 'Bearer its-own' ? 200 : 401, { 'Content-Type': 'text/plain' });
      res.end(`origin ${req.headers.origin ?? 'none'}`);
    }, { guardsItself: true });
    const answer = await get(`${listener.url}/mcp`, { Authorization: 'Bearer its-own', Origin: 'https://app.example' });
    expect(answer).toMatchObject({ status: 200, body: 'origin https://app.example' });
    expect((await get(`${listener.url}/mcp`, { Authorization: 'Bearer listener-token' })).status).toBe(401);
    expect((await get(`${listener.url}/metrics`, { Authorization: 'Bearer its-own' })).status).toBe(401);
  });

  it('refuses to listen beyond loopback without a token, and says when the port is in use', async () => {
    await expect(listen({ listen: { host: '0.0.0.0', port: 0 } })).rejects.toThrow(/without a token/);
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      await expect(listen({ listen: { host: '127.0.0.1', port } })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    } finally {
      busy.close();
    }
  });
});

describe('EventLoopWatch', () => {
  it('reports a loop blocked for longer than its bound', async () => {
    const watch = new EventLoopWatch({ maxDelayMs: 1 });
    try {
      // Let the monitor take a sample, then hold the loop well past the 1 ms bound.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = performance.now() + 100;
      while (performance.now() < until) {
        // busy: the loop is blocked
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(watch.recentDelayMs()).toBeGreaterThan(1);
      expect(watch.responsive()).toBe(false);
    } finally {
      watch.stop();
    }
  });
});

describe('mcp-supervisor run --http', () => {
  it('prints the address it picked and serves the fleet\'s metrics and readiness', async () => {
    const cli = new CliProcess(['run', 'config/services.yaml', '--log', '--no-watch', '--http', '127.0.0.1:0']);
    try {
      const [, url] = await cli.waitFor(/operators' endpoints on (http:\/\/127\.0\.0\.1:\d+): \/metrics, \/healthz, \/readyz/, 15_000, 'stderr');
      await cli.waitFor(/steady\s+INITIALIZING → HEALTHY/, 15_000);
      let metrics = '';
      for (let tries = 0; tries < 100 && !/mcp_supervisor_service_state\{service="steady",agent="",state="HEALTHY"\} 1/.test(metrics); tries++) {
        metrics = (await get(`${url}/metrics`)).body;
        if (!metrics.includes('state="HEALTHY"} 1')) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(metrics).toMatch(/mcp_supervisor_service_state\{service="steady",agent="",state="HEALTHY"\} 1/);
      expect(metrics).toContain('mcp_supervisor_service_transitions_total{service="steady",agent="",from="INITIALIZING",to="HEALTHY",cause="connected"} 1');
      expect(metrics).toContain('process_cpu_seconds_total');
      expect(metrics).toContain('nodejs_eventloop_lag_seconds');
      // The demo fleet marks no service critical: ready once it runs.
      expect((await get(`${url}/readyz`)).status).toBe(200);
      expect((await get(`${url}/healthz`)).status).toBe(200);
      cli.child.kill('SIGTERM');
      expect(await cli.exit(15_000)).toEqual({ code: 0, signal: null });
    } finally {
      cli.killAll();
    }
  });

  it('refuses an address other machines could reach without a token', async () => {
    const cli = new CliProcess(['run', 'config/services.yaml', '--log', '--no-watch', '--http', '0.0.0.0:0']);
    try {
      expect(await cli.exit(15_000)).toEqual({ code: 1, signal: null });
      expect(cli.stderr).toMatch(/--http 0\.0\.0\.0:0: other machines could reach this address, so it needs a token/);
    } finally {
      cli.killAll();
    }
  });
});
