// The operators' settings in YAML: `http:` (listen address, token, readiness) and the `critical`
// service key, validated with file:line:col like the rest of the file; and the readiness policy.

import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/index.js';
import { parseListenAddress } from '../../src/config/listen-address.js';
import { readinessOf } from '../../src/observe/readiness.js';
import { issuesOf } from '../support/config-issues.js';

const parse = (text: string, env: Record<string, string> = {}) => parseConfig(text, { file: 'fleet.yaml', env });

describe('http:', () => {
  it('reads the listen address, the token and the readiness policy', () => {
    const config = parse(
      'http:\n  listen: 0.0.0.0:9464\n  token: ${TOKEN}\n  readiness: [files]\nservices:\n  files: { command: node, critical: true }\n',
      { TOKEN: 'abc' },
    );
    expect(config.http).toEqual({ listen: { host: '0.0.0.0', port: 9464 }, token: 'abc', readiness: { services: ['files'] } });
    expect(config.services[0]?.critical).toBe(true);
  });

  it('defaults to the services marked critical, and to none at all without http:', () => {
    expect(parse('http:\n  listen: 127.0.0.1:0\n').http).toEqual({ listen: { host: '127.0.0.1', port: 0 }, token: null, readiness: 'critical' });
    expect(parse('services:\n  files: { command: node }\n').http).toBeNull();
    expect(parse('services:\n  files: { command: node }\n').services[0]?.critical).toBe(false);
  });

  it('places every mistake at its line and column', () => {
    expect(issuesOf(() => parse('http:\n  listen: here\n'))).toEqual([
      'fleet.yaml:2:11 http.listen: expected HOST:PORT, e.g. 127.0.0.1:9464 ([::1]:9464 for IPv6; port 0 picks a free one), got "here"',
    ]);
    expect(issuesOf(() => parse('http:\n  listen: 0.0.0.0:9464\n'))).toEqual([
      'fleet.yaml:2:11 http.listen: 0.0.0.0 is reachable from other machines: set `token` (e.g. token: ${MCP_SUPERVISOR_HTTP_TOKEN}), or listen on 127.0.0.1',
    ]);
    expect(issuesOf(() => parse('http:\n  listen: 127.0.0.1:1\n  readiness: [fils]\nservices:\n  files: { command: node }\n'))).toEqual([
      'fleet.yaml:3:15 http.readiness[0]: unknown service `fils` — did you mean `files`? (readiness names services by their key: `name` or `agent/name`)',
    ]);
  });
});

describe('parseListenAddress', () => {
  it('reads IPv4, IPv6, names and a port alone', () => {
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ ok: true, address: { host: '127.0.0.1', port: 0 } });
    expect(parseListenAddress('[::1]:9464')).toEqual({ ok: true, address: { host: '::1', port: 9464 } });
    expect(parseListenAddress('localhost:80')).toEqual({ ok: true, address: { host: 'localhost', port: 80 } });
    expect(parseListenAddress('9464')).toEqual({ ok: true, address: { host: '127.0.0.1', port: 9464 } });
    expect(parseListenAddress('127.0.0.1:70000')).toMatchObject({ ok: false, message: 'the port must be from 0 to 65535, got 70000' });
    expect(parseListenAddress('[nope]:1')).toMatchObject({ ok: false });
  });
});

describe('readinessOf', () => {
  const services = [
    { key: 'files', available: true },
    { key: 'search', available: false },
  ];
  it('by default waits for every service marked critical (ready when none is)', () => {
    expect(readinessOf('critical', services, new Set(['search']))).toEqual({ ready: false, waitingFor: ['search'] });
    expect(readinessOf('critical', services, new Set(['files']))).toEqual({ ready: true, waitingFor: [] });
    expect(readinessOf('critical', services, new Set())).toEqual({ ready: true, waitingFor: [] });
  });
  it('can wait for all services, any one, or a list', () => {
    expect(readinessOf('all', services, new Set())).toEqual({ ready: false, waitingFor: ['search'] });
    expect(readinessOf('any', services, new Set())).toEqual({ ready: true, waitingFor: [] });
    expect(readinessOf('any', [], new Set())).toEqual({ ready: false, waitingFor: [] });
    expect(readinessOf({ services: ['files', 'gone'] }, services, new Set())).toEqual({ ready: false, waitingFor: ['gone'] });
  });
});

describe('config/examples/operators.yaml', () => {
  it('is valid, with both of the lifecycle\'s alert rules and every kind of sink', async () => {
    const config = await loadConfigFile('config/examples/operators.yaml', { env: {} });
    expect(config.http?.listen).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(config.alerts?.sinks.map((sink) => sink.type)).toEqual(['webhook', 'command', 'email']);
    expect(config.alerts?.rules.slice(0, 2).map((rule) => rule.trigger)).toEqual([
      { kind: 'enters', states: ['WARNING', 'RECONNECTING', 'UNREACHABLE'] },
      { kind: 'lasts', state: 'UNREACHABLE', forMs: 5 * 60_000 },
    ]);
  });

  it('rejects a rule naming an unknown sink or service, or with no trigger', () => {
    const yaml = (rule: string) => `alerts:\n  sinks:\n    ops: { type: webhook, url: "http://127.0.0.1:9/x" }\n  rules:\n    r: ${rule}\nservices:\n  files: { command: node }\n`;
    expect(issuesOf(() => parse(yaml('{ enters: [WARNING], sinks: [opz] }')))).toEqual([
      'fleet.yaml:5:37 alerts.rules.r.sinks[0]: unknown sink `opz` — did you mean `ops`? (defined: ops)',
    ]);
    expect(issuesOf(() => parse(yaml('{ enters: [WARNING], services: [file], sinks: [ops] }')))).toEqual([
      'fleet.yaml:5:40 alerts.rules.r.services[0]: unknown service `file` — did you mean `files`? (defined: files)',
    ]);
    expect(issuesOf(() => parse(yaml('{ state: UNREACHABLE, sinks: [ops] }')))).toEqual([
      'fleet.yaml:5:5 alerts.rules.r: needs `for`: e.g. enters: [WARNING, RECONNECTING, UNREACHABLE], or state: UNREACHABLE with for: 5m',
    ]);
  });
});
