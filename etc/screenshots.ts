// Takes the README's screenshots of the web dashboard (docs/dashboard-*.png) from chromium, against the
// demo fleet started with a token, the flaky server crashing every few seconds so the page has
// something to show.
//
//   npm run screenshots      (needs chromium: apt-get install chromium)

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/support/browser.js';
import { CliProcess } from '../test/support/cli-process.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DOCS = path.join(ROOT, 'docs');
const TOKEN = 'screenshot-token';

const cli = new CliProcess(['run', 'config/services.yaml', '--http', '127.0.0.1:0', '--log'], { FLAKY_CRASH_AFTER_MS: '6000', MCP_SUPERVISOR_HTTP_TOKEN: TOKEN });
const browser = await launchChromium();
try {
  const [, url] = await cli.waitFor(/web dashboard at (http:\/\/127\.0\.0\.1:\d+)\//, 30_000, 'stderr');
  // A minute of the demo: the flaky server's crashes and reconnects, the slow one's warnings.
  await cli.waitFor(/flaky.*RECONNECTING → HEALTHY[\s\S]*flaky.*RECONNECTING → HEALTHY/, 60_000);
  const page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 900 });
  await page.goto(`${url}/#token=${TOKEN}`);
  await page.waitForSelector('.connection[data-status="live"]');
  // Browser-side conditions are strings: this file is compiled for Node, without the DOM's types.
  // Three response times on each sparkline, so the picture shows lines.
  await page.waitForFunction(`[...document.querySelectorAll('.sparkline')].filter((e) => /last ([3-9]|\\d\\d+) response/.test(e.getAttribute('aria-label'))).length === 3`, { timeout: 60_000 });
  await page.screenshot({ path: path.join(DOCS, 'dashboard-fleet.png') });

  await page.click('nav button:nth-child(2)');
  await page.waitForSelector('.timeline canvas');
  await page.screenshot({ path: path.join(DOCS, 'dashboard-timeline.png') });

  await page.goto(`${url}/#/service/flaky`);
  await page.waitForSelector('.statechart .state.current');
  await page.waitForSelector('[data-tool]');
  await page.click('[data-action="check"]');
  await page.waitForSelector('[data-testid="outcome"]');
  await page.screenshot({ path: path.join(DOCS, 'dashboard-service.png'), fullPage: true });

  await page.setViewport({ width: 360, height: 780 });
  await page.goto(`${url}/`);
  await page.waitForSelector('.service-row');
  await page.screenshot({ path: path.join(DOCS, 'dashboard-narrow.png') });
  console.log(`screenshots written to ${path.relative(ROOT, DOCS)}/dashboard-{fleet,timeline,service,narrow}.png`);
} finally {
  await browser.close();
  cli.child.kill('SIGTERM');
  await cli.exit(20_000).catch(() => cli.killAll());
}
