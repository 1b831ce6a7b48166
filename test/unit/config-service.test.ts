// A single service given from code (`addService`): same fields and rules as YAML, key paths in errors.

import { describe, expect, it } from 'vitest';
import { formatIssue, parseConfig, parseServiceConfig } from '../../src/config/index.js';
import { issuesOf } from '../support/config-issues.js';
import type { ConfigIssue } from '../../src/config/index.js';

describe('parseServiceConfig', () => {
  it('keeps `protocol: legacy` on the transport, and leaves the default (auto) out', () => {
    const fleet = parseConfig('services:\n  old:\n    url: http://127.0.0.1:1/mcp\n    protocol: legacy\n  new:\n    command: node\n', { file: 'f.yaml', env: {} });
    expect(fleet.services.map((service) => service.transport.type === 'sse' ? null : service.transport.protocol)).toEqual(['legacy', undefined]);
  });

  it('resolves a stdio service with the built-in profiles', () => {
    const service = parseServiceConfig({ name: 'weather', command: 'node', args: ['w.mjs', 8080], profile: 'critical', ping_timeout: '1s' });
    expect(service).toMatchObject({
      name: 'weather',
      agentId: null,
      key: 'weather',
      enabled: true,
      profile: 'critical',
      transport: { type: 'stdio', command: 'node', args: ['w.mjs', '8080'], env: {} },
      lifecycle: { pingTimeout: 1_000, warningFailureThreshold: 1, healthCheckInterval: 10_000 },
    });
  });

  it("resolves against a fleet's defaults and profiles", () => {
    const fleet = parseConfig('defaults:\n  ping_timeout: 7s\nprofiles:\n  slow:\n    connect_timeout: 2m\n', { file: 'f.yaml', env: {} });
    const service = parseServiceConfig(
      { name: 'docs', agent: 'alice', url: 'https://docs.example.com/sse', profile: 'slow' },
      { defaults: fleet.defaults, profiles: fleet.profiles },
    );
    expect(service).toMatchObject({ key: 'alice/docs', agentId: 'alice', lifecycle: { pingTimeout: 7_000, connectTimeout: 120_000 } });
    expect(service.transport).toEqual({ type: 'sse', url: 'https://docs.example.com/sse', headers: {} });
  });

  it('reports every problem by key path, without positions', () => {
    expect(issuesOf(() => parseServiceConfig({ name: 'bad name', comand: 'node', jitter: 2 }))).toEqual([
      'jitter: must be ≤ 1, got 2',
      'name: must use letters, digits, `_`, `.` and `-`, starting with a letter or digit, got "bad name"',
      'comand: unknown key `comand` — did you mean `command`?',
      'needs `command` (a stdio server) or `url` (a remote server)',
    ]);
  });

  it('requires a name and a mapping', () => {
    expect(issuesOf(() => parseServiceConfig({ command: 'node' }))).toEqual(['name: is required (a string)']);
    expect(issuesOf(() => parseServiceConfig('node server.mjs'))).toEqual(['expected a mapping, got "node server.mjs"']);
  });

  it('rejects an unknown profile with the nearest one', () => {
    expect(issuesOf(() => parseServiceConfig({ name: 'a', command: 'node', profile: 'backgrund' }))).toEqual([
      'profile: unknown profile `backgrund` — did you mean `background`? (defined: critical, normal, background)',
    ]);
  });

  it('rejects health tiers out of order and tells about doubtful settings through onWarning', () => {
    expect(issuesOf(() => parseServiceConfig({ name: 'a', command: 'node', warning_threshold: '20s' }))).toEqual([
      'warning_threshold: `warning_threshold` (20s) > `slow_threshold` (10s): health tiers must be in order: healthy ≤ warning ≤ slow',
    ]);
    const warnings: ConfigIssue[] = [];
    parseServiceConfig({ name: 'a', command: 'node', reconnecting_failure_threshold: 2 }, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings.map(formatIssue)).toEqual([
      'reconnecting_failure_threshold: `warning_failure_threshold` (3) ≥ `reconnecting_failure_threshold` (2): a failing service goes from HEALTHY straight to RECONNECTING and never shows WARNING',
    ]);
  });
});
