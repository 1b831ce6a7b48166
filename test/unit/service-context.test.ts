// The service context stays small enough for V8's fast mode. XState's `assign` copies it with
// `Object.assign({}, context, update)` on every action, and V8 turns such a copy with 20 or more
// properties into a slow dictionary (more memory per service, and the copy is the hottest part of a
// health check). Groups are copied the same way when they change.

import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { startService } from '../support/service-harness.js';

setFlagsFromString('--allow-natives-syntax');
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- V8's %-natives can be parsed only once the flag above is set, at run time: the check must be compiled from a string
const hasFastProperties = new Function('value', 'return %HasFastProperties(value)') as (value: object) => boolean;

const SECOND = 1000;

describe('the service context', () => {
  it('and each of its groups stay in fast mode through a health check, a failure and a reconnect', async () => {
    const h = await startService({ config: { warningFailureThreshold: 1, reconnectingFailureThreshold: 2, jitter: 0 } });
    const seen: object[] = [];
    const record = () => {
      const { context } = h.actor.getSnapshot();
      seen.push(context, context.health, context.retry, context.connection, context.tools);
    };
    await h.advance(2 * SECOND);
    record();
    h.io.defaults.ping = 'fail';
    await h.advanceUntil(() => h.state === 'WARNING', 3600 * SECOND);
    record();
    await h.advanceUntil(() => h.path.includes('RECONNECTING'), 3600 * SECOND);
    h.io.defaults.ping = 'succeed';
    await h.advance(30 * SECOND);
    record();
    for (const value of seen) {
      expect(Object.keys(value).length).toBeLessThan(20);
      expect(hasFastProperties(value)).toBe(true);
    }
  });

  it('would not be fast with 20 keys copied the way XState copies it (the check above can fail)', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 20; i += 1) wide[`key${i}`] = i;
    expect(hasFastProperties(Object.assign({}, wide, { key0: 1 }))).toBe(false);
  });
});
