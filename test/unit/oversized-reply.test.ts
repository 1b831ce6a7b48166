import { describe, expect, it } from 'vitest';
import { isMessageTooLarge, responseIdOf, tooLargeReply } from '../../src/actors/oversized-reply.js';

const line = (head: string, tail: string) => ({ bytes: 1e7, head, tail });

describe('responseIdOf', () => {
  it('reads the id a server put last (the TypeScript SDK) or first (many others)', () => {
    expect(responseIdOf(line('{"result":{"content":[{"type":"text","text":"xxxx', 'xxxx"}]},"jsonrpc":"2.0","id":12}'))).toBe(12);
    expect(responseIdOf(line('{"jsonrpc":"2.0","id":"req-4","result":{"x":"yyy', 'yyy"}}'))).toBe('req-4');
    expect(responseIdOf(line('{"id":3,"jsonrpc":"2.0","result":{', '}}'))).toBe(3);
  });

  it('does not take an id nested in the result for the response’s', () => {
    expect(responseIdOf(line('{"result":{"items":[{"name":"a', 'zz","id":99}]}}'))).toBeNull();
    expect(responseIdOf(line('{"result":{"item":{"id":5', '"id":5}}}'))).toBeNull();
  });

  it('finds nothing in a line that is not JSON-RPC', () => {
    expect(responseIdOf(line('xxxxxxxx', 'xxxxxxxx'))).toBeNull();
  });
});

describe('tooLargeReply', () => {
  it('is an error response for that id whose data tells it from a server error', () => {
    const reply = tooLargeReply(12, 20_000_000, 10_485_760);
    expect(reply).toMatchObject({ jsonrpc: '2.0', id: 12, error: { code: -32603 } });
    expect('error' in reply && isMessageTooLarge(reply.error.data)).toBe(true);
    expect(isMessageTooLarge({ reason: 'something else' })).toBe(false);
  });
});
