// Which config file a command reads: the path given; without one, ./mcp-supervisor.yaml if there is
// one, else the demo fleet bundled with the package (found beside the installed package, wherever the
// shell is). A given path that does not exist is refused here, naming it and what to do.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The config a project keeps in its own directory, used when no path is given. */
export const LOCAL_CONFIG = 'mcp-supervisor.yaml';

/** config/services.yaml of this package: two levels up from src/cli and from dist/cli. */
export const BUNDLED_DEMO = fileURLToPath(new URL('../../config/services.yaml', import.meta.url));

export type ConfigChoice =
  | { ok: true; file: string; /** One line for stderr when the file was not given. */ notice: string | null }
  | { ok: false; message: string };

/**
 * The file `command` reads. `cwd` is where relative paths start (the shell's directory); `doing` says
 * what the command does with the file, for the notice ("running", "validating").
 */
export function chooseConfig(given: string | undefined, command: string, doing: string, cwd = process.cwd()): ConfigChoice {
  if (given !== undefined) {
    if (existsSync(path.resolve(cwd, given))) return { ok: true, file: given, notice: null };
    return {
      ok: false,
      message:
        `no config file at ${given} (${path.resolve(cwd, given)}): check the path, or run \`mcp-supervisor ${command}\` ` +
        `without one to use ./${LOCAL_CONFIG} or, if there is none, the bundled demo fleet`,
    };
  }
  if (existsSync(path.resolve(cwd, LOCAL_CONFIG))) {
    return { ok: true, file: LOCAL_CONFIG, notice: `no config given: ${doing} ./${LOCAL_CONFIG}` };
  }
  const shown = path.relative(cwd, BUNDLED_DEMO).startsWith('..') ? BUNDLED_DEMO : path.relative(cwd, BUNDLED_DEMO);
  return {
    ok: true,
    file: shown,
    notice: `no config given and no ./${LOCAL_CONFIG} here: ${doing} the bundled demo fleet (${shown})`,
  };
}

/** `chooseConfig` for a command: writes the notice or the refusal to stderr; null when there is no file to read. */
export function configArgument(
  given: string | undefined,
  command: string,
  doing: string,
  io: { stderr: { write(text: string): unknown } },
): { file: string; notice: string | null } | null {
  const choice = chooseConfig(given, command, doing);
  if (!choice.ok) {
    io.stderr.write(`mcp-supervisor: ${choice.message}\n`);
    return null;
  }
  if (choice.notice) io.stderr.write(`${choice.notice}\n`);
  return { file: choice.file, notice: choice.notice };
}
