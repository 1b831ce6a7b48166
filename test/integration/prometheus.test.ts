// A real Prometheus scrapes the operators' /metrics of a supervisor running a real MCP server, and its
// HTTP API shows a state change; promtool checks and unit-tests the example alerting rules. Prometheus
// and promtool come from the Debian package `prometheus` (.ci/run installs it).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { observedSupervisor } from '../../src/observe/observed-supervisor.js';
import { startOperatorHttp } from '../../src/observe/operator-http.js';
import { TEST_SERVER } from '../fixtures/test-servers.js';
import { REPO_ROOT } from '../support/cli-process.js';

function onPath(binary: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const PROMETHEUS = onPath('prometheus');
const PROMTOOL = onPath('promtool');
const RULES = path.join(REPO_ROOT, 'config/examples/prometheus-alerts.yaml');
const RULE_TESTS = path.join(REPO_ROOT, 'test/fixtures/prometheus/alerts.test.yaml');

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-prometheus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `probe` every 250 ms until it returns a value, for at most `limitMs`. */
async function eventually<T>(probe: () => Promise<T | undefined>, limitMs: number, what: string): Promise<T> {
  const deadline = Date.now() + limitMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what} did not happen within ${limitMs} ms${last instanceof Error ? `: ${last.message}` : ''}`);
}

interface QueryAnswer {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe.skipIf(PROMTOOL === null)(`the example alerting rules${PROMTOOL === null ? ' (skipped: promtool not found; apt-get install prometheus)' : ''}`, () => {
  it('pass promtool check rules', () => {
    expect(execFileSync(PROMTOOL ?? 'promtool', ['check', 'rules', RULES], { encoding: 'utf8' })).toContain('SUCCESS: 2 rules found');
  });

  it('fire on WARNING, RECONNECTING and UNREACHABLE, and after five minutes UNREACHABLE (promtool test rules)', () => {
    expect(execFileSync(PROMTOOL ?? 'promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});

describe.skipIf(PROMETHEUS === null)(`a real Prometheus${PROMETHEUS === null ? ' (skipped: prometheus not found; apt-get install prometheus)' : ''}`, () => {
  it('scrapes /metrics and sees a service change state', { timeout: 90_000 }, async () => {
    const yaml = `services:\n  files:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(TEST_SERVER)}]\n`;
    const config = parseConfig(yaml, { file: path.join(dir, 'fleet.yaml') });
    const { supervisor, metrics } = observedSupervisor(config, { version: 'test' });
    const http = await startOperatorHttp({
      settings: { listen: { host: '127.0.0.1', port: 0 }, token: null, readiness: 'critical' },
      fleet: supervisor,
      metrics,
      critical: () => new Set(),
    });
    const target = new URL(http.listener.url).host;
    const promPort = await freePort();
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: [${JSON.stringify(RULES)}]\n` +
        `scrape_configs:\n  - job_name: mcp-supervisor\n    static_configs:\n      - targets: ['${target}']\n`,
    );
    let prometheus: ChildProcess | null = null;
    try {
      supervisor.start();
      await supervisor.waitForService('files', { timeoutMs: 30_000 });
      prometheus = spawn(
        PROMETHEUS ?? 'prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let log = '';
      prometheus.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4_000)));
      const api = `http://127.0.0.1:${promPort}`;
      const query = async (expr: string) => {
        const answer = (await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as QueryAnswer;
        return answer.data.result;
      };
      const stateIs = (state: string) => async () => {
        const result = await query(`mcp_supervisor_service_state{service="files",state="${state}"} == 1`);
        return result.length === 1 ? result : undefined;
      };
      await eventually(stateIs('HEALTHY'), 60_000, `Prometheus scraping HEALTHY (its log: ${log})`);

      supervisor.stopService('files');
      await supervisor.waitForService('files', { states: ['DISCONNECTED'], timeoutMs: 30_000 });
      await eventually(stateIs('DISCONNECTED'), 30_000, 'Prometheus seeing DISCONNECTED');
      const moved = await query('mcp_supervisor_service_transitions_total{service="files",from="DISCONNECTING",to="DISCONNECTED",cause="manual_stop"}');
      expect(moved.map((sample) => sample.value[1])).toEqual(['1']);
      const targets = (await (await fetch(`${api}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
      expect(targets.data.activeTargets.map((entry) => entry.health)).toEqual(['up']);
    } finally {
      prometheus?.kill('SIGTERM');
      if (prometheus && prometheus.exitCode === null) await new Promise((resolve) => prometheus?.once('exit', resolve));
      await supervisor.stop();
      await http.close();
    }
  });
});
