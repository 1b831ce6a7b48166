// The command line itself: commands, help, version, and what a wrong argument gets (exit 2 and a
// message that says what is wrong and where the help is). Runs the program in-process with fake output.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIO } from '../../src/cli/command.js';
import { main } from '../../src/cli/program.js';
import { describeFleet } from '../../src/cli/validate-command.js';
import { loadConfigFile } from '../../src/config/load.js';
import packageJson from '../../package.json' with { type: 'json' };

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('program', () => {
  it('prints the version from package.json', async () => {
    expect(await cli('--version')).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
    expect((await cli('-v')).stdout).toBe(`${packageJson.version}\n`);
  });

  it('lists the commands in --help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    for (const command of ['run', 'validate', 'diagram', 'simulate', 'alerts']) expect(stdout).toMatch(new RegExp(`^  ${command}\\s+\\S`, 'm'));
  });

  it('shows the help and exits 2 when no command is given', async () => {
    const { code, stdout, stderr } = await cli();
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('Usage: mcp-supervisor <command>');
  });

  it.each(['run', 'validate', 'diagram', 'simulate', 'alerts'])('has --help, -h and `help <command>` for %s', async (command) => {
    const long = await cli(command, '--help');
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(new RegExp(`^Usage: mcp-supervisor ${command}`));
    expect((await cli(command, '-h')).stdout).toBe(long.stdout);
    expect((await cli('help', command)).stdout).toBe(long.stdout);
    // --help wins over anything else on the line, even a wrong flag
    expect((await cli(command, '--bogus', '--help')).code).toBe(0);
  });

  it('rejects an unknown command with exit 2, suggesting the nearest', async () => {
    expect(await cli('valdate', 'x.yaml')).toEqual({
      code: 2,
      stdout: '',
      stderr: "mcp-supervisor: unknown command 'valdate' (did you mean 'validate'?)\nSee 'mcp-supervisor --help'.\n",
    });
    expect((await cli('help', 'nope')).code).toBe(2);
    expect((await cli('--bogus')).stderr).toContain("unknown option '--bogus'");
  });

  it('suggests the nearest command for a misspelt one, and `run` for `start`', async () => {
    const guess = async (...argv: string[]) => (await cli(...argv)).stderr.split('\n')[0];
    expect(await guess('rnu')).toBe("mcp-supervisor: unknown command 'rnu' (did you mean 'run'?)");
    expect(await guess('simualte')).toBe("mcp-supervisor: unknown command 'simualte' (did you mean 'simulate'?)");
    expect(await guess('help', 'diagarm')).toBe("mcp-supervisor: unknown command 'diagarm' (did you mean 'diagram'?)");
    expect(await guess('strat')).toBe("mcp-supervisor: unknown command 'strat' (did you mean 'run'? it is what `npm start` runs)");
    expect(await guess('zzz')).toBe("mcp-supervisor: unknown command 'zzz'");
  });

  it('lists `serve` (the gateway) and shows its help', async () => {
    expect((await cli('--help')).stdout).toMatch(/^ {2}serve +serve the healthy fleet as one MCP server/m);
    const { code, stdout } = await cli('serve', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: mcp-supervisor serve \[config\] \[options\]/);
    expect(stdout).toContain('--http HOST:PORT');
  });

  it('refuses a malformed --http address as a usage error', async () => {
    const { code, stderr } = await cli('serve', '--http', 'nowhere');
    expect(code).toBe(2);
    expect(stderr).toContain('--http nowhere: expected HOST:PORT');
  });

  it('suggests the nearest option for a misspelt one, before and after the command', async () => {
    expect((await cli('--verison')).stderr).toContain("unknown option '--verison' (did you mean --version?)");
    expect((await cli('--hlep')).stderr).toContain("unknown option '--hlep' (did you mean --help?)");
    expect((await cli('validate', '--hepl')).stderr).toContain("unknown option '--hepl' (did you mean --help?)");
    expect((await cli('simulate', '--servce', 'x')).stderr).toContain("unknown option '--servce' (did you mean --service?)");
    for (const argv of [['--verison'], ['validate', '--hepl']]) expect((await cli(...argv)).code).toBe(2);
  });

  it('rejects an unknown flag with exit 2, naming the command’s help', async () => {
    const { code, stderr } = await cli('run', '--lgo');
    expect(code).toBe(2);
    expect(stderr).toBe("mcp-supervisor: unknown option '--lgo' (did you mean --log?)\nSee 'mcp-supervisor run --help'.\n");
  });

  it('rejects extra arguments, a missing value and contradicting flags with exit 2', async () => {
    expect((await cli('validate', 'a.yaml', 'b.yaml')).stderr).toContain("unexpected argument 'b.yaml'");
    expect((await cli('diagram', '--format')).stderr).toContain("option '-f, --format <value>' needs a value");
    expect((await cli('diagram', '--format', 'png')).stderr).toContain("--format must be one of mermaid, json, got 'png'");
    expect((await cli('run', '--log', '--json')).stderr).toContain('--log and --json exclude each other');
    for (const port of ['abc', '70000', '', '-1']) {
      expect(await cli('run', `--inspect=${port}`)).toEqual({
        code: 2,
        stdout: '',
        stderr: `mcp-supervisor: --inspect=${port}: the port must be a number from 1 to 65535 (or --inspect alone for a free port)\nSee 'mcp-supervisor run --help'.\n`,
      });
    }
    for (const args of [['validate', 'a', 'b'], ['diagram', '--format'], ['run', '--log', '--json']]) expect((await cli(...args)).code).toBe(2);
  });
});

