// Which paths decide what a config path reads: the path, each symbolic link on the way, the final file.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolutionChain } from '../../src/config/resolution-chain.js';

let dir: string;
const chainOf = (name: string) => resolutionChain(path.join(dir, name)).map((entry) => path.relative(dir, entry));

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-supervisor-chain-'));
  mkdirSync(path.join(dir, '..2026_12_01_00_00_00.1'));
  writeFileSync(path.join(dir, '..2026_12_01_00_00_00.1', 'config.yaml'), 'services: {}\n');
  symlinkSync('..2026_12_01_00_00_00.1', path.join(dir, '..data'));
  symlinkSync('..data/config.yaml', path.join(dir, 'config.yaml'));
  symlinkSync(path.join(dir, 'config.yaml'), path.join(dir, 'absolute.yaml'));
  symlinkSync('loop-b', path.join(dir, 'loop-a'));
  symlinkSync('loop-a', path.join(dir, 'loop-b'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resolutionChain', () => {
  it('a ConfigMap mount: the file, the `..data` link, and the versioned file it resolves to', () => {
    expect(chainOf('config.yaml')).toEqual(['config.yaml', '..data', '..2026_12_01_00_00_00.1/config.yaml']);
  });

  it('an absolute link to a link: every hop', () => {
    expect(chainOf('absolute.yaml')).toEqual(['absolute.yaml', 'config.yaml', '..data', '..2026_12_01_00_00_00.1/config.yaml']);
  });

  it('a plain file, and a missing one: the path alone', () => {
    expect(chainOf('..2026_12_01_00_00_00.1/config.yaml')).toEqual(['..2026_12_01_00_00_00.1/config.yaml']);
    expect(chainOf('missing/config.yaml')).toEqual(['missing/config.yaml']);
  });

  it('a loop of links ends (as the kernel’s ELOOP does) with the links seen', () => {
    expect(chainOf('loop-a')).toEqual(['loop-a', 'loop-b']);
  });
});
