// README.md cannot drift from the code: its diagram is the generated one, its config table lists every
// key with the default the code uses.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../src/config/duration.js';
import { DEFAULT_GATEWAY_CONFIG } from '../../src/config/gateway-section.js';
import { DEFAULT_LIFECYCLE_CONFIG, DEFAULT_SUPERVISOR_SETTINGS } from '../../src/machines/defaults.js';
import { toMermaid } from '../../src/machines/diagram.js';
import { serviceMachine } from '../../src/machines/service.machine.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const snake = (key: string) => key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The README's `| \`key\` | \`default\` | … |` rows, by key. */
const documentedDefaults = new Map(
  [...readme.matchAll(/^\| `([a-z_]+)` \| `([^`]+)` \|/gm)].map((match) => [match[1] as string, match[2] as string]),
);

describe('README', () => {
  it('shows exactly the diagram the statechart generates', () => {
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block?.trimEnd()).toBe(toMermaid(serviceMachine).trimEnd());
  });

  it.each(Object.entries(DEFAULT_LIFECYCLE_CONFIG))('documents `%s` with its default', (key, value) => {
    const documented = documentedDefaults.get(snake(key));
    expect(documented, `README has no row for ${snake(key)}`).toBeDefined();
    expect(equivalent(key, documented as string, value)).toBe(true);
  });

  it('documents warning_check_interval as following health_check_interval', () => {
    expect(documentedDefaults.get('warning_check_interval')).toBe('health_check_interval');
  });

  it.each(Object.entries(DEFAULT_SUPERVISOR_SETTINGS))('documents supervisor `%s` with its default', (key, value) => {
    const documented = documentedDefaults.get(snake(key));
    expect(documented).toBeDefined();
    expect(equivalent(key, documented as string, value)).toBe(true);
  });

  it('documents the gateway: keys with the defaults the code uses', () => {
    expect(documentedDefaults.get('separator')).toBe(DEFAULT_GATEWAY_CONFIG.separator);
    expect(parseSeconds(documentedDefaults.get('call_wait') ?? '')).toBe(DEFAULT_GATEWAY_CONFIG.callWait);
    expect(documentedDefaults.get('mode')).toBe(DEFAULT_GATEWAY_CONFIG.mode);
    expect(documentedDefaults.get('namespace')).toBe('prefix');
    expect(documentedDefaults.get('allowed_origins')).toBe('[]');
  });

  it('keeps the Quick start to the two set-up commands', () => {
    const quickStart = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = quickStart.split('\n').filter(Boolean).map((line) => line.split('#')[0]?.trim());
    expect(commands).toEqual(['npm ci && npm start', 'npm test']);
  });
});

function equivalent(key: string, documented: string, value: unknown): boolean {
  if (typeof value === 'number' && /(Interval|Timeout|Time|Delay|Threshold|Window)$/.test(key) && !/Failure|Success/.test(key)) {
    return documented === formatDuration(value) || parseSeconds(documented) === value;
  }
  return documented === String(value) || Number(documented) === value;
}

function parseSeconds(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text);
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
