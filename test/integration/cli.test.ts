// The real `mcp-supervisor` program, driven as a child process against the real demo servers: the
// demo fleet's flaky server crashes and is reconnected, Ctrl-C leaves no process behind, a second
// Ctrl-C forces the exit, hot reload and NDJSON output; and the one-shot commands' exit codes.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../fixtures/test-servers.js';
import { CliProcess, REPO_ROOT, runCli, stillRunning } from '../support/cli-process.js';

const running: CliProcess[] = [];
const start = (args: readonly string[], env?: Record<string, string>) => {
  const cli = new CliProcess(args, env);
  running.push(cli);
  return cli;
};
afterEach(() => {
  for (const cli of running.splice(0)) cli.killAll();
});

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-cli-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers = (cli: CliProcess) => cli.descendants().filter((entry) => entry.command.includes('.mjs'));

describe('mcp-supervisor run', () => {
  it('runs the demo fleet: the flaky server crashes, is reconnected, and Ctrl-C stops everything (exit 0)', async () => {
    const cli = start(['run', 'config/services.yaml', '--log', '--no-watch'], { FLAKY_CRASH_AFTER_MS: '1500' });
    await cli.waitFor(/^mcp-supervisor \S+: supervising 3 services from config\/services\.yaml \(Ctrl-C to stop\)$/m);
    for (const name of ['steady', 'slow', 'flaky']) {
      await cli.waitFor(new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3}  ${name}\\s+INITIALIZING → HEALTHY  connected with \\d tools  \\[since start: 0 failures, 0 reconnects, 0 crashes[^\\]]*\\]$`, 'm'));
    }
    const first = servers(cli);
    expect(first.map((entry) => entry.command).sort()).toEqual([
      expect.stringMatching(/examples\/servers\/flaky\.mjs --crash-after-ms 1500$/),
      expect.stringMatching(/examples\/servers\/slow\.mjs$/),
      expect.stringMatching(/examples\/servers\/steady\.mjs$/),
    ]);
    // Each server runs in its own process group, so a terminal's Ctrl-C reaches only the supervisor.
    for (const server of first) expect(server.pgid).toBe(server.pid);

    await cli.waitFor(/flaky\s+HEALTHY → RECONNECTING {2}connection lost: .*exited with code 1/);
    await cli.waitFor(/flaky\s+RECONNECTING → HEALTHY {2}reconnected with 3 tools/);
    const flakyAgain = servers(cli).find((entry) => entry.command.includes('flaky.mjs'));
    expect(flakyAgain?.pid).not.toBe(first.find((entry) => entry.command.includes('flaky.mjs'))?.pid);

    cli.child.kill('SIGINT');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toContain('SIGINT: stopping every service… (Ctrl-C again to force)');
    for (const name of ['steady', 'slow', 'flaky']) expect(cli.stdout).toMatch(new RegExp(`${name}\\s+DISCONNECTING → DISCONNECTED  supervisor stopped`));
    expect(cli.stdout).toMatch(/stopped: every service disconnected, no server process left\n$/);
    expect(stillRunning(cli.seen.values())).toEqual([]);
    expect(cli.stderr).toBe('');
  });

  it('traces each service\'s lifecycle as OpenTelemetry spans when the host registers an SDK', async () => {
    const preload = path.join(REPO_ROOT, 'test/fixtures/otel-span-log.mjs');
    const cli = start(['run', 'config/services.yaml', '--log', '--no-watch'], { NODE_OPTIONS: `--import ${preload}` });
    // Registration opens a service's span; reaching HEALTHY ends it, with each transition an event.
    for (const name of ['steady', 'slow']) {
      const [, json = '{}'] = await cli.waitFor(new RegExp(`^otel-span (\\{.*"service":"${name}".*\\})$`, 'm'), 30_000, 'stderr');
      expect(JSON.parse(json)).toEqual({ name: 'mcp_supervisor.service INITIALIZING', service: name, events: ['INITIALIZING', 'HEALTHY'] });
    }
    cli.child.kill('SIGINT');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('traces the lifecycle under `serve` too', async () => {
    const preload = path.join(REPO_ROOT, 'test/fixtures/otel-span-log.mjs');
    const cli = start(['serve', 'config/services.yaml', '--no-watch'], { NODE_OPTIONS: `--import ${preload}` });
    const [, json = '{}'] = await cli.waitFor(/^otel-span (\{.*"service":"steady".*\})$/m, 30_000, 'stderr');
    expect(JSON.parse(json)).toEqual({ name: 'mcp_supervisor.service INITIALIZING', service: 'steady', events: ['INITIALIZING', 'HEALTHY'] });
  }, 60_000);

  it('exits at once with 130 on a second Ctrl-C, killing a server that ignores stdin close and SIGTERM', async () => {
    const file = path.join(dir, 'stubborn.yaml');
    writeFileSync(
      file,
      `services:
  stubborn:
    command: node
    args: [test/fixtures/mcp-test-server.mjs, --ignore-sigterm, --ignore-stdin-close]
    cwd: ${JSON.stringify(REPO_ROOT)}
    disconnect_timeout: 20s
`,
    );
    // No window for a repeated delivery of the first Ctrl-C: the second signal is a second Ctrl-C, whenever it comes.
    const cli = start(['run', file, '--log', '--no-watch'], { MCP_SUPERVISOR_SAME_SIGNAL_MS: '0' });
    await cli.waitFor(/stubborn\s+INITIALIZING → HEALTHY/);
    const server = servers(cli);
    expect(server).toHaveLength(1);

    cli.child.kill('SIGINT');
    await cli.waitFor(/SIGINT: stopping every service/);
    await cli.waitFor(/stubborn\s+HEALTHY → DISCONNECTING/);
    cli.child.kill('SIGINT');
    // Forced (130), not the graceful stop, which would wait out the 20 s disconnect timeout and exit 0.
    expect(await cli.exit(30_000)).toEqual({ code: 130, signal: null });
    expect(cli.stdout).toContain('SIGINT again: forced exit; the servers still running were killed');
    expect(cli.stdout).not.toContain('DISCONNECTING → DISCONNECTED');
    await expect.poll(() => stillRunning(server), { timeout: 10_000 }).toEqual([]);
  });

  it('takes one Ctrl-C delivered twice at once (as under `npm start`) as one: a graceful stop, exit 0', async () => {
    const file = path.join(dir, 'twice.yaml');
    writeFileSync(file, `services:\n  one:\n    command: node\n    args: [examples/servers/steady.mjs]\n    cwd: ${JSON.stringify(REPO_ROOT)}\n`);
    // A window far longer than the two deliveries can be apart, however loaded the machine.
    const cli = start(['run', file, '--log', '--no-watch'], { MCP_SUPERVISOR_SAME_SIGNAL_MS: '60000' });
    await cli.waitFor(/one\s+INITIALIZING → HEALTHY/);
    cli.child.kill('SIGINT');
    cli.child.kill('SIGINT');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
    expect(cli.stdout).toContain('stopped: every service disconnected');
  });

  it('applies and rejects config edits live, with --json transitions on stdout and messages on stderr (SIGTERM: exit 0)', async () => {
    const file = path.join(dir, 'reload.yaml');
    const steady = (name: string) => `  ${name}:\n    command: node\n    args: [examples/servers/steady.mjs]\n    cwd: ${JSON.stringify(REPO_ROOT)}\n`;
    writeFileSync(file, `services:\n${steady('one')}`);
    const cli = start(['run', file, '--json']);
    await cli.waitFor(/"service":"one","agent":null,"from":"INITIALIZING","to":"HEALTHY"/);

    writeFileSync(file, `services:\n${steady('one')}${steady('two')}`);
    await cli.waitFor(/config reloaded from .*reload\.yaml: added two/, 10_000, 'stderr');
    await cli.waitFor(/"service":"two","agent":null,"from":"INITIALIZING","to":"HEALTHY"/);

    writeFileSync(file, `services:\n${steady('one')}  two: [oops\n`);
    await cli.waitFor(/config reload rejected, the running fleet is unchanged:\n.*\n.*reload\.yaml:\d+:\d+ YAML syntax/, 10_000, 'stderr');

    cli.child.kill('SIGTERM');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
    const transitions = cli.stdout.trim().split('\n').map((line) => JSON.parse(line) as { at: string; service: string; to: string });
    for (const transition of transitions) expect(new Date(transition.at).toISOString()).toBe(transition.at);
    expect(transitions.filter((transition) => transition.to === 'DISCONNECTED').map((transition) => transition.service).sort()).toEqual(['one', 'two']);
    expect(cli.stderr).toContain('SIGTERM: stopping every service');
    expect(stillRunning(cli.seen.values())).toEqual([]);
  });

  it('--inspect serves the Stately inspector bridge on 127.0.0.1 and prints its URL', async () => {
    const file = path.join(dir, 'inspect.yaml');
    writeFileSync(file, `services:\n  one:\n    command: node\n    args: [examples/servers/steady.mjs]\n    cwd: ${JSON.stringify(REPO_ROOT)}\n`);
    // bare --inspect before the config path: it picks a free port and does not take the path as its value
    const cli = start(['run', '--inspect', file, '--log', '--no-watch']);
    const [, url] = await cli.waitFor(/^Stately inspector: open (http:\/\/127\.0\.0\.1:\d+) in a browser$/m);
    await cli.waitFor(/one\s+INITIALIZING → HEALTHY/);
    const page = await fetch(url ?? '').then((response) => response.text());
    expect(page).toMatch(/new WebSocket\("ws:\/\/127\.0\.0\.1:\d+"\)/);
    cli.child.kill('SIGINT');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
    await expect(fetch(url ?? '')).rejects.toThrow();
  });

  it('--inspect=PORT serves the bridge on that port, and a port in use is an error that starts nothing (exit 1)', async () => {
    const file = path.join(dir, 'inspect-port.yaml');
    writeFileSync(file, `services:\n  one:\n    command: node\n    args: [examples/servers/steady.mjs]\n    cwd: ${JSON.stringify(REPO_ROOT)}\n`);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const refused = start(['run', file, '--log', '--no-watch', `--inspect=${port}`]);
      expect(await refused.exit(10_000)).toEqual({ code: 1, signal: null });
      expect(refused.stderr).toBe(
        `mcp-supervisor: --inspect=${port}: port ${port} on 127.0.0.1 is in use; pick another (--inspect=PORT), or --inspect alone for a free port. Nothing was started.\n`,
      );
      expect(refused.stdout).toBe(''); // not even a service registered
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
    const cli = start(['run', file, '--log', '--no-watch', `--inspect=${port}`]);
    await cli.waitFor(new RegExp(`^Stately inspector: open http://127\\.0\\.0\\.1:${port} in a browser$`, 'm'));
    cli.child.kill('SIGINT');
    expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
  });

  it('keeps header values out of what validate and run print, while the server gets the header', async () => {
    const server = await startHttpServer(['--require-header', 'Authorization=Bearer s3cret-token']);
    try {
      const file = path.join(dir, 'headers.yaml');
      writeFileSync(file, `services:\n  api:\n    url: ${server.url}\n    headers:\n      Authorization: Bearer s3cret-token\n`);
      const cli = start(['run', file, '--log', '--no-watch']);
      const validated = await runCli(['validate', file]);
      expect(validated.code).toBe(0);
      expect(validated.stdout).toContain(server.url);
      // The server answers 401 without the header: HEALTHY proves it was sent.
      await cli.waitFor(/api\s+INITIALIZING → HEALTHY {2}connected with \d+ tools?/);
      cli.child.kill('SIGINT');
      expect(await cli.exit(10_000)).toEqual({ code: 0, signal: null });
      for (const output of [validated.stdout, validated.stderr, cli.stdout, cli.stderr]) expect(output).not.toContain('s3cret-token');
    } finally {
      await server.kill();
    }
  });

  it('refuses to start on an invalid config (exit 1), starting nothing', async () => {
    const { code, stdout, stderr } = await runCli(['run', 'test/fixtures/config/bad/duplicate-key.yaml']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('test/fixtures/config/bad/duplicate-key.yaml:5:5 services.weather.command: duplicate key');
  });
});

describe('mcp-supervisor one-shot commands', () => {
  it('validate: exit 0 with the fleet summary, exit 1 with file:line:col', async () => {
    const [good, bad] = await Promise.all([
      runCli(['validate', 'config/services.yaml']),
      runCli(['validate', 'test/fixtures/config/bad/duplicate-key.yaml']),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('config/services.yaml: valid. 3 services (3 enabled).');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^ {2}test\/fixtures\/config\/bad\/duplicate-key\.yaml:5:5 services\.weather\.command: /m);
  });

  it('diagram: the statechart in Mermaid, or JSON', async () => {
    const [mermaid, json] = await Promise.all([runCli(['diagram']), runCli(['diagram', '--format', 'json'])]);
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^stateDiagram-v2\n {4}\[\*\] --> INITIALIZING\n/);
    expect(mermaid.stdout).toMatch(/^ {4}WARNING --> RECONNECTING: .*reachedReconnectingThreshold/m);
    expect((JSON.parse(json.stdout) as { states: string[] }).states).toContain('UNREACHABLE');
  });

  it('simulate: the same input gives the same timeline', { timeout: 90_000 }, async () => {
    const args = ['simulate', 'config/services.yaml', '--service', 'flaky', '--outage', '10m', '--duration', '3h'];
    // Generous: each run loads both SDK packages (the simulation runs the real connection code over
    // in-memory servers), and the two share a loaded machine.
    const [once, again] = await Promise.all([runCli(args, 60_000), runCli(args, 60_000)]);
    expect(once.code).toBe(0);
    expect(once.stdout).toMatch(/^t\+00:00:00\.000\s+HEALTHY\s+── outage begins/m);
    expect(once.stdout).toMatch(/^t\+00:00:\d\d\.\d{3}\s+RECONNECTING\s+t\+\S+ \(in \S+\)\s+reconnect attempt 1 failed/m);
    expect(once.stdout).toMatch(/HEALTHY at t\+03:00:00\.000, the end of --duration\.$/m);
    expect(again.stdout).toBe(once.stdout);
  });

  it('unknown commands and flags: exit 2 with a clear message', async () => {
    const [command, flag, version] = await Promise.all([runCli(['frobnicate']), runCli(['diagram', '--colour']), runCli(['--version'])]);
    expect(command).toEqual({ code: 2, stdout: '', stderr: "mcp-supervisor: unknown command 'frobnicate'\nSee 'mcp-supervisor --help'.\n" });
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown option '--colour'");
    expect(version).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });
});
