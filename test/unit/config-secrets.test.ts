// No secret in a config error: env and header values, URL credentials, query values and key-like path
// tokens are never quoted, through every surface that shows config errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig, parseServiceConfig, redactUrl } from '../../src/config/index.js';
import { validateCommand } from '../../src/cli/validate-command.js';

const SECRETS = ['s3cr3t-bearer-token', 'hunter2', 'abc987', 'sk-proj4f9Qx7LmZ2pR8tW3vY6b'];
const env = { API_TOKEN: 's3cr3t-bearer-token' };

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

const yaml = (service: string) => parseConfig(`services:\n  api:\n${service}`, { file: 'fleet.yaml', env });

describe('config errors never quote a secret', () => {
  it('`headers:` written as a string: says what was found, not the value', () => {
    const error = errorOf(() => yaml('    url: https://api.example.com/mcp\n    headers: "Authorization: Bearer ${API_TOKEN}"\n'));
    expect(error.message).toContain('fleet.yaml:4:14 services.api.headers: expected a mapping, got a string');
    expectNoSecret(error.message);
  });

  it('`env:` written as a string, or a list of strings', () => {
    const asString = errorOf(() => yaml('    command: node\n    env: "TOKEN=${API_TOKEN}"\n'));
    expect(asString.message).toContain('services.api.env: expected a mapping, got a string');
    expectNoSecret(asString.message);
    const asList = errorOf(() => yaml('    command: node\n    env: ["TOKEN=${API_TOKEN}"]\n'));
    expect(asList.message).toContain('services.api.env: expected a mapping, got a list');
  });

  it('a URL where something else was expected shows without its userinfo and query values', () => {
    const error = errorOf(() => parseConfig('services:\n  api: https://user:hunter2@api.example.com/x?key=abc987\n', { file: 'f.yaml', env }));
    expect(error.message).toContain('services.api: expected a mapping, got "https://***:***@api.example.com/x?key=***"');
    expectNoSecret(error.message);
  });

  it('a bad value beside a secret URL shows the URL redacted', () => {
    const error = errorOf(() => yaml('    url: ftp://user:hunter2@api.example.com/x?key=abc987\n'));
    expect(error.message).toContain('got "ftp://***:***@api.example.com/x?key=***"');
    expectNoSecret(error.message);
  });

  it('a key-like token in a URL path is redacted; an ordinary path stays readable', () => {
    const error = errorOf(() => yaml('    transport: https://mcp.example.com/v1/sk-proj4f9Qx7LmZ2pR8tW3vY6b/sse\n    url: https://mcp.example.com/mcp\n'));
    expect(error.message).toContain('got "https://mcp.example.com/v1/***/sse"');
    expectNoSecret(error.message);
    expect(redactUrl('https://mcp.example.com/v1/servers/weather-forecast/mcp')).toBe('https://mcp.example.com/v1/servers/weather-forecast/mcp');
    expect(redactUrl('https://mcp.example.com/s/6f1c2b9e-8d4a-4c1e-9b7f-2a5d3e8c1f0a/mcp')).toBe('https://mcp.example.com/s/***/mcp');
    expect(redactUrl('https://hooks.example.com/ghp_16C7e42F292c6912E7710c838347Ae178B4a')).toBe('https://hooks.example.com/***');
  });

  it('a service from code (`addService`): same rule', () => {
    const error = errorOf(() => parseServiceConfig({ name: 'api', url: 'https://api.example.com/mcp', headers: 'Authorization: Bearer hunter2' }));
    expect(error.message).toContain('headers: expected a mapping, got a string');
    expectNoSecret(error.message);
  });

  it('an imported mcpServers file: same rule', () => {
    const json = JSON.stringify({ mcpServers: { api: { command: 'node', env: 'API_KEY=hunter2' } } });
    const error = errorOf(() => parseConfig(json, { file: 'claude.json', env }));
    expect(error.message).toContain('mcpServers.api.env: expected a mapping, got a string');
    expectNoSecret(error.message);
  });
});

describe('through the file surfaces', () => {
  let dir: string;
  let file: string;
  const secretFleet = 'services:\n  api:\n    url: https://user:hunter2@api.example.com/mcp?key=abc987\n    headers: "Authorization: Bearer s3cr3t-bearer-token"\n';

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-supervisor-secrets-'));
    file = path.join(dir, 'fleet.yaml');
    writeFileSync(file, secretFleet);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loadConfigFile', async () => {
    const error = await loadConfigFile(file, { env }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('services.api.headers: expected a mapping, got a string');
    expectNoSecret((error as ConfigError).message);
  });

  it('`mcp-supervisor validate`', async () => {
    let out = '';
    const io = { stdout: { write: (text: string) => (out += text) }, stderr: { write: (text: string) => (out += text) }, env: {} };
    expect(await validateCommand.execute([file], io)).toBe(1);
    expect(out).toContain('services.api.headers: expected a mapping, got a string');
    expectNoSecret(out);
  });
});
