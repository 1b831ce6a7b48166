// `npm run conformance`: the official MCP conformance suite against its reference server, directly
// and through the gateway (`mcp-supervisor serve --http`, the reference server as its one service,
// names not prefixed), with the gateway's connection to it negotiated (2026-07-28, which the reference
// server, built on SDK v1, speaks only in part) and pinned to the 2025 handshake (`protocol: legacy`):
// the figures side by side. A transparent gateway reproduces the reference server's own.
//
//   npm run conformance              harness from $MCP_CONFORMANCE_DIR, else ../shared/conformance or ../../shared/conformance
//
// Not part of `npm test`: the suite takes minutes and installs itself on its first run.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const START_MS = 60_000;

function harness(): string {
  const candidates = [process.env.MCP_CONFORMANCE_DIR, path.resolve(REPO, '../shared/conformance'), path.resolve(REPO, '../../shared/conformance')];
  const found = candidates.find((dir) => dir !== undefined && existsSync(path.join(dir, 'run.sh')));
  if (!found) throw new Error(`no conformance harness (run.sh) in ${candidates.filter(Boolean).join(', ')}: set MCP_CONFORMANCE_DIR`);
  return found;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

const children = new Set<ChildProcess>();

function start(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): ChildProcess & { output: () => string } {
  // Its own process group, so that the reference server's tsx child ends with it.
  const child = spawn(command, args, { cwd: REPO, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return Object.assign(child, { output: () => output });
}

function stopAll() {
  for (const child of children) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  }
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + START_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${START_MS / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } }),
    });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Runs the suite (both runs of `run.sh test`) against `url`; resolves with its output. */
function suite(dir: string, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = start(path.join(dir, 'run.sh'), ['test', url]);
    child.once('exit', () => resolve(child.output()));
    child.once('error', reject);
  });
}

interface Figures {
  legacy: string;
  modern: string;
  scenarios: Map<string, string>;
}

/** The two `Total:` lines and each scenario's line, keyed by run and scenario. */
function figures(output: string): Figures {
  const [legacyPart = '', modernPart = ''] = output.split('== 2026-07-28 requirements');
  const total = (part: string) => /Total: (.*)/.exec(part)?.[1] ?? 'no total (the run failed)';
  const scenarios = new Map<string, string>();
  for (const [run, part] of [['legacy', legacyPart], ['2026-07-28', modernPart]] as const) {
    for (const match of part.matchAll(/^([✓✗]) ([\w-]+(?: \([a-z]+\))?): (.*)$/gm)) scenarios.set(`${run} ${match[2]}`, `${match[1]} ${match[3]}`);
  }
  return { legacy: total(legacyPart), modern: total(modernPart), scenarios };
}

async function main() {
  const dir = harness();
  const referencePort = await freePort();
  const reference = start(path.join(dir, 'run.sh'), ['server', String(referencePort)]);
  const referenceUrl = `http://127.0.0.1:${referencePort}/mcp`;
  await waitFor(`the reference server on ${referenceUrl}\n${reference.output()}`, () => answers(referenceUrl));

  console.log(`reference server: ${referenceUrl}`);
  const gateways: { label: string; url: string }[] = [];
  for (const protocol of ['auto', 'legacy'] as const) {
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-conformance-')), 'fleet.yaml');
    writeFileSync(config, `services:\n  reference:\n    url: ${referenceUrl}\n    transport: streamable-http\n    protocol: ${protocol}\ngateway:\n  namespace: none\n`);
    const gateway = start(process.execPath, ['--import', 'tsx', path.join(REPO, 'src/cli/main.ts'), 'serve', config, '--http', '127.0.0.1:0', '--no-watch']);
    let url = '';
    await waitFor(`the gateway's URL\n${gateway.output()}`, () => {
      url = /^mcp-supervisor gateway: (http:\S+)$/m.exec(gateway.output())?.[1] ?? '';
      return url !== '';
    });
    await waitFor(`the reference service HEALTHY behind the gateway\n${gateway.output()}`, () => / reference .*→ HEALTHY/.test(gateway.output()));
    const label = protocol === 'auto' ? 'gateway, backend negotiated (2026-07-28)' : 'gateway, backend `protocol: legacy`';
    console.log(`${label}: ${url}`);
    gateways.push({ label, url });
  }
  console.log('');
  const direct = figures(await suite(dir, referenceUrl));
  const through = [];
  for (const gateway of gateways) through.push({ ...gateway, figures: figures(await suite(dir, gateway.url)) });
  console.log(`| run | reference server | ${through.map((gateway) => gateway.label).join(' | ')} |\n|---|---|${through.map(() => '---|').join('')}`);
  console.log(`| legacy suite (2025-11-25) | ${direct.legacy} | ${through.map((gateway) => gateway.figures.legacy).join(' | ')} |`);
  console.log(`| --requirements 2026-07-28 | ${direct.modern} | ${through.map((gateway) => gateway.figures.modern).join(' | ')} |`);
  for (const gateway of through) {
    const keys = [...new Set([...direct.scenarios.keys(), ...gateway.figures.scenarios.keys()])];
    const differing = keys.filter((key) => direct.scenarios.get(key) !== gateway.figures.scenarios.get(key));
    console.log(`\n${gateway.label}: ${differing.length === 0 ? 'every scenario has the reference server’s figures' : 'scenarios whose figures differ from the reference server’s:'}`);
    for (const key of differing) console.log(`  ${key}: reference ${direct.scenarios.get(key) ?? '—'} · gateway ${gateway.figures.scenarios.get(key) ?? '—'}`);
  }
}

process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`conformance: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
