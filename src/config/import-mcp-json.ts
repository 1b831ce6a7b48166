// Imports the JSON files other MCP clients already have, as they are: Claude Desktop / Cursor / Windsurf
// (`mcpServers`), VS Code (`servers` in .vscode/mcp.json, or `mcp.servers` in settings.json). Entries are
// mapped onto the YAML document's service shape and validated by the same path, with every issue placed
// at the key the user wrote in the JSON file. VS Code's files are JSONC (comments, trailing commas): the
// syntax is checked with jsonc-parser, the parser VS Code itself uses.

import os from 'node:os';
import path from 'node:path';
import { printParseErrorCode, stripComments, visit } from 'jsonc-parser';
import { ConfigError, describeValue } from './errors.js';
import type { ConfigIssue, PathSegment } from './errors.js';
import { environmentResolver } from './interpolate.js';
import type { VariableResolver } from './interpolate.js';
import type { FleetConfig } from './model.js';
import { isMapping } from './schema.js';
import { parseSource } from './source.js';
import { validateFleetDocument } from './validate.js';
import type { IssueLocator } from './zod-issues.js';

/** How a config text is read: the file it came from, and the environment for `${VAR}`. */
export interface ParseOptions {
  /** Shown in every issue and used to resolve relative paths. */
  file: string;
  /** Source of `${VAR}` values; `process.env` when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** JSON keys of a server entry, by the service field each becomes. */
const FIELD_SOURCES = {
  command: ['command'],
  args: ['args'],
  env: ['env'],
  cwd: ['cwd'],
  url: ['url', 'serverUrl'],
  headers: ['headers'],
  transport: ['type', 'transport'],
  enabled: ['disabled', 'enabled'],
} as const;

const STDIO_ONLY = ['args', 'env', 'cwd'] as const;
const REMOTE_ONLY = ['headers'] as const;

const TRANSPORT_TYPES: Record<string, string | undefined> = {
  stdio: undefined,
  http: undefined,
  'streamable-http': 'streamable-http',
  streamableHttp: 'streamable-http',
  sse: 'sse',
};

export function parseMcpJson(text: string, options: ParseOptions): FleetConfig {
  const { file } = options;
  const syntax = jsoncSyntaxIssues(text, file);
  if (syntax.length > 0) throw new ConfigError(syntax);
  // Well-formed JSONC is YAML once its comments are blanked out (newlines kept, so every position
  // stays true; YAML allows the trailing commas), and the YAML reader places every issue at its key.
  const source = parseSource(stripComments(text, ' '), { file, resolveVariable: mcpJsonResolver(options) });
  const root = serversRoot(source.data);
  const warnings = [...source.warnings];
  const issues = [...source.issues];
  const fieldOrigins = new Map<string, Map<string, string>>();
  let document: unknown = source.data;

  if (source.data !== undefined && root === null) {
    issues.push(source.issueAt([], 'expected an `mcpServers` object (Claude Desktop, Cursor) or `servers` (VS Code mcp.json)'));
    document = undefined;
  } else if (root !== null) {
    const services: Record<string, unknown> = {};
    for (const [name, entry] of Object.entries(root.servers)) {
      const origins = new Map<string, string>();
      fieldOrigins.set(name, origins);
      services[name] = isMapping(entry) ? serviceFields(entry, origins, [...root.path, name], warnings, issues, source.issueAt) : entry;
    }
    document = { services };
  }

  /** A document path (`services.x.transport`) as the JSON file spells it (`servers.x.type`). */
  const toSource = (documentPath: readonly PathSegment[]): PathSegment[] => {
    const rootPath = root?.path ?? [];
    if (documentPath[0] !== 'services') return [...documentPath];
    const [, name, field, ...rest] = documentPath;
    if (name === undefined) return [...rootPath];
    if (field === undefined) return [...rootPath, name];
    const written = fieldOrigins.get(String(name))?.get(String(field)) ?? field;
    return [...rootPath, name, written, ...rest];
  };
  return validateFleetDocument(document, {
    file,
    baseDir: workspaceFolderOf(file),
    issueAt: (documentPath, message, atKey) => source.issueAt(toSource(documentPath), message, atKey),
    issues,
    warnings,
  });
}

/** Maps one server entry onto service fields, noting which JSON key each came from. */
function serviceFields(
  entry: Record<string, unknown>,
  origins: Map<string, string>,
  entryPath: readonly PathSegment[],
  warnings: ConfigIssue[],
  issues: ConfigIssue[],
  issueAt: IssueLocator,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const used = new Set<string>();
  for (const [field, keys] of Object.entries(FIELD_SOURCES)) {
    const key = keys.find((candidate) => entry[candidate] !== undefined);
    if (key === undefined) continue;
    used.add(key);
    origins.set(field, key);
    fields[field] = entry[key];
  }
  if (origins.get('enabled') === 'disabled' && typeof fields.enabled === 'boolean') fields.enabled = !fields.enabled;
  const type = fields.transport;
  if (typeof type === 'string') {
    if (!Object.hasOwn(TRANSPORT_TYPES, type)) {
      const typePath = [...entryPath, origins.get('transport') ?? 'type'];
      issues.push(issueAt(typePath, `expected one of stdio | http | sse, got ${describeValue(type, typePath)}`));
    }
    const mapped = TRANSPORT_TYPES[type];
    if (mapped === undefined) delete fields.transport;
    else fields.transport = mapped;
  }
  // Some clients document `env` on remote servers; as a careful import, drop what a kind cannot use.
  const remote = fields.url !== undefined && fields.command === undefined;
  const stdio = fields.command !== undefined && fields.url === undefined;
  for (const field of remote ? STDIO_ONLY : stdio ? REMOTE_ONLY : []) {
    const key = origins.get(field);
    if (key === undefined) continue;
    used.delete(key);
    delete fields[field];
  }
  for (const key of Object.keys(entry)) {
    if (!used.has(key)) warnings.push(issueAt([...entryPath, key], `ignored key \`${key}\` (not used by mcp-supervisor for this server)`, true));
  }
  return fields;
}

function serversRoot(data: unknown): { path: PathSegment[]; servers: Record<string, unknown> } | null {
  if (!isMapping(data)) return null;
  if (isMapping(data.mcpServers)) return { path: ['mcpServers'], servers: data.mcpServers };
  if (isMapping(data.servers)) return { path: ['servers'], servers: data.servers };
  if (isMapping(data.mcp) && isMapping(data.mcp.servers)) return { path: ['mcp', 'servers'], servers: data.mcp.servers };
  return null;
}

/**
 * `${env:NAME}` and `${NAME}` from the environment, plus the editor variables these files use:
 * `${workspaceFolder}` (the folder holding `.vscode/` or `.cursor/`), `${userHome}`, `${pathSeparator}`.
 * `${input:…}` asks the editor to prompt, which a supervisor cannot do.
 */
function mcpJsonResolver({ file, env = process.env }: ParseOptions): VariableResolver {
  const fromEnvironment = environmentResolver(env);
  const workspace = workspaceFolderOf(file);
  const editorVariables: Record<string, string> = {
    workspaceFolder: workspace,
    workspaceFolderBasename: path.basename(workspace),
    userHome: os.homedir(),
    pathSeparator: path.sep,
  };
  return (name) => {
    const editorValue = editorVariables[name];
    if (editorValue !== undefined) return { value: editorValue };
    if (name.startsWith('input:')) {
      return { error: `\`\${${name}}\` asks the editor to prompt for a value, which a supervisor cannot do; set an environment variable and write \`\${env:NAME}\`` };
    }
    return fromEnvironment(name);
  };
}

/**
 * The folder the file's servers belong to: its own directory, or for a file in `.vscode/` or `.cursor/`
 * the project folder holding it, where those editors start the servers (and `${workspaceFolder}` points).
 */
function workspaceFolderOf(file: string): string {
  const directory = path.dirname(path.resolve(file));
  return ['.vscode', '.cursor'].includes(path.basename(directory)) ? path.dirname(directory) : directory;
}

/** What each jsonc-parser error says to a user, in the words of JSON.parse where it has them. */
const SYNTAX_MESSAGES: Record<ReturnType<typeof printParseErrorCode>, string> = {
  InvalidSymbol: 'Unexpected token (strings and property names go in double quotes)',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Expected double-quoted property name',
  ValueExpected: 'Expected a value',
  ColonExpected: "Expected ':' after property name",
  CommaExpected: "Expected ',' or '}' after property value",
  CloseBraceExpected: "Expected '}' to close the object",
  CloseBracketExpected: "Expected ']' to close the array",
  EndOfFileExpected: 'Unexpected non-whitespace character after JSON',
  InvalidCommentToken: 'Invalid comment',
  UnexpectedEndOfComment: "Unterminated comment: '/*' without '*/'",
  UnexpectedEndOfString: 'Unterminated string: the closing \'"\' is missing',
  UnexpectedEndOfNumber: 'Unterminated number',
  InvalidUnicode: 'Bad Unicode escape',
  InvalidEscapeCharacter: 'Bad escaped character',
  InvalidCharacter: 'Bad control character in string literal (escape it, e.g. \\n)',
  '<unknown ParseErrorCode>': 'Invalid JSON',
};

/**
 * The syntax errors of a JSONC text (JSON with comments and trailing commas, as VS Code's mcp.json is),
 * read by Microsoft's jsonc-parser, VS Code's own: the first on each line (the parser goes on after an
 * error, and what follows on that line is mostly its echo), and none after a comment left open (it
 * runs to the end of the file). None when the text is well-formed.
 */
function jsoncSyntaxIssues(text: string, file: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const open: ('object' | 'array')[] = [];
  let swallowed = false;
  visit(
    text,
    {
      onObjectBegin: () => void open.push('object'),
      onObjectEnd: () => void open.pop(),
      onArrayBegin: () => void open.push('array'),
      onArrayEnd: () => void open.pop(),
      onError: (code, _offset, _length, startLine, startCharacter) => {
        const line = startLine + 1;
        if (swallowed || issues.at(-1)?.line === line) return;
        const name = printParseErrorCode(code);
        swallowed = name === 'UnexpectedEndOfComment';
        const message = name === 'CommaExpected' && open.at(-1) === 'array' ? "Expected ',' or ']' after array element" : SYNTAX_MESSAGES[name];
        issues.push({ file, line, column: startCharacter + 1, path: '', message: `JSON syntax: ${message}` });
      },
    },
    { allowTrailingComma: true },
  );
  return issues;
}
