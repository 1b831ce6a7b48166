// Hostile or runaway config files: bounded size and alias expansion with errors that say the limit and
// what to do; big files parse on a worker thread while the event loop keeps turning.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/index.js';
import { issuesOf } from '../support/config-issues.js';
import { parseConfigAsync } from '../../src/config/load.js';
import { MAX_ALIAS_EXPANSION } from '../../src/config/aliases.js';
import { MAX_CONFIG_BYTES } from '../../src/config/source.js';

const parse = (text: string) => parseConfig(text, { file: 'fleet.yaml', env: {} });

/** The chaos run's shape: many aliases of one big anchored list, under keys the schema never descends. */
const aliasBomb = (items: number, aliases: number) =>
  `x-big: &big\n${'  - 1\n'.repeat(items)}x-refs:\n${'  - *big\n'.repeat(aliases)}services: {}\n`;

/** A valid fleet of `count` stdio services. */
const fleetOf = (count: number) =>
  `services:\n${Array.from({ length: count }, (_, i) => `  service-${i}:\n    command: node\n    args: [server-${i}.mjs, --port, ${10_000 + i}]\n`).join('')}`;

describe('alias expansion', () => {
  it('refuses aliases that stand for more values than a config may expand to, at the anchor that costs most', () => {
    expect(issuesOf(() => parse(aliasBomb(2_000, 999)))).toEqual([
      `fleet.yaml:2:3 x-big: YAML: the aliases in this file stand for 1,998,999 values, more than the ${MAX_ALIAS_EXPANSION.toLocaleString('en-US')} ` +
        'a config may expand to (`*big` alone: 999 uses of 2,001 values): write the values out, or anchor a smaller block',
    ]);
  });

  it('counts nested aliases as what they expand to (a "billion laughs")', () => {
    const laughs = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (const [name, previous] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']]) {
      laughs.push(`${name}: &${name} [${Array.from({ length: 10 }, () => `*${previous}`).join(', ')}]`);
    }
    const [issue] = issuesOf(() => parse(`${laughs.join('\n')}\nservices: {}\n`));
    // Each level is 10 uses of the one before: `*e` in `f` stands for 111,111 values, ten times.
    expect(issue).toBe(
      'fleet.yaml:5:7 e: YAML: the aliases in this file stand for 1,234,550 values, more than the 100,000 a config may expand to ' +
        '(`*e` alone: 10 uses of 111,111 values): write the values out, or anchor a smaller block',
    );
  });

  it('takes `<<: *defaults` in every service of a large fleet (more than yaml’s own limit of 1,000 uses)', () => {
    const services = Array.from({ length: 1_500 }, (_, i) => `  s${i}:\n    <<: *base\n    command: node\n`).join('');
    const fleet = parse(`x-base: &base\n  ping_timeout: 7s\nservices:\n${services}`.replace('x-base', 'defaults'));
    expect(fleet.services).toHaveLength(1_500);
    expect(fleet.services.at(-1)?.lifecycle.pingTimeout).toBe(7_000);
  });

  it('refuses an alias inside the block it names (the data would contain itself)', () => {
    expect(issuesOf(() => parse('services:\n  a:\n    command: node\n    args: &loop [x, *loop]\n'))).toEqual([
      'fleet.yaml:4:21 services.a.args[1]: YAML: alias `*loop` is inside the block `&loop` it names: a config cannot contain itself',
    ]);
  });

  it('shows an error in an aliased value where the alias is used', () => {
    const text = 'services:\n  a:\n    command: node\n    ping_timeout: &zero 0\n  b:\n    command: node\n    ping_timeout: *zero\n';
    expect(issuesOf(() => parse(text))).toEqual([
      'fleet.yaml:4:25 services.a.ping_timeout: must be > 0, got 0',
      'fleet.yaml:7:19 services.b.ping_timeout: must be > 0, got 0',
    ]);
  });

  it('reports a duplicate key in a large mapping once, at the second one', () => {
    const text = `${fleetOf(3_000)}  service-17:\n    command: deno\n`;
    expect(issuesOf(() => parse(text))).toEqual([
      `fleet.yaml:${3 * 3_000 + 2}:3 services.service-17: duplicate key \`service-17\`: a key may appear only once in a mapping`,
    ]);
  });
});

describe('file size', () => {
  const big = `# ${'x'.repeat(MAX_CONFIG_BYTES)}\nservices: {}\n`;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-supervisor-bounds-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const limit = `the file is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB, the most a config may be`;

  it('refuses a text larger than a config may be, saying the limit and what to do', () => {
    const [issue] = issuesOf(() => parse(big));
    expect(issue).toContain(`fleet.yaml ${limit}`);
    expect(issue).toContain('check that this is the config you meant, and move any bulk data out of it');
  });

  it('refuses such a file without reading more of it than the limit', async () => {
    const file = path.join(dir, 'huge.yaml');
    writeFileSync(file, big);
    const error = await loadConfigFile(file, { env: {} }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(limit);
  });

  it('lists at most 100 errors in a message and counts the rest', () => {
    const text = `services:\n${Array.from({ length: 150 }, (_, i) => `  s${i}:\n    command: node\n    ping_timeout: 0\n`).join('')}`;
    const error = (() => {
      try {
        return parse(text);
      } catch (thrown) {
        return thrown;
      }
    })() as ConfigError;
    expect(error.issues).toHaveLength(150);
    expect(error.message.split('\n').filter((line) => line.includes('ping_timeout'))).toHaveLength(100);
    expect(error.message).toContain('… and 50 more errors: fix these first');
  });
});

describe('parsing on a worker thread', () => {
  /** Counts event-loop turns until `work` settles: zero if it ran on this thread in one piece. */
  async function turnsDuring(work: () => Promise<unknown>): Promise<{ turns: number; result: unknown }> {
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns += 1;
      setImmediate(spin);
    };
    setImmediate(spin);
    const result = await work().catch((error: unknown) => error);
    done = true;
    return { turns, result };
  }

  it('a big fleet: the same fleet as on this thread, while the event loop keeps turning', async () => {
    const text = fleetOf(1_000);
    const { turns, result } = await turnsDuring(() => parseConfigAsync(text, { file: '/srv/fleet.yaml', env: {} }));
    expect(result).toEqual(parseConfig(text, { file: '/srv/fleet.yaml', env: {} }));
    expect(turns).toBeGreaterThan(0);
  });

  it('the chaos run’s shape (999 aliases of one big anchored list): rejected, and the event loop kept turning', async () => {
    const { turns, result } = await turnsDuring(() => parseConfigAsync(aliasBomb(20_000, 999), { file: 'bomb.yaml', env: {} }));
    expect(result).toBeInstanceOf(ConfigError);
    expect((result as ConfigError).message).toContain('stand for 19,980,999 values, more than the 100,000 a config may expand to');
    expect(turns).toBeGreaterThan(0);
  });

  it('a small file without anchors parses on this thread (milliseconds; no worker to start)', async () => {
    const { turns, result } = await turnsDuring(() => parseConfigAsync(fleetOf(3), { file: 'small.yaml', env: {} }));
    expect(result).toMatchObject({ services: [{ key: 'service-0' }, { key: 'service-1' }, { key: 'service-2' }] });
    expect(turns).toBe(0);
  });
});
