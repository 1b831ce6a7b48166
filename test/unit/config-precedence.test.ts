// Precedence: built-in defaults < `defaults:` < profile < the service's own keys; the resolved
// model the supervisor consumes (transports, scopes, supervisor settings) and the cross-key warnings.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIFECYCLE_CONFIG, DEFAULT_SUPERVISOR_SETTINGS, resolveLifecycleConfig } from '../../src/machines/defaults.js';
import { BUILT_IN_PROFILES, formatIssue, loadConfigFile, parseConfig, parseServiceConfig } from '../../src/config/index.js';
import type { FleetConfig, ServiceConfig } from '../../src/config/index.js';

const parse = (text: string, file = 'fleet.yaml'): FleetConfig => parseConfig(text, { file, env: {} });

function service(fleet: FleetConfig, key: string): ServiceConfig {
  const found = fleet.services.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no service ${key}`);
  return found;
}

describe('precedence', () => {
  const fleet = parse(`
defaults:
  health_check_interval: 20s
  ping_timeout: 2s
  max_reconnect_attempts: 7
profiles:
  fast:
    ping_timeout: 500ms
    max_reconnect_attempts: 3
services:
  plain:
    command: node
  profiled:
    command: node
    profile: fast
  overridden:
    command: node
    profile: fast
    max_reconnect_attempts: 1
    priority: critical
`);

  it('a service with no settings gets the built-in defaults overlaid by `defaults:`', () => {
    expect(service(fleet, 'plain').lifecycle).toEqual(
      resolveLifecycleConfig({ healthCheckInterval: 20_000, pingTimeout: 2_000, maxReconnectAttempts: 7 }),
    );
  });

  it('a profile overrides `defaults:` key by key', () => {
    expect(service(fleet, 'profiled').lifecycle).toMatchObject({ healthCheckInterval: 20_000, pingTimeout: 500, maxReconnectAttempts: 3 });
    expect(service(fleet, 'profiled').profile).toBe('fast');
  });

  it("the service's own keys override its profile", () => {
    expect(service(fleet, 'overridden').lifecycle).toMatchObject({ pingTimeout: 500, maxReconnectAttempts: 1, priority: 'critical' });
  });

  it('keys set nowhere keep their built-in defaults', () => {
    expect(service(fleet, 'overridden').lifecycle.jitter).toBe(DEFAULT_LIFECYCLE_CONFIG.jitter);
    expect(service(fleet, 'overridden').lifecycle.maxDisconnectedAgeHours).toBe(168);
  });

  it('warning_check_interval follows the effective health_check_interval unless set', () => {
    expect(service(fleet, 'plain').lifecycle.warningCheckInterval).toBe(20_000);
    const own = parse('services:\n  a:\n    command: node\n    health_check_interval: 5s\n    warning_check_interval: 1s\n');
    expect(own.services[0]?.lifecycle).toMatchObject({ healthCheckInterval: 5_000, warningCheckInterval: 1_000 });
  });

  it('keeps the defaults and profiles layers for services added later from code', () => {
    expect(fleet.defaults).toEqual({ healthCheckInterval: 20_000, pingTimeout: 2_000, maxReconnectAttempts: 7 });
    expect(fleet.profiles.fast).toEqual({ pingTimeout: 500, maxReconnectAttempts: 3 });
    expect(fleet.profiles.critical).toEqual(BUILT_IN_PROFILES.critical);
  });
});

describe('built-in profiles', () => {
  it.each([
    ['critical', { warningFailureThreshold: 1, reconnectingFailureThreshold: 2, maxReconnectAttempts: 20, healthCheckInterval: 10_000, priority: 'critical' }],
    ['normal', { warningFailureThreshold: 3, reconnectingFailureThreshold: 5, maxReconnectAttempts: 10, healthCheckInterval: 30_000, priority: 'normal' }],
    ['background', { warningFailureThreshold: 5, reconnectingFailureThreshold: 10, maxReconnectAttempts: 5, healthCheckInterval: 60_000, priority: 'low' }],
  ])('`%s` applies without being declared', (profile, expected) => {
    const fleet = parse(`services:\n  a:\n    command: node\n    profile: ${profile}\n`);
    expect(fleet.services[0]?.lifecycle).toMatchObject(expected);
  });

  it('a profile’s priority wins over `defaults:`, and the service’s own `priority:` over both', () => {
    const fleet = parse(`
defaults:
  priority: high
services:
  background-job:
    command: node
    profile: background
  pinned:
    command: node
    profile: critical
    priority: normal
  plain:
    command: node
`);
    expect(service(fleet, 'background-job').lifecycle.priority).toBe('low');
    expect(service(fleet, 'pinned').lifecycle.priority).toBe('normal');
    expect(service(fleet, 'plain').lifecycle.priority).toBe('high');
  });

  it('a declared profile of the same name replaces the built-in one whole', () => {
    const fleet = parse('profiles:\n  critical:\n    ping_timeout: 1s\nservices:\n  a:\n    command: node\n    profile: critical\n');
    expect(fleet.services[0]?.lifecycle).toMatchObject({ pingTimeout: 1_000, warningFailureThreshold: 3, healthCheckInterval: 30_000 });
  });

  it('config/examples/profiles.yaml declares them with the same values', async () => {
    const example = await loadConfigFile('config/examples/profiles.yaml', { env: {} });
    for (const name of ['critical', 'normal', 'background']) expect(example.profiles[name]).toEqual(BUILT_IN_PROFILES[name]);
  });
});

describe('durations and units', () => {
  it('numbers are seconds, strings take units, *_hours are hours', () => {
    const fleet = parse(`
defaults:
  health_check_interval: 45
  ping_timeout: 1.5
  startup_wait_time: 0
  tools_update_interval: 2h
  connect_timeout: 250ms
  unreachable_max_delay: 10m
  cleanup_interval_hours: 12
  max_disconnected_age_hours: 0.5
services:
  a:
    command: node
`);
    expect(fleet.services[0]?.lifecycle).toMatchObject({
      healthCheckInterval: 45_000,
      pingTimeout: 1_500,
      startupWaitTime: 0,
      toolsUpdateInterval: 7_200_000,
      connectTimeout: 250,
      unreachableMaxDelay: 600_000,
      cleanupIntervalHours: 12,
      maxDisconnectedAgeHours: 0.5,
    });
  });
});

describe('supervisor settings', () => {
  it('default to the documented settings and take the `supervisor:` block', () => {
    expect(parse('services:\n  a:\n    command: node\n').supervisor).toEqual(DEFAULT_SUPERVISOR_SETTINGS);
    const fleet = parse('supervisor:\n  max_concurrent_connects: 2\n  restart_window: 2m\nservices:\n  a:\n    command: node\n');
    expect(fleet.supervisor).toEqual({ maxConcurrentConnects: 2, maxRestarts: 5, restartWindow: 120_000 });
  });
});

describe('transports', () => {
  const fleet = parse(
    `
services:
  local:
    command: node
    args: [server.mjs]
    cwd: ../servers
    env: { LEVEL: debug }
  beside:
    command: ./bin/server
  inferred-http:
    url: https://a.example.com/mcp
  inferred-sse:
    url: https://b.example.com/v1/sse
  explicit-http:
    url: https://c.example.com/sse
    transport: streamable-http
    headers: { X-Key: k }
`,
    'configs/fleet.yaml',
  );

  it('stdio: command, args, env; a relative cwd resolves against the config file’s directory', () => {
    expect(service(fleet, 'local').transport).toEqual({
      type: 'stdio',
      command: 'node',
      args: ['server.mjs'],
      env: { LEVEL: 'debug' },
      cwd: path.resolve('servers'),
    });
  });

  it('stdio without `cwd` runs in the config file’s directory, whatever the shell’s directory is', () => {
    expect(service(fleet, 'beside').transport).toEqual({ type: 'stdio', command: './bin/server', args: [], env: {}, cwd: path.resolve('configs') });
  });

  it('a service given from code (no file) keeps `cwd` as written: the process’s own directory when absent', () => {
    expect(parseServiceConfig({ name: 'code', command: 'node' }).transport).not.toHaveProperty('cwd');
    expect(parseServiceConfig({ name: 'code', command: 'node', cwd: 'work' }).transport).toMatchObject({ cwd: 'work' });
  });

  it('a URL without `transport` is Streamable HTTP with SSE fallback, or SSE when its path ends in /sse', () => {
    expect(service(fleet, 'inferred-http').transport).toEqual({ type: 'streamable-http', url: 'https://a.example.com/mcp', headers: {}, sseFallback: true });
    expect(service(fleet, 'inferred-sse').transport).toEqual({ type: 'sse', url: 'https://b.example.com/v1/sse', headers: {} });
  });

  it('an explicit `transport` is taken as is, without fallback', () => {
    expect(service(fleet, 'explicit-http').transport).toEqual({
      type: 'streamable-http',
      url: 'https://c.example.com/sse',
      headers: { 'X-Key': 'k' },
      sseFallback: false,
    });
  });
});

describe('scopes and names', () => {
  const fleet = parse(`
services:
  search:
    url: https://s.example.com/mcp
  notes:
    agent: alice
    command: node
  bob/notes:
    command: node
  carol/notes:
    agent: carol
    command: node
    enabled: false
`);

  it('the fleet key is `name` globally and `agent/name` in an agent’s scope', () => {
    expect(fleet.services.map(({ key, name, agentId }) => [key, name, agentId])).toEqual([
      ['search', 'search', null],
      ['alice/notes', 'notes', 'alice'],
      ['bob/notes', 'notes', 'bob'],
      ['carol/notes', 'notes', 'carol'],
    ]);
  });

  it('services are enabled unless they say otherwise', () => {
    expect(fleet.services.map((entry) => entry.enabled)).toEqual([true, true, true, false]);
  });
});

describe('warnings', () => {
  it('warning_failure_threshold ≥ reconnecting_failure_threshold is valid but warned, once, where it was set', () => {
    const fleet = parse(`
defaults:
  warning_failure_threshold: 5
  reconnecting_failure_threshold: 5
services:
  a:
    command: node
  b:
    command: node
`);
    expect(fleet.services).toHaveLength(2);
    expect(fleet.warnings.map(formatIssue)).toEqual([
      'fleet.yaml:3:30 defaults.warning_failure_threshold: `warning_failure_threshold` (5) ≥ `reconnecting_failure_threshold` (5): a failing service goes from HEALTHY straight to RECONNECTING and never shows WARNING',
    ]);
  });

  it('points at the service key that makes the conflict', () => {
    const fleet = parse('services:\n  a:\n    command: node\n    warning_failure_threshold: 6\n');
    expect(fleet.warnings.map(formatIssue)).toEqual([
      'fleet.yaml:4:32 services.a.warning_failure_threshold: `warning_failure_threshold` (6) ≥ `reconnecting_failure_threshold` (5): a failing service goes from HEALTHY straight to RECONNECTING and never shows WARNING',
    ]);
  });

  it('a base delay above its maximum is a warning', () => {
    const fleet = parse('services:\n  a:\n    command: node\n    reconnect_base_delay: 2m\n');
    expect(fleet.warnings.map((warning) => warning.message)).toEqual([
      '`reconnect_base_delay` (2m) > `reconnect_max_delay` (1m): every reconnect waits the maximum delay',
    ]);
  });

  it('an empty file is valid and runs nothing, with a warning', () => {
    const fleet = parse('# nothing yet\n');
    expect(fleet.services).toEqual([]);
    expect(fleet.warnings.map((warning) => warning.message)).toEqual(['no services are defined; nothing will run']);
  });

  it('YAML anchors and merge keys work', () => {
    const fleet = parse('services:\n  a: &base\n    command: node\n    ping_timeout: 1s\n  b:\n    <<: *base\n    ping_timeout: 2s\n');
    expect(fleet.services.map((entry) => [entry.key, entry.lifecycle.pingTimeout])).toEqual([
      ['a', 1_000],
      ['b', 2_000],
    ]);
  });
});

describe('the demo fleet (config/services.yaml)', () => {
  it('finds its servers from any directory: each runs in config/ and its script path is read from there', async () => {
    const fleet = await loadConfigFile(path.resolve('config/services.yaml'), { env: {} });
    expect(fleet.services.map((entry) => entry.key)).toEqual(['steady', 'slow', 'flaky']);
    for (const { transport } of fleet.services) {
      if (transport.type !== 'stdio') throw new Error('the demo fleet is stdio only');
      expect(transport.cwd).toBe(path.resolve('config'));
      expect(existsSync(path.resolve(transport.cwd ?? '', transport.args[0] ?? ''))).toBe(true);
    }
  });
});
