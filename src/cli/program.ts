// The `mcp-supervisor` program: picks the command, runs it, and turns the outcome into an exit code
// (0 done, 1 failed, 2 wrong usage, 130 forced stop). Separate from main.ts so tests can call it.

import { nearest } from '../config/suggest.js';
import { EXIT, UsageError, wantsHelp, type CliIO, type CommandEntry } from './command.js';
import { packageVersion } from '../package-version.js';

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    summary: 'supervise the fleet of a config file, with a live dashboard',
    load: async () => (await import('./run-command.js')).runCommand,
  },
  {
    name: 'serve',
    summary: 'serve the healthy fleet as one MCP server (stdio, or Streamable HTTP with --http)',
    load: async () => (await import('./serve-command.js')).serveCommand,
  },
  {
    name: 'validate',
    summary: 'check a config file: its problems with file:line:col, or a summary of the fleet',
    load: async () => (await import('./validate-command.js')).validateCommand,
  },
  {
    name: 'diagram',
    summary: 'print the service lifecycle statechart (Mermaid or JSON)',
    load: async () => (await import('./diagram-command.js')).diagramCommand,
  },
  {
    name: 'alerts',
    summary: 'send a test alert to every alert sink of a config file (`alerts test`)',
    load: async () => (await import('./alerts-command.js')).alertsCommand,
  },
  {
    name: 'simulate',
    summary: 'replay an outage of one service in virtual time: its states and retry times',
    load: async () => (await import('./simulate-command.js')).simulateCommand,
  },
];

function programHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `mcp-supervisor ${packageVersion()}: keeps a fleet of MCP servers connected and healthy.

Usage: mcp-supervisor <command> [arguments] [options]

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Options:
  -h, --help      show this help; \`mcp-supervisor <command> --help\` shows a command's
  -v, --version   print the version

Try it: \`mcp-supervisor run\` without a config (and no ./mcp-supervisor.yaml) supervises the demo fleet
bundled with the package: three small servers, no network needed.
`;
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(programHelp());
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h') {
    io.stdout.write(programHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const name = first === 'help' ? rest[0] : first;
  const entry = COMMANDS.find((candidate) => candidate.name === name);
  try {
    if (first === 'help') {
      if (name !== undefined && !entry) throw unknownCommand(name);
      io.stdout.write(entry ? (await entry.load()).help : programHelp());
      return EXIT.ok;
    }
    if (!entry) throw first.startsWith('-') ? unknownOption(first) : unknownCommand(first);
    const command = await entry.load();
    if (wantsHelp(rest)) {
      io.stdout.write(command.help);
      return EXIT.ok;
    }
    return await command.execute(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.command ? `mcp-supervisor ${error.command} --help` : 'mcp-supervisor --help';
      io.stderr.write(`mcp-supervisor: ${error.message}\nSee '${help}'.\n`);
      return EXIT.usage;
    }
    io.stderr.write(`mcp-supervisor: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
}

/** Words people type for a command, mapped to the command that does it. */
const SYNONYMS: Readonly<Record<string, { command: string; why: string }>> = {
  start: { command: 'run', why: 'it is what `npm start` runs' },
};

function unknownCommand(name: string): UsageError {
  const guess = nearest(name, [...COMMANDS.map((command) => command.name), ...Object.keys(SYNONYMS)]);
  const synonym = guess === undefined ? undefined : SYNONYMS[guess];
  const hint = synonym ? ` (did you mean '${synonym.command}'? ${synonym.why})` : guess ? ` (did you mean '${guess}'?)` : '';
  return new UsageError(`unknown command '${name}'${hint}`);
}

function unknownOption(flag: string): UsageError {
  const guess = flag.startsWith('--') ? nearest(flag.slice(2), ['help', 'version']) : undefined;
  return new UsageError(`unknown option '${flag}'${guess ? ` (did you mean --${guess}?)` : ''}`);
}
