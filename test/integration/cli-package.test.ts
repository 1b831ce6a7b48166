// The published package, as a user gets it: `npm pack` (which builds dist/ through `prepare`), installed
// into an empty folder. Its entries (`mcp-supervisor`, `/machines`, `/testing`) import and type-check
// there, and nothing else can be imported; and `npx mcp-supervisor run --log` there with no config — the
// bundled demo fleet must start from the installed package (its servers ship in the tarball), reach
// HEALTHY, and stop on Ctrl-C with exit 0 and no process left. Slow (a build and an install): one test,
// generous timeouts.

import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CliProcess, REPO_ROOT, stillRunning } from '../support/cli-process.js';

const run = promisify(execFile);
const work = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let cli: CliProcess | null = null;
afterEach(() => cli?.killAll());

// Under `npm test`, npm's own settings arrive as npm_* variables (the repository as the local prefix,
// among others); the package is packed and installed as a user would, without them.
const userEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
const npm = (args: string[], cwd: string) =>
  run('npm', args, { cwd, env: userEnv, timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });

/** A program using every entry of the package, as an application would write it. */
const CONSUMER = `
import { createSupervisor, isMcpSupervisorError, SERVICE_STATES, type ServiceSnapshot } from 'mcp-supervisor';
import { serviceMachine, type ServiceActors } from 'mcp-supervisor/machines';
import { simulateOutage, VirtualClock } from 'mcp-supervisor/testing';

const supervisor = await createSupervisor({ services: [] }, { clock: new VirtualClock() });
const shown: ServiceSnapshot[] = supervisor.listServices();
const actors: Partial<ServiceActors> = {};
console.log(JSON.stringify({
  createSupervisor: typeof createSupervisor,
  isMcpSupervisorError: typeof isMcpSupervisorError,
  states: SERVICE_STATES.length,
  serviceMachine: serviceMachine.id,
  simulateOutage: typeof simulateOutage,
  listed: shown.length,
  actors: Object.keys(actors).length,
}));
`;

/** What `import(specifier)` gives in the app folder: the names it exports, or the error code. */
const IMPORT_PROBE = `
const outcomes = {};
for (const specifier of process.argv.slice(1)) {
  try { outcomes[specifier] = Object.keys(await import(specifier)).sort(); }
  catch (error) { outcomes[specifier] = error.code; }
}
console.log(JSON.stringify(outcomes));
`;

describe('the published package', () => {
  it(
    'installs from its tarball; its entries import and type-check, and it runs the bundled demo fleet outside the repository (npx mcp-supervisor run)',
    async () => {
      const packDir = path.join(work, 'pack');
      const app = path.join(work, 'app');
      mkdirSync(packDir);
      mkdirSync(app);

      const packed = await npm(['pack', '--json', '--pack-destination', packDir], REPO_ROOT);
      const [manifest] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
      const files = manifest?.files.map((file) => file.path) ?? [];
      for (const file of ['dist/cli/main.js', 'dist/web-assets/index.html', 'dist/web-assets/app.js', 'config/services.yaml', 'examples/servers/demo-server.mjs', 'examples/servers/steady.mjs', 'examples/servers/slow.mjs', 'examples/servers/flaky.mjs']) {
        expect(files, file).toContain(file);
      }

      await npm(['install', '--no-audit', '--no-fund', '--prefer-offline', path.join(packDir, manifest?.filename ?? '')], app);

      // Each entry imports; a file behind them does not.
      const probe = await run(process.execPath, ['--input-type=module', '-e', IMPORT_PROBE, 'mcp-supervisor', 'mcp-supervisor/machines', 'mcp-supervisor/testing', 'mcp-supervisor/observe', 'mcp-supervisor/dist/supervisor/connect-queue.js'], { cwd: app, env: userEnv });
      const entries = JSON.parse(probe.stdout) as Record<string, string[] | string>;
      expect(entries['mcp-supervisor']).toEqual(expect.arrayContaining(['Supervisor', 'createSupervisor', 'isMcpSupervisorError', 'ConnectionLostError']));
      expect(entries['mcp-supervisor']).not.toContain('serviceMachine');
      expect(entries['mcp-supervisor/machines']).toEqual(expect.arrayContaining(['serviceMachine', 'resolveLifecycleConfig']));
      expect(entries['mcp-supervisor/testing']).toEqual(expect.arrayContaining(['VirtualClock', 'simulateOutage']));
      expect(entries['mcp-supervisor/observe']).toEqual(expect.arrayContaining(['SupervisorMetrics', 'OperatorListener', 'AlertSystem', 'ServiceTallies', 'LifecycleTracing']));
      expect(entries['mcp-supervisor/dist/supervisor/connect-queue.js']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');

      // … and type-checks, with the types each entry declares (the repository's compiler and Node types).
      writeFileSync(path.join(app, 'consumer.mts'), CONSUMER);
      writeFileSync(
        path.join(app, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, outDir: 'out',
            types: ['node'], typeRoots: [path.join(REPO_ROOT, 'node_modules/@types')],
          },
          files: ['consumer.mts'],
        }),
      );
      await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], { cwd: app, env: userEnv });
      const consumer = await run(process.execPath, [path.join('out', 'consumer.mjs')], { cwd: app, env: userEnv });
      expect(JSON.parse(consumer.stdout)).toEqual({
        createSupervisor: 'function',
        isMcpSupervisorError: 'function',
        states: 7,
        serviceMachine: 'service',
        simulateOutage: 'function',
        listed: 0,
        actors: 0,
      });

      // `--no`: never fetch a package of that name from the registry; only the one just installed runs.
      cli = new CliProcess(['run', '--log'], {}, { program: ['npx', '--no', 'mcp-supervisor'], cwd: app, baseEnv: userEnv });
      const bundled = path.join('node_modules', 'mcp-supervisor', 'config', 'services.yaml');
      await cli.waitFor(
        new RegExp(`^no config given and no \\./mcp-supervisor\\.yaml here: running the bundled demo fleet \\(${bundled.replace(/[./]/g, '\\$&')}\\)$`, 'm'),
        60_000,
        'stderr',
      );
      for (const name of ['steady', 'slow', 'flaky']) await cli.waitFor(new RegExp(`^\\S+  ${name}\\s+INITIALIZING → HEALTHY  `, 'm'), 60_000);
      const below = cli.descendants();
      expect(below.filter((entry) => entry.command.includes('examples/servers/'))).toHaveLength(3);
      const supervisor = below.find((entry) => /node_modules\/\.bin\/mcp-supervisor run --log$/.test(entry.command));
      expect(supervisor).toBeDefined();

      // Ctrl-C to mcp-supervisor itself: npx would end by the signal it got, whatever the program did;
      // signalled alone, the program's exit code is npx's.
      process.kill(supervisor?.pid ?? -1, 'SIGINT');
      expect(await cli.exit(30_000)).toEqual({ code: 0, signal: null });
      expect(cli.stdout).toMatch(/stopped: every service disconnected, no server process left\n$/);
      expect(stillRunning(cli.seen.values())).toEqual([]);
    },
    900_000,
  );
});
