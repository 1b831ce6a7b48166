// Hot reload decides per service: unchanged ones keep their actor, changed ones restart, removed ones
// go, added ones start. Comparison is of effective settings, so `defaults`/profile edits touch only
// the services whose outcome they change.

import { describe, expect, it } from 'vitest';
import { diffFleetConfig, isEmptyDiff, parseConfig } from '../../src/config/index.js';
import type { FleetDiff } from '../../src/config/index.js';

const parse = (text: string) => parseConfig(text, { file: 'fleet.yaml', env: {} });

const keys = (diff: FleetDiff) => ({
  added: diff.added.map((service) => service.key),
  removed: diff.removed.map((service) => service.key),
  changed: diff.changed.map((change) => change.after.key),
  unchanged: diff.unchanged.map((service) => service.key),
  supervisorChanged: diff.supervisorChanged,
});

const base = `
defaults:
  ping_timeout: 3s
profiles:
  fast:
    ping_timeout: 1s
services:
  a:
    command: node
  b:
    command: node
    profile: fast
  c:
    url: https://c.example.com/mcp
`;

describe('diffFleetConfig', () => {
  it('finds nothing to do when only formatting and comments changed', () => {
    const diff = diffFleetConfig(parse(base), parse(`# reformatted\n${base.replace('command: node', 'command: "node"')}`));
    expect(keys(diff)).toEqual({ added: [], removed: [], changed: [], unchanged: ['a', 'b', 'c'], supervisorChanged: false });
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('adds, removes and changes by fleet key', () => {
    const next = base.replace('  c:\n    url: https://c.example.com/mcp\n', '  d:\n    url: https://d.example.com/mcp\n').replace('command: node\n  b', 'command: deno\n  b');
    expect(keys(diffFleetConfig(parse(base), parse(next)))).toEqual({
      added: ['d'],
      removed: ['c'],
      changed: ['a'],
      unchanged: ['b'],
      supervisorChanged: false,
    });
  });

  it('a changed `defaults:` key restarts only the services that do not override it', () => {
    const diff = diffFleetConfig(parse(base), parse(base.replace('ping_timeout: 3s', 'ping_timeout: 4s')));
    expect(keys(diff)).toMatchObject({ changed: ['a', 'c'], unchanged: ['b'] });
    expect(diff.changed[0]?.before.lifecycle.pingTimeout).toBe(3_000);
    expect(diff.changed[0]?.after.lifecycle.pingTimeout).toBe(4_000);
  });

  it('a changed profile restarts only the services using it', () => {
    const diff = diffFleetConfig(parse(base), parse(base.replace('ping_timeout: 1s', 'ping_timeout: 2s')));
    expect(keys(diff)).toMatchObject({ changed: ['b'], unchanged: ['a', 'c'] });
  });

  it('a setting rewritten with the same effect changes nothing', () => {
    const same = base.replace('ping_timeout: 3s', 'ping_timeout: 3000ms').replace('profile: fast', 'ping_timeout: 1');
    expect(isEmptyDiff(diffFleetConfig(parse(base), parse(same)))).toBe(true);
  });

  it('moving a service to another agent removes it from one scope and adds it to the other', () => {
    const diff = diffFleetConfig(parse(base), parse(base.replace('  a:\n', '  alice/a:\n')));
    expect(keys(diff)).toMatchObject({ added: ['alice/a'], removed: ['a'] });
  });

  it('disabling a service is a change (the supervisor stops it)', () => {
    const diff = diffFleetConfig(parse(base), parse(base.replace('url: https://c.example.com/mcp', 'url: https://c.example.com/mcp\n    enabled: false')));
    expect(keys(diff)).toMatchObject({ changed: ['c'] });
  });

  it('header and env values count, even though they are secret', () => {
    const withHeader = base.replace('url: https://c.example.com/mcp', 'url: https://c.example.com/mcp\n    headers: { Authorization: old }');
    const diff = diffFleetConfig(parse(withHeader), parse(withHeader.replace('old', 'new')));
    expect(keys(diff)).toMatchObject({ changed: ['c'] });
  });

  it('reports supervisor settings changes separately', () => {
    const diff = diffFleetConfig(parse(base), parse(`supervisor:\n  max_restarts: 9\n${base}`));
    expect(keys(diff)).toMatchObject({ changed: [], supervisorChanged: true });
    expect(isEmptyDiff(diff)).toBe(false);
  });
});
