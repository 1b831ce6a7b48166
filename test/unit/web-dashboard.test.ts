// The web dashboard's server side on a real listener over a fleet in virtual time: the live stream (the
// fleet once, then only what changed), the service detail and statechart, the token-free page, and
// the action guard (read-only without a token, the token required with one, Origin checked).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OperatorListener } from '../../src/observe/operator-listener.js';
import { Supervisor, type ServiceSpec } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { mountDashboard } from '../../src/web/dashboard.js';
import { READ_ONLY_REFUSAL } from '../../src/web/dashboard-actions.js';
import type { StatechartLayout, StreamMessage } from '../../src/web/wire.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const stdio = (name: string): ServiceSpec => ({ name, transport: { type: 'stdio', command: 'node', args: [`${name}.js`], env: { API_KEY: 'hunter2' } } });

async function dashboardOn(services: number, token: string | null = null) {
  const clock = new VirtualClock(1_700_000_000_000);
  const connections = inMemoryLayer(clock);
  const supervisor = new Supervisor({ services: Array.from({ length: services }, (_, index) => stdio(`s${index}`)) }, { connections, clock, random: () => 0.5 });
  const listener = await OperatorListener.start({
    listen: { host: '127.0.0.1', port: 0 },
    token,
    metrics: { contentType: 'text/plain', metrics: () => Promise.resolve('') },
    readiness: () => ({ ready: true, waitingFor: [] }),
    liveness: { responsive: () => true, recentDelayMs: () => 0 },
  });
  const assetsDir = mkdtempSync(path.join(tmpdir(), 'dashboard-assets-'));
  writeFileSync(path.join(assetsDir, 'index.html'), '<!doctype html><title>page</title>');
  const dashboard = mountDashboard(listener, supervisor, { readOnly: token === null, stream: { flushMs: 0 }, assetsDir, now: () => clock.now() });
  cleanups.push(() => supervisor.stop(), () => listener.close(), () => dashboard.close());
  // Mounted before the start, as run and serve do, so the history holds the first transitions.
  supervisor.start();
  await flush();
  return { supervisor, connections, clock, url: listener.url, advance: (ms: number) => clock.advance(ms), advanceUntil: (predicate: () => boolean, limitMs: number) => clock.advanceUntil(predicate, limitMs) };
}

interface Answer {
  status: number;
  body: string;
  headers: IncomingMessage['headers'];
}

function call(url: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The live stream's messages as they arrive, and a wait for one that matches. */
function openStream(url: string, headers: Record<string, string> = {}) {
  const messages: StreamMessage[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  const req = request(`${url}/api/events`, { headers }, (response) => {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (event.startsWith('data: ')) messages.push(JSON.parse(event.slice(6)) as StreamMessage);
      }
      for (const waiter of waiters) waiter();
    });
  });
  req.end();
  cleanups.push(() => void req.destroy());
  const waitFor = (predicate: (message: StreamMessage) => boolean, what: string) =>
    new Promise<StreamMessage>((resolve, reject) => {
      const check = () => {
        const found = messages.find(predicate);
        if (found === undefined) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
      };
      const timer = setTimeout(() => reject(new Error(`no ${what} on the stream; got ${JSON.stringify(messages).slice(0, 2000)}`)), 15_000);
      waiters.add(check);
      check();
    });
  return { messages, waitFor };
}

describe('the live stream', () => {
  it('sends the whole fleet once, then only the services that changed, with their transitions', async () => {
    const f = await dashboardOn(200);
    const stream = openStream(f.url);
    const first = await stream.waitFor((message) => message.type === 'fleet', 'fleet message');
    expect(first).toMatchObject({ type: 'fleet', readOnly: true });
    if (first.type !== 'fleet') throw new Error('unreachable');
    expect(first.rows).toHaveLength(200);
    expect(first.rows[0]).toMatchObject({ key: 's0', state: 'HEALTHY', priority: 'normal', totalFailures: 0, reconnects: 0 });
    // The transitions from before the page connected come with the fleet.
    expect(first.transitions.filter((transition) => transition.service === 's7').map((transition) => transition.to)).toEqual(['INITIALIZING', 'HEALTHY']);

    f.connections.loseConnection('process exited with code 1', 's7');
    await f.advance(1);
    await stream.waitFor((message) => message.type === 'changes' && message.transitions.some((transition) => transition.to === 'RECONNECTING'), 's7 RECONNECTING');
    const changes = stream.messages.filter((message) => message.type === 'changes');
    expect(new Set(changes.flatMap((message) => message.rows.map((row) => row.key)))).toEqual(new Set(['s7']));
    expect(changes.flatMap((message) => message.transitions)[0]).toMatchObject({ service: 's7', from: 'HEALTHY', to: 'RECONNECTING', cause: 'connection_lost' });
  });

  it('carries each service\'s counters since the start, which a recovery does not reset', async () => {
    const f = await dashboardOn(2);
    const stream = openStream(f.url);
    await stream.waitFor((message) => message.type === 'fleet', 'fleet message');
    f.connections.loseConnection('process exited with code 1', 's1');
    await f.advanceUntil(() => f.supervisor.getServiceInfo('s1').state === 'HEALTHY', 60_000);
    await f.advance(10_000);
    const recovered = await stream.waitFor(
      (message) => message.rows.some((row) => row.key === 's1' && row.state === 'HEALTHY' && row.reconnects === 1 && row.lastIncident?.kind === 'connection_lost'),
      's1 HEALTHY with one reconnect counted',
    );
    expect(recovered.rows.find((row) => row.key === 's1')).toMatchObject({ consecutiveFailures: 0, reconnects: 1 });
  });

  it('says when a service is removed', async () => {
    const f = await dashboardOn(3);
    const stream = openStream(f.url);
    await stream.waitFor((message) => message.type === 'fleet', 'fleet message');
    await f.supervisor.removeService('s1');
    await stream.waitFor((message) => message.type === 'changes' && message.removed.includes('s1'), 's1 removed');
  });

  it('requires the token when one is configured', async () => {
    const f = await dashboardOn(1, 'sesame');
    expect((await call(`${f.url}/api/events`)).status).toBe(401);
    const stream = openStream(f.url, { Authorization: 'Bearer sesame' });
    expect(await stream.waitFor((message) => message.type === 'fleet', 'fleet message')).toMatchObject({ readOnly: false });
  });
});

