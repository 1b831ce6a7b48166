// Debian's chromium for the browser tests and the screenshots, driven by puppeteer-core (which never
// downloads a browser): where it is, why it is missing, and a launch that works as root in a container.

import { existsSync } from 'node:fs';
import puppeteer, { type Browser } from 'puppeteer-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's executable, or null when none is installed. */
export function chromiumPath(): string | null {
  return CANDIDATES.find((candidate): candidate is string => candidate !== undefined && candidate !== '' && existsSync(candidate)) ?? null;
}

/** Why the browser tests cannot run here (null: they can). */
export function chromiumMissing(): string | null {
  return chromiumPath() === null ? 'no chromium found (install it: apt-get install chromium, or set CHROMIUM_PATH); .ci/run installs it' : null;
}

export function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (executablePath === null) throw new Error(chromiumMissing() ?? 'no chromium');
  return puppeteer.launch({
    executablePath,
    headless: true,
    // --no-sandbox: the tests run as root in a container, where chromium's sandbox cannot start.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu', '--no-first-run', '--no-default-browser-check'],
  });
}
