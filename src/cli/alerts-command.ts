// `mcp-supervisor alerts test [config]`: sends one test alert to every sink of the config's `alerts:`
// and reports each result (exit 0 when every sink took it, 1 otherwise).

import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { nearest } from '../config/suggest.js';
import { testSinks } from '../observe/test-alert.js';
import { plural } from '../supervisor/plural.js';
import { configArgument, LOCAL_CONFIG } from './config-argument.js';
import { EXIT, parseCommandArgs, UsageError, type Command } from './command.js';

const SUBCOMMANDS = ['test'] as const;

export const alertsCommand: Command = {
  help: `Usage: mcp-supervisor alerts test [config]

Sends one test alert to every sink of the config's \`alerts:\` section (webhook, command, e-mail),
one attempt each, and prints what became of it. Without [config]: ./${LOCAL_CONFIG} if there is one,
else the demo fleet bundled with the package. Exits with 0 when every sink took the alert, 1 otherwise.
Secrets (header values, passwords, URL tokens) never appear in the output.

Options:
  -h, --help   show this help
`,
  async execute(args, io) {
    const { positionals } = parseCommandArgs('alerts', args, {}, { max: 2 });
    const [subcommand, file] = positionals;
    if (subcommand === undefined) throw new UsageError('say what to do: `mcp-supervisor alerts test [config]`', 'alerts');
    if (!(SUBCOMMANDS as readonly string[]).includes(subcommand)) {
      const guess = nearest(subcommand, SUBCOMMANDS);
      throw new UsageError(`unknown alerts command '${subcommand}'${guess ? ` (did you mean '${guess}'?)` : ''}`, 'alerts');
    }
    const config = configArgument(file, 'alerts', 'testing the alert sinks of', io);
    if (config === null) return EXIT.failure;
    let alerts;
    try {
      alerts = (await loadConfigFile(config.file)).alerts;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT.failure;
    }
    if (alerts === null || alerts.sinks.length === 0) {
      io.stderr.write(`mcp-supervisor: ${config.file} configures no alert sinks: add an \`alerts:\` section with \`sinks:\` and \`rules:\` (config/examples/alerts.yaml shows one)\n`);
      return EXIT.failure;
    }
    const results = await testSinks(alerts);
    for (const result of results) {
      io.stdout.write(`${result.error === null ? 'delivered' : 'FAILED   '}  ${result.sink} (${result.type} → ${result.target})${result.error === null ? '' : `: ${result.error}`}\n`);
    }
    const failed = results.filter((result) => result.error !== null).length;
    io.stdout.write(failed === 0 ? `every sink took the test alert (${plural(results.length, 'sink')})\n` : `${failed} of ${plural(results.length, 'sink')} failed\n`);
    return failed === 0 ? EXIT.ok : EXIT.failure;
  },
};
