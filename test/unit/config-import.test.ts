// Importing the JSON files MCP clients already have, unchanged, into the same fleet model as YAML.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG } from '../../src/machines/defaults.js';
import { ConfigError, formatIssue, loadConfigFile, parseConfig } from '../../src/config/index.js';
import type { FleetConfig, ServiceConfig } from '../../src/config/index.js';

const dir = 'test/fixtures/config/import';
const project = path.resolve(dir, 'project');

function byName(fleet: FleetConfig, name: string): ServiceConfig {
  const service = fleet.services.find((candidate) => candidate.name === name);
  if (!service) throw new Error(`no service ${name}`);
  return service;
}

describe('Claude Desktop claude_desktop_config.json', () => {
  it('maps every mcpServers entry to a stdio service and ignores the app settings beside it', async () => {
    const fleet = await loadConfigFile(`${dir}/claude_desktop_config.json`, { env: {} });
    expect(fleet.services.map((service) => service.key)).toEqual(['filesystem', 'github', 'sqlite']);
    expect(byName(fleet, 'github')).toMatchObject({
      agentId: null,
      enabled: true,
      profile: null,
      transport: {
        type: 'stdio',
        command: 'docker',
        args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server'],
        env: { GITHUB_PERSONAL_ACCESS_TOKEN: '<YOUR_TOKEN>' },
      },
    });
    // A server runs in the directory of the file that declares it, not wherever the shell happens to be.
    expect(byName(fleet, 'github').transport).toMatchObject({ cwd: path.resolve(dir) });
    expect(byName(fleet, 'filesystem').lifecycle.healthCheckInterval).toBe(DEFAULT_LIFECYCLE_CONFIG.healthCheckInterval);
    expect(fleet.warnings).toEqual([]);
  });
});

describe('Cursor .cursor/mcp.json', () => {
  const env = { DOCS_TOKEN: 'docs-secret', SEARCH_TOKEN: 'search-secret' };

  it('resolves ${env:NAME} and ${workspaceFolder} (the folder holding .cursor/)', async () => {
    const fleet = await loadConfigFile(`${dir}/project/.cursor/mcp.json`, { env });
    expect(byName(fleet, 'local-docs').transport).toEqual({
      type: 'stdio',
      command: 'node',
      args: [`${project}/tools/docs-server.js`],
      env: { DOCS_TOKEN: 'docs-secret' },
      cwd: project,
    });
    expect(byName(fleet, 'remote-search').transport).toEqual({
      type: 'streamable-http',
      url: 'https://search.example.com/mcp',
      headers: { Authorization: 'Bearer search-secret' },
      sseFallback: true,
    });
  });

  it('infers SSE from a /sse URL and drops (with a warning) the `env` some docs put on remote servers', async () => {
    const fleet = await loadConfigFile(`${dir}/project/.cursor/mcp.json`, { env });
    expect(byName(fleet, 'legacy-sse').transport).toEqual({ type: 'sse', url: 'http://localhost:3000/sse', headers: {} });
    expect(fleet.warnings.map(formatIssue)).toEqual([
      `${dir}/project/.cursor/mcp.json:14:7 mcpServers.legacy-sse.env: ignored key \`env\` (not used by mcp-supervisor for this server)`,
    ]);
  });

  it('reports a missing ${env:NAME} at its line and column', async () => {
    const error = await loadConfigFile(`${dir}/project/.cursor/mcp.json`, { env: { DOCS_TOKEN: 'x' } }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(formatIssue)).toEqual([
      `${dir}/project/.cursor/mcp.json:10:45 mcpServers.remote-search.headers.Authorization: environment variable \`SEARCH_TOKEN\` is not set (give a default with \`\${env:SEARCH_TOKEN:-default}\`)`,
    ]);
  });
});

