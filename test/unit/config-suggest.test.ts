// "Did you mean": a slip gives the one key meant; a typo that also changes a word gives up to three keys
// that share its other words, best first.

import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { LIFECYCLE_KEYS } from '../../src/config/schema.js';
import { didYouMean, suggestions } from '../../src/config/suggest.js';

const SERVICE_KEYS = [...LIFECYCLE_KEYS, 'command', 'args', 'env', 'cwd', 'url', 'transport', 'headers', 'profile', 'agent', 'enabled'];

describe('suggestions', () => {
  it.each([
    ['comand', 'command'],
    ['jiter', 'jitter'],
    ['priorty', 'priority'],
    ['pingtimeout', 'ping_timeout'],
    ['ping_timout', 'ping_timeout'],
    ['helth_check_interval', 'health_check_interval'],
    ['healthcheck_interval', 'health_check_interval'],
    ['startup_wait', 'startup_wait_time'],
  ])('a slip: `%s` → only `%s`', (typo, meant) => {
    expect(suggestions(typo, SERVICE_KEYS)).toEqual([meant]);
  });

  it('a misspelt word plus a changed word: the keys sharing its words, the most in common first', () => {
    expect(suggestions('helth_check_timeout', SERVICE_KEYS)).toEqual(['health_check_interval', 'ping_timeout', 'connect_timeout']);
  });

  it.each([
    ['request_timeout', ['ping_timeout', 'connect_timeout', 'disconnect_timeout']],
    ['reconnect_delay', ['reconnect_max_delay', 'reconnect_base_delay', 'max_reconnect_attempts']],
    ['warning_failures', ['warning_failure_threshold', 'warning_threshold', 'warning_check_interval']],
    ['check_interval', ['health_check_interval', 'warning_check_interval', 'tools_update_interval']],
  ])('an ambiguous key: `%s` → %j', (typo, expected) => {
    expect(suggestions(typo, SERVICE_KEYS)).toEqual(expected);
  });

  it('nothing for a word that resembles no key', () => {
    expect(suggestions('xyz', SERVICE_KEYS)).toEqual([]);
    expect(suggestions('color_scheme', SERVICE_KEYS)).toEqual([]);
  });

  it('spells one, two or three candidates as a sentence', () => {
    expect(didYouMean('comand', SERVICE_KEYS)).toBe(' — did you mean `command`?');
    expect(didYouMean('timeout', ['ping_timeout', 'connect_timeout'])).toBe(' — did you mean `ping_timeout` or `connect_timeout`?');
    expect(didYouMean('timeout', SERVICE_KEYS)).toBe(' — did you mean `ping_timeout`, `connect_timeout` or `disconnect_timeout`?');
    expect(didYouMean('xyz', SERVICE_KEYS)).toBe('');
  });
});

describe('in a config error', () => {
  it('an unknown service key offers up to three keys', () => {
    expect(() => parseConfig('services:\n  a:\n    command: node\n    helth_check_timeout: 5s\n', { file: 'f.yaml', env: {} })).toThrow(
      'f.yaml:4:5 services.a.helth_check_timeout: unknown key `helth_check_timeout` — did you mean `health_check_interval`, `ping_timeout` or `connect_timeout`?',
    );
  });
});