describe('diagram', () => {
  it('prints the statechart as Mermaid by default', async () => {
    const { code, stdout } = await cli('diagram');
    expect(code).toBe(0);
    expect(stdout.startsWith('stateDiagram-v2\n')).toBe(true);
    expect(stdout).toContain('    HEALTHY --> WARNING: reachedWarningThreshold');
  });

  it('prints it as JSON with --format json', async () => {
    const { stdout } = await cli('diagram', '--format', 'json');
    const diagram = JSON.parse(stdout) as { states: string[]; edges: { from: string; to: string; causes: string[] }[] };
    expect(diagram.states).toEqual(['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE', 'DISCONNECTING', 'DISCONNECTED']);
    expect(diagram.edges).toContainEqual({ from: 'RECONNECTING', to: 'UNREACHABLE', causes: ['reconnectAttemptsExhausted'] });
  });
});

describe('validate', () => {
  it('summarises a valid fleet: services, transports, agents, profiles, warnings', async () => {
    const file = path.join(dir, 'fleet.yaml');
    writeFileSync(
      file,
      `services:
  steady:
    command: node
    args: [steady.mjs, "--label", "two words"]
    env: { API_KEY: secret-value }
    profile: critical
  search:
    url: https://user:pw@search.example.com/mcp?key=abc
    enabled: false
  alice/notes:
    url: http://127.0.0.1:9000/sse
`,
    );
    const { code, stdout, stderr } = await cli('validate', file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`${file}: valid. 3 services (2 enabled).`);
    expect(stdout).toMatch(/^ {2}steady\s+—\s+stdio\s+node steady\.mjs --label "two words"\s+critical\s+critical\s+10s\s+yes$/m);
    expect(stdout).toMatch(/^ {2}search\s+—\s+streamable-http\s+https:\/\/\*\*\*:\*\*\*@search\.example\.com\/mcp\?key=\*\*\*\s+—\s+normal\s+30s\s+no$/m);
    expect(stdout).toMatch(/^ {2}notes\s+alice\s+sse\s+/m);
    expect(stdout).toContain('Transports: stdio 1, streamable-http 1, sse 1');
    expect(stdout).toContain('Agents:     alice 1');
    expect(stdout).toContain('Profiles:   critical 1');
    expect(stdout).not.toContain('secret-value');
    expect(stdout).not.toContain(':pw@');
  });

  it('summarises the demo config', async () => {
    const { code, stdout } = await cli('validate', 'config/services.yaml');
    expect(code).toBe(0);
    for (const name of ['steady', 'slow', 'flaky']) expect(stdout).toMatch(new RegExp(`^ {2}${name}\\s+—\\s+stdio\\s+node \\.\\./examples/servers/${name}\\.mjs`, 'm'));
    expect(stdout).toContain('Warnings:   none');
    expect(stdout).toContain("HTTP:       none (`run --http HOST:PORT` starts the operators' endpoints)");
    expect(stdout).toContain('Alerts:     none');
  });

  it('summarises the operators\' listener and the alerts', async () => {
    const { code, stdout } = await cli('validate', 'config/examples/operators.yaml');
    expect(code).toBe(0);
    expect(stdout).toContain('HTTP:       127.0.0.1:9464; /readyz ready when files are available');
    expect(stdout).toContain('Alerts:     3 rules (degraded, long-outage, critical-only) → 3 sinks: chat (webhook), pager (command), mail (email)');
  });

  it('lists warnings with file:line:col', async () => {
    const file = path.join(dir, 'empty.yaml');
    writeFileSync(file, 'services: {}\n');
    const { code, stdout } = await cli('validate', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`warning: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:1:\\d+ services: no services are defined`));
    expect(describeFleet(await loadConfigFile(file))).toBe(stdout);
  });

  it('prints every error with file:line:col and exits 1', async () => {
    const file = 'test/fixtures/config/bad/duplicate-key.yaml';
    const { code, stdout, stderr } = await cli('validate', file);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`Invalid config ${file} (1 error; nothing was applied):`);
    expect(stderr).toContain(`${file}:5:5 services.weather.command: duplicate key \`command\``);
  });

  it('names a given file that does not exist, and what to do (exit 1)', async () => {
    const missing = path.join(dir, 'missing.yaml');
    expect(await cli('validate', missing)).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `mcp-supervisor: no config file at ${missing} (${missing}): check the path, or run \`mcp-supervisor validate\` ` +
        'without one to use ./mcp-supervisor.yaml or, if there is none, the bundled demo fleet\n',
    });
  });

  it('without a config, validates the bundled demo fleet and says so on stderr', async () => {
    const { code, stdout, stderr } = await cli('validate');
    expect(code).toBe(0);
    expect(stderr).toBe('no config given and no ./mcp-supervisor.yaml here: validating the bundled demo fleet (config/services.yaml)\n');
    expect(stdout).toContain('config/services.yaml: valid. 3 services (3 enabled).');
  });
});