describe('the page, the detail and the statechart', () => {
  it('serves the page without the token, and the fleet data only with it', async () => {
    const f = await dashboardOn(1, 'sesame');
    const page = await call(`${f.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await call(`${f.url}/api/services/s0`)).status).toBe(401);
    expect((await call(`${f.url}/metrics`)).status).toBe(401);
    expect((await call(`${f.url}/nowhere`)).status).toBe(404);
    const detail = await call(`${f.url}/api/services/s0`, { headers: { Authorization: 'Bearer sesame' } });
    const body = JSON.parse(detail.body) as { service: { key: string; tools: unknown[]; config: { transport: { env: Record<string, string> } } }; transitions: { to: string }[] };
    expect(body.service.key).toBe('s0');
    expect(body.service.tools.length).toBeGreaterThan(0);
    expect(detail.body).not.toContain('hunter2');
    expect(body.transitions.map((transition) => transition.to)).toEqual(['INITIALIZING', 'HEALTHY']);
  });

  it('lays out every state of the service machine, with an arrow for each edge of its diagram', async () => {
    const f = await dashboardOn(1);
    const layout = JSON.parse((await call(`${f.url}/api/statechart`)).body) as StatechartLayout;
    expect(layout.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE', 'DISCONNECTING', 'DISCONNECTED']));
    for (const node of layout.nodes) {
      expect(node.x).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width).toBeLessThanOrEqual(layout.width);
    }
    for (const edge of layout.edges) {
      expect(edge.points.length).toBeGreaterThan(1);
      for (const point of edge.points) expect(point.x).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('the actions', () => {
  it('are refused without a token configured: the dashboard is read-only', async () => {
    const f = await dashboardOn(1);
    const answer = await call(`${f.url}/api/services/s0/restart`, { method: 'POST' });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ ok: false, message: READ_ONLY_REFUSAL });
    await flush();
    expect(f.supervisor.getServiceInfo('s0').state).toBe('HEALTHY');
  });

  it('need the token when one is configured, and then act', async () => {
    const f = await dashboardOn(1, 'sesame');
    expect((await call(`${f.url}/api/services/s0/stop`, { method: 'POST' })).status).toBe(401);
    expect((await call(`${f.url}/api/services/s0/stop`, { method: 'POST', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);
    const auth = { Authorization: 'Bearer sesame' };
    const stopped = await call(`${f.url}/api/services/s0/stop`, { method: 'POST', headers: auth });
    expect(stopped.status).toBe(202);
    await f.supervisor.waitForService('s0', { states: ['DISCONNECTED'] });
    const started = await call(`${f.url}/api/services/s0/start`, { method: 'POST', headers: auth });
    expect(JSON.parse(started.body)).toEqual({ ok: true, message: 's0: start requested' });
    await f.supervisor.waitForService('s0');
    const again = await call(`${f.url}/api/services/s0/start`, { method: 'POST', headers: auth });
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body)).toEqual({ ok: false, message: 's0 is not stopped: start applies to a DISCONNECTED service (use restart)' });
  });

  it('answer what went wrong: an unknown service, an unknown action, a GET', async () => {
    const f = await dashboardOn(1, 'sesame');
    const auth = { Authorization: 'Bearer sesame' };
    expect((await call(`${f.url}/api/services/ghost/restart`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await call(`${f.url}/api/services/s0/explode`, { method: 'POST', headers: auth })).status).toBe(404);
    expect((await call(`${f.url}/api/services/s0/restart`, { headers: auth })).status).toBe(405);
  });

  it('refuse a request from another site\'s page, token or not', async () => {
    const f = await dashboardOn(1, 'sesame');
    const headers = { Authorization: 'Bearer sesame', Origin: 'https://attacker.example' };
    expect((await call(`${f.url}/api/services/s0/restart`, { method: 'POST', headers })).status).toBe(403);
    expect((await call(`${f.url}/api/events`, { headers })).status).toBe(403);
    expect((await call(`${f.url}/`, { headers: { Origin: 'https://attacker.example' } })).status).toBe(403);
    // The page's own origin is let through.
    const own = await call(`${f.url}/api/services/s0/reconnect`, { method: 'POST', headers: { Authorization: 'Bearer sesame', Origin: f.url } });
    expect(own.status).toBe(202);
  });
});
