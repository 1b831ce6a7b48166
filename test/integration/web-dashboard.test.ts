// The web dashboard in a real browser (Debian's chromium, driven by puppeteer-core) against the demo
// fleet run by the real CLI, its flaky server crashing every few seconds: three services shown, a badge
// that changes without a reload, a service's tools and statechart, the actions with and without a
// token, a wrong Origin, a narrow screen, and the page reconnecting by itself when the supervisor
// comes back. Every wait is for a condition on the page, never for a time.

import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { OperatorListener } from '../../src/observe/operator-listener.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { InMemoryConnections } from '../../src/testing/in-memory-connections.js';
import { mountDashboard } from '../../src/web/dashboard.js';
import { chromiumMissing, launchChromium } from '../support/browser.js';
import { CliProcess, REPO_ROOT } from '../support/cli-process.js';

const missing = chromiumMissing();
if (missing !== null) console.warn(`web dashboard browser tests skipped: ${missing}`);

const TOKEN = 'browser-test-token';
const WAIT = { timeout: 45_000 };

/** The demo fleet with the dashboard; `port` 0 picks a free one. */
async function startFleet(env: Record<string, string>, port = 0): Promise<{ cli: CliProcess; url: string }> {
  const cli = new CliProcess(['run', 'config/services.yaml', '--http', `127.0.0.1:${port}`, '--log'], { FLAKY_CRASH_AFTER_MS: '3000', ...env });
  const [, url] = await cli.waitFor(/web dashboard at (http:\/\/127\.0\.0\.1:\d+)\//, 30_000, 'stderr');
  return { cli, url: url ?? '' };
}

async function stopFleet(cli: CliProcess) {
  cli.child.kill('SIGTERM');
  await cli.exit(20_000).catch(() => cli.killAll());
}

/** A POST with any headers (a browser would not let a page set a foreign Origin). */
function post(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

// Conditions evaluated in the page are strings: this file is compiled for Node, without the DOM's types.
const rowState = (service: string) => `document.querySelector('.service-row[data-service="${service}"]')?.dataset.state`;
const textOf = (selector: string) => `document.querySelector('${selector}')?.textContent`;
const inPage = <T = unknown>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;

describe.skipIf(missing !== null)(`the web dashboard in chromium${missing === null ? '' : ` (skipped: ${missing})`}`, () => {
  let browser: Browser;

  beforeAll(async () => {
    // The page as the source says now (npm run build does the same).
    const built = spawnSync(process.execPath, ['--import', 'tsx', 'etc/build-web.ts'], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`the dashboard did not build:\n${built.stdout}${built.stderr}`);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('without a token (read-only)', () => {
    let fleet: { cli: CliProcess; url: string };
    let page: Page;
    beforeAll(async () => {
      fleet = await startFleet({ MCP_SUPERVISOR_HTTP_TOKEN: '' });
      page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${fleet.url}/`);
    }, 60_000);
    afterAll(async () => {
      await page?.close();
      if (fleet) await stopFleet(fleet.cli);
    }, 30_000);

    it('shows the three services of the demo fleet, live', async () => {
      await page.waitForSelector('.connection[data-status="live"]', WAIT);
      await page.waitForFunction(`document.querySelectorAll('.service-row').length === 3`, WAIT);
      const keys = await inPage<string[]>(page, `[...document.querySelectorAll('.service-row')].map((row) => row.dataset.service)`);
      expect(keys).toEqual(['steady', 'slow', 'flaky']);
      expect(await inPage(page, textOf('[data-testid="total"]'))).toBe('3');
    }, 60_000);

    it('turns the flaky badge RECONNECTING and back to HEALTHY without a reload', async () => {
      // A mark on the window: a reload would remove it.
      await page.evaluate(`window.__sameDocument = true`);
      await page.waitForFunction(`${rowState('flaky')} === 'RECONNECTING'`, { ...WAIT, polling: 'mutation' });
      expect(await inPage(page, textOf('.service-row[data-service="flaky"] .badge'))).toBe('RECONNECTING');
      await page.waitForFunction(`${rowState('flaky')} === 'HEALTHY'`, { ...WAIT, polling: 'mutation' });
      expect(await page.evaluate(`window.__sameDocument === true`)).toBe(true);
    }, 60_000);

    it('opens a service from the keyboard: its tools and its statechart with the current state marked', async () => {
      await page.focus('.service-row[data-service="steady"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('[data-tool]', WAIT);
      const tools = await inPage<string[]>(page, `[...document.querySelectorAll('[data-tool]')].map((item) => item.dataset.tool)`);
      expect(tools.length).toBeGreaterThan(0);
      await page.waitForSelector('.statechart .state.current', WAIT);
      expect(await inPage(page, `document.querySelector('.statechart .state.current').dataset.state`)).toBe('HEALTHY');
      expect(await inPage(page, `document.querySelectorAll('.statechart .state').length`)).toBe(7);
    }, 60_000);

    it('refuses restart, and says why on the page', async () => {
      await page.waitForSelector('[data-testid="read-only"]', WAIT);
      await page.click('[data-action="restart"]');
      await page.waitForSelector('[data-testid="outcome"].refused', WAIT);
      expect(await inPage(page, textOf('[data-testid="outcome"].refused'))).toContain('read-only: no token is configured');
    }, 60_000);

    it('refuses a request from another site (wrong Origin)', async () => {
      expect(await post(`${fleet.url}/api/services/steady/restart`, { Origin: 'https://attacker.example' })).toBe(403);
    });

    it('works on a 360 px screen: no sideways page scroll, the rows and the detail reachable', async () => {
      await page.setViewport({ width: 360, height: 740 });
      await page.goto(`${fleet.url}/`);
      await page.waitForFunction(`document.querySelectorAll('.service-row').length === 3`, WAIT);
      expect(await page.evaluate(`document.documentElement.scrollWidth <= window.innerWidth`)).toBe(true);
      await page.click('.service-row[data-service="slow"] th');
      await page.waitForSelector('.statechart .state.current', WAIT);
      expect(await page.evaluate(`document.documentElement.scrollWidth <= window.innerWidth`)).toBe(true);
      await page.setViewport({ width: 1280, height: 900 });
    }, 60_000);

    it('shows that it is reconnecting when the supervisor goes away, and goes live again when it is back', async () => {
      await page.goto(`${fleet.url}/`);
      await page.waitForSelector('.connection[data-status="live"]', WAIT);
      const port = new URL(fleet.url).port;
      await stopFleet(fleet.cli);
      await page.waitForSelector('.connection[data-status="reconnecting"]', WAIT);
      fleet = await startFleet({ MCP_SUPERVISOR_HTTP_TOKEN: '' }, Number(port));
      await page.waitForSelector('.connection[data-status="live"]', WAIT);
      await page.waitForFunction(`document.querySelectorAll('.service-row').length === 3`, WAIT);
    }, 90_000);
  });

  describe('with a token', () => {
    let fleet: { cli: CliProcess; url: string };
    let page: Page;
    beforeAll(async () => {
      fleet = await startFleet({ MCP_SUPERVISOR_HTTP_TOKEN: TOKEN });
      page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
    }, 60_000);
    afterAll(async () => {
      await page?.close();
      if (fleet) await stopFleet(fleet.cli);
    }, 30_000);

    it('asks for the token, then restarts a service and shows the outcome and the transition', async () => {
      await page.goto(`${fleet.url}/`);
      await page.waitForSelector('.connection[data-status="needs-token"]', WAIT);
      await page.type('.token input', TOKEN);
      await page.click('.token button[type="submit"]');
      await page.waitForSelector('.connection[data-status="live"]', WAIT);
      await page.waitForFunction(`${rowState('steady')} === 'HEALTHY'`, WAIT);
      await page.click('.service-row[data-service="steady"] th');
      await page.waitForSelector('[data-action="restart"]', WAIT);
      await page.click('[data-action="restart"]');
      await page.waitForSelector('[data-testid="outcome"].ok', WAIT);
      expect(await inPage(page, textOf('[data-testid="outcome"].ok'))).toContain('steady: restart requested');
      await page.waitForFunction(`[...document.querySelectorAll('.service-timeline .cause')].some((cause) => cause.textContent === 'manual_restart')`, WAIT);
    }, 90_000);
  });

  describe('a fleet of 1,000 services (in memory)', () => {
    it('draws only the rows in view, and reaches the last one by scrolling', async () => {
      const connections = new InMemoryConnections();
      const services = Array.from({ length: 1000 }, (_, index) => ({ name: `svc-${String(index).padStart(4, '0')}`, transport: { type: 'stdio' as const, command: 'node', args: ['x.js'], env: {} } }));
      const supervisor = new Supervisor({ services }, { connections });
      const listener = await OperatorListener.start({
        listen: { host: '127.0.0.1', port: 0 },
        metrics: { contentType: 'text/plain', metrics: () => Promise.resolve('') },
        readiness: () => ({ ready: true, waitingFor: [] }),
        liveness: { responsive: () => true, recentDelayMs: () => 0 },
      });
      const dashboard = mountDashboard(listener, supervisor, { readOnly: true });
      supervisor.start();
      const page = await browser.newPage();
      try {
        await page.setViewport({ width: 1280, height: 900 });
        await page.goto(`${listener.url}/`);
        await page.waitForFunction(`document.querySelector('[data-testid="total"]')?.textContent === '1000'`, WAIT);
        await page.waitForFunction(`[...document.querySelectorAll('.service-row')].every((row) => row.dataset.state === 'HEALTHY')`, WAIT);
        expect(await inPage(page, `document.querySelectorAll('.service-row').length`)).toBeLessThan(100);
        await page.evaluate(`document.querySelector('.table-scroller').scrollTop = 1e9`);
        await page.waitForSelector('.service-row[data-service="svc-0999"]', WAIT);
        expect(await inPage(page, `document.querySelectorAll('.service-row').length`)).toBeLessThan(100);
      } finally {
        await page.close();
        dashboard.close();
        await supervisor.stop();
        await listener.close();
        await connections.closeAll();
      }
    }, 90_000);
  });
});