describe('simulate: arguments', () => {
  it('needs --outage (exit 2)', async () => {
    expect((await cli('simulate', 'config/services.yaml', '--service', 'flaky')).stderr).toContain('--outage is required');
    expect((await cli('simulate', 'config/services.yaml', '-s', 'flaky', '--outage', '10')).stderr).toContain('--outage 10: add a unit');
    expect((await cli('simulate', 'config/services.yaml', '-s', 'flaky', '--outage', 'soon')).stderr).toContain('--outage: expected a duration');
    expect((await cli('simulate', 'config/services.yaml', '-s', 'flaky', '-o', '1m', '--failure', 'meteor')).stderr).toContain(
      "--failure must be one of refused, timeout, crash, got 'meteor'",
    );
  });

  it('names the services when the one asked for is not in the config (exit 1)', async () => {
    const { code, stderr } = await cli('simulate', 'config/services.yaml', '--service', 'nope', '--outage', '1m');
    expect(code).toBe(1);
    expect(stderr).toBe("mcp-supervisor: no service 'nope' in config/services.yaml; its services are steady, slow, flaky\n");
    expect((await cli('simulate', 'config/services.yaml', '--outage', '1m')).stderr).toContain('which service? add --service NAME');
  });

  it('prints the timeline, or JSON with --json', async () => {
    const text = await cli('simulate', 'config/services.yaml', '--service', 'flaky', '--outage', '2m');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("What if 'flaky' (config/services.yaml) is down for 2m");
    const json = await cli('simulate', 'config/services.yaml', '--service', 'flaky', '--outage', '2m', '--json');
    const parsed = JSON.parse(json.stdout) as { service: string; outageMs: number; entries: unknown[] };
    expect(parsed).toMatchObject({ service: 'flaky', outageMs: 120_000, end: 'recovered' });
    expect(parsed.entries.length).toBeGreaterThan(5);
  });
});
