// What every command of the CLI is: a name, its help, and a function from arguments to an exit code.
// Arguments are parsed with Node's own `util.parseArgs`; any mistake in them is a UsageError (exit 2).

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDuration } from '../config/duration.js';
import { nearest } from '../config/suggest.js';
import type { Terminal } from './dashboard-screen.js';

/** Exit codes: 0 done, 1 failed (bad config, unknown service…), 2 wrong usage, 130 forced by a second Ctrl-C. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Where a command writes; process.stdout/stderr, or test doubles. */
export interface CliIO {
  stdout: Terminal & {
    readonly isTTY?: boolean;
    on?(event: 'resize', listener: () => void): unknown;
    off?(event: 'resize', listener: () => void): unknown;
  };
  stderr: { write(text: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

/** What a command's module exports: its help and what it does. */
export interface Command {
  /** The whole `--help` text. */
  help: string;
  /** Runs the command with the arguments after its name; resolves with the exit code. */
  execute(args: string[], io: CliIO): Promise<number>;
}

/**
 * A command as the program lists it. Its module (and the supervisor, XState, the MCP SDK… behind it)
 * is imported only when the command runs, so `--version` and `--help` start as fast as Node does.
 */
export interface CommandEntry {
  name: string;
  /** One line for the command list. */
  summary: string;
  load(): Promise<Command>;
}

/** The command line is wrong: the message says how, and the program exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose `--help` to point to, if any. */
    readonly command: string | null = null,
  ) {
    super(message);
  }
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses a command's arguments strictly: an unknown flag, a missing value or too many positionals is a
 * UsageError naming the command (with a "did you mean" for a misspelt flag).
 */
export function parseCommandArgs<const Options extends OptionsConfig>(
  command: string,
  args: string[],
  options: Options,
  positionals: { max: number },
): ReturnType<typeof parseArgs<{ args: string[]; options: Options; strict: true; allowPositionals: true }>> {
  let parsed;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError(describeParseError(error, [...Object.keys(options), 'help']), command);
  }
  if (parsed.positionals.length > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).map((value) => `'${value}'`).join(', ');
    throw new UsageError(`unexpected argument${parsed.positionals.length - positionals.max > 1 ? 's' : ''} ${extra}`, command);
  }
  return parsed;
}

/** Whether the arguments ask for help (before any `--`). */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** util.parseArgs' messages, shortened to what went wrong. */
function describeParseError(error: unknown, known: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /'([^']+)'/.exec(message)?.[1] ?? message;
    const guess = nearest(flag.replace(/^-+/, ''), known);
    return `unknown option '${flag}'${guess ? ` (did you mean --${guess}?)` : ''}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return message.replace(/^Option '([^']+)' argument missing$/, "option '$1' needs a value").replace(/\.$/, '');
  }
  return message;
}

/** A duration argument (`10m`, `90s`, `1h30m`) in milliseconds; a UsageError if it is not one. */
export function durationArg(command: string, flag: string, value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`--${flag} ${value}: add a unit, e.g. ${value}s or ${value}m`, command);
  const result = parseDuration(value);
  if (!result.ok) throw new UsageError(`--${flag}: ${result.message}`, command);
  if (result.ms <= 0) throw new UsageError(`--${flag} must be longer than 0, got ${value}`, command);
  return result.ms;
}