describe('VS Code .vscode/mcp.json', () => {
  it('reads JSONC (comments, trailing commas) and maps `type` stdio | http | sse', async () => {
    const fleet = await loadConfigFile(`${dir}/project/.vscode/mcp.json`, { env: { GITHUB_TOKEN: 'gh' } });
    expect(fleet.services.map((service) => service.key)).toEqual(['fetch', 'github', 'events', 'workspace-tools']);
    expect(byName(fleet, 'fetch').transport).toEqual({ type: 'stdio', command: 'uvx', args: ['mcp-server-fetch'], env: {}, cwd: project });
    // `http` is VS Code's "Streamable HTTP, else SSE": the same as a URL given without a transport.
    expect(byName(fleet, 'github').transport).toEqual({
      type: 'streamable-http',
      url: 'https://api.githubcopilot.com/mcp/',
      headers: { Authorization: 'Bearer gh' },
      sseFallback: true,
    });
    expect(byName(fleet, 'events').transport).toEqual({ type: 'sse', url: 'https://events.example.com/stream', headers: {} });
  });

  it('resolves ${workspaceFolder} to the folder holding .vscode/ and warns that envFile is not read', async () => {
    const fleet = await loadConfigFile(`${dir}/project/.vscode/mcp.json`, { env: { GITHUB_TOKEN: 'gh' } });
    expect(byName(fleet, 'workspace-tools').transport).toEqual({
      type: 'stdio',
      command: 'node',
      args: [`${project}/scripts/tools.mjs`],
      env: {},
      cwd: project,
    });
    expect(fleet.warnings.map(formatIssue)).toEqual([
      `${dir}/project/.vscode/mcp.json:32:7 servers.workspace-tools.envFile: ignored key \`envFile\` (not used by mcp-supervisor for this server)`,
    ]);
  });

  it('reports a JSONC syntax error at its line and column, past comments and trailing commas', () => {
    const jsonc = (fetchEntry: string) =>
      [
        '{',
        '  // The servers of this workspace.',
        '  "servers": {',
        '    /* A local one, and a remote one: */',
        `    ${fetchEntry}`,
        '    "github": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", },',
        '  },',
        '}',
      ].join('\n');
    const issuesOf = (text: string) => {
      try {
        parseConfig(text, { file: '.vscode/mcp.json', env: {} });
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map(formatIssue);
        throw error;
      }
      return [];
    };
    expect(issuesOf(jsonc('"fetch": { "command": "uvx", "args": ["mcp-server-fetch",], },'))).toEqual([]);
    expect(issuesOf(jsonc('"fetch": { "command": "uvx" "args": ["mcp-server-fetch",], },'))).toEqual([
      `.vscode/mcp.json:5:33 JSON syntax: Expected ',' or '}' after property value`,
    ]);
    expect(issuesOf(jsonc('"fetch": { "command": "uvx", "args": ["mcp-server-fetch" "--verbose"], },'))).toEqual([
      `.vscode/mcp.json:5:62 JSON syntax: Expected ',' or ']' after array element`,
    ]);
    // A comment left open runs to the end of the file: the error is where it starts.
    expect(issuesOf(jsonc('"fetch": { "command": "uvx" }, /* TODO: args'))).toEqual([
      `.vscode/mcp.json:5:36 JSON syntax: Unterminated comment: '/*' without '*/'`,
    ]);
  });

  it('reads `mcp.servers` from a VS Code settings.json', async () => {
    const fleet = await loadConfigFile(`${dir}/project/vscode-settings.json`, { env: {} });
    expect(fleet.services.map((service) => [service.key, service.transport.type])).toEqual([['time', 'stdio']]);
    expect(fleet.services[0]?.transport).toMatchObject({ cwd: project });
  });
});

describe('other clients', () => {
  it('Windsurf: `serverUrl` is the URL', async () => {
    const fleet = await loadConfigFile(`${dir}/windsurf_mcp_config.json`, { env: {} });
    expect(fleet.services[0]?.transport).toEqual({
      type: 'streamable-http',
      url: 'https://mcp.context7.com/mcp',
      headers: {},
      sseFallback: true,
    });
  });

  it('Cline: `disabled: true` imports as a disabled service; client-only keys are ignored with a warning', async () => {
    const fleet = await loadConfigFile(`${dir}/cline_mcp_settings.json`, { env: {} });
    expect(fleet.services.map((service) => [service.key, service.enabled])).toEqual([
      ['brave-search', true],
      ['puppeteer', false],
    ]);
    expect(byName(fleet, 'brave-search').transport).toMatchObject({ env: { BRAVE_API_KEY: 'demo-key' } });
    expect(fleet.warnings.map((warning) => warning.path)).toEqual(['mcpServers.brave-search.autoApprove', 'mcpServers.puppeteer.alwaysAllow']);
  });
});

describe('format choice', () => {
  it('is by extension: .json imports, anything else is YAML', () => {
    const json = '{"mcpServers": {"a": {"command": "node"}}}';
    expect(parseConfig(json, { file: 'clients.json', env: {} }).services[0]?.key).toBe('a');
    // The same text as YAML is a document whose only key is unknown.
    expect(() => parseConfig(json, { file: 'clients.yaml', env: {} })).toThrow(/unknown key `mcpServers`/);
  });

  it('a duplicate server name in JSON is an error, not a silent overwrite', () => {
    const json = '{"mcpServers": {\n  "a": {"command": "node"},\n  "a": {"command": "deno"}\n}}';
    expect(() => parseConfig(json, { file: 'dup.json', env: {} })).toThrow('dup.json:3:3 mcpServers.a: duplicate key `a`');
  });
});
