// `${VAR}` and `${VAR:-default}` from the environment in string values; `$${` escapes.

import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, parseConfig } from '../../src/config/index.js';
import { environmentResolver, interpolate } from '../../src/config/interpolate.js';

const resolve = environmentResolver({ TOKEN: 'abc', EMPTY: '', HOST: 'example.com' });

describe('interpolate', () => {
  it.each([
    ['Bearer ${TOKEN}', 'Bearer abc'],
    ['${TOKEN}${TOKEN}', 'abcabc'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY}', ''],
    ['${TOKEN:-unused}', 'abc'],
    ['${MISSING:-https://${HOST}/mcp}', 'https://example.com/mcp'],
    ['${env:TOKEN}', 'abc'],
    ['$${TOKEN}', '${TOKEN}'],
    ['cost: $5, ${TOKEN}', 'cost: $5, abc'],
    ['no variables', 'no variables'],
  ])('%j → %j', (text, value) => {
    expect(interpolate(text, resolve)).toMatchObject({ ok: true, value });
  });

  it('reports every problem of a string with its offset', () => {
    const result = interpolate('${A}-${TOKEN}-${B}', resolve);
    expect(result).toEqual({
      ok: false,
      problems: [
        { index: 0, expression: '${A}', message: 'environment variable `A` is not set (give a default with `${A:-default}`)' },
        { index: 14, expression: '${B}', message: 'environment variable `B` is not set (give a default with `${B:-default}`)' },
      ],
    });
  });

  it.each([
    ['${}', 'is not a valid reference'],
    ['${9LIVES}', 'is not a valid reference'],
    ['${A B}', 'is not a valid reference'],
    ['${A:?err}', 'is not a valid reference'],
    ['${TOKEN', 'unterminated'],
    ['${input:key}', 'is not an environment variable'],
  ])('rejects %j', (text, message) => {
    const result = interpolate(text, resolve);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]?.message).toContain(message);
  });
});

describe('interpolation in a YAML file', () => {
  const yaml = (service: string) => `services:\n  api:\n${service}`;
  const env = { PORT: '8080', TOKEN: 'secret', DEBUG: 'true', TIMEOUT: '5' };

  it('applies to string values anywhere: args, env, headers, urls, durations', () => {
    const fleet = parseConfig(
      yaml('    url: http://localhost:${PORT}/mcp\n    headers: { Authorization: "Bearer ${TOKEN}" }\n    ping_timeout: ${TIMEOUT}s\n'),
      { file: 'f.yaml', env },
    );
    expect(fleet.services[0]?.transport).toMatchObject({ url: 'http://localhost:8080/mcp', headers: { Authorization: 'Bearer secret' } });
    expect(fleet.services[0]?.lifecycle.pingTimeout).toBe(5_000);
  });

  it('types an unquoted result like YAML would (a number is seconds); a quoted one stays text', () => {
    const plain = parseConfig(yaml('    command: node\n    ping_timeout: ${TIMEOUT}\n    enable_adaptive_timeout: ${DEBUG}\n'), { file: 'f.yaml', env });
    expect(plain.services[0]?.lifecycle).toMatchObject({ pingTimeout: 5_000, enableAdaptiveTimeout: true });
    expect(() => parseConfig(yaml('    command: node\n    ping_timeout: "${TIMEOUT}"\n'), { file: 'f.yaml', env })).toThrow(
      'f.yaml:4:19 services.api.ping_timeout: "5" has no unit',
    );
  });

  it('passes numbers to env and args as text', () => {
    const fleet = parseConfig(yaml('    command: node\n    args:\n      - --port\n      - ${PORT}\n    env:\n      PORT: ${PORT}\n      VERBOSE: true\n'), { file: 'f.yaml', env });
    expect(fleet.services[0]?.transport).toMatchObject({ args: ['--port', '8080'], env: { PORT: '8080', VERBOSE: 'true' } });
  });

  it('says to quote an unquoted ${VAR} inside a flow collection, where `{` has a meaning of its own', () => {
    expect(() => parseConfig(yaml('    command: node\n    args: [--port, ${PORT}]\n'), { file: 'f.yaml', env })).toThrow(
      'f.yaml:4:21 YAML syntax: missing , or : between flow sequence items (inside `[…]` or `{…}`, quote a value that contains `${…}`)',
    );
    const quoted = parseConfig(yaml('    command: node\n    args: [--port, "${PORT}"]\n'), { file: 'f.yaml', env });
    expect(quoted.services[0]?.transport).toMatchObject({ args: ['--port', '8080'] });
  });

  it('leaves keys and comments alone', () => {
    const fleet = parseConfig(yaml('    command: node # ${NOT_SET}\n    env: { "${KEY}": x }\n'), { file: 'f.yaml', env });
    expect(fleet.services[0]?.transport).toMatchObject({ env: { '${KEY}': 'x' } });
  });

  it('reports every missing variable together, each at its own line and column', () => {
    const text = yaml('    url: https://${HOST}/mcp\n    headers:\n      X-Key: ${KEY}\n    ping_timeout: 0\n');
    const error = (() => {
      try {
        parseConfig(text, { file: 'f.yaml', env: {} });
        return null;
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(formatIssue)).toEqual([
      'f.yaml:3:18 services.api.url: environment variable `HOST` is not set (give a default with `${HOST:-default}`)',
      'f.yaml:5:14 services.api.headers.X-Key: environment variable `KEY` is not set (give a default with `${KEY:-default}`)',
      'f.yaml:6:19 services.api.ping_timeout: must be > 0, got 0',
    ]);
  });

  it('reads from process.env when no env is given', () => {
    process.env.MCP_SUPERVISOR_TEST_COMMAND = 'node';
    try {
      expect(parseConfig(yaml('    command: ${MCP_SUPERVISOR_TEST_COMMAND}\n'), { file: 'f.yaml' }).services[0]?.transport).toMatchObject({ command: 'node' });
    } finally {
      delete process.env.MCP_SUPERVISOR_TEST_COMMAND;
    }
  });
});
