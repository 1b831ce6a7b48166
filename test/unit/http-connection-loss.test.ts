// Which errors of an HTTP transport mean its connection is lost: an HTTP 404 only when there is a
// session to lose (a stateless, modern connection answered 404 has a failed request, nothing more).

import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { connectionLossReason } from '../../src/actors/http-transport.js';

const URL_ = 'http://127.0.0.1:9/mcp';
const notFound = new Error('Error POSTing to endpoint (HTTP 404): not found');

describe('an HTTP 404', () => {
  it('is the loss of a session the transport holds', () => {
    const transport = new StreamableHTTPClientTransport(new URL(URL_), { sessionId: 'abc' });
    expect(connectionLossReason(notFound, transport, URL_)).toBe(`the server at ${URL_} no longer knows this session (HTTP 404)`);
  });

  it('is no loss on a connection without a session (a stateless, modern one)', () => {
    const transport = new StreamableHTTPClientTransport(new URL(URL_));
    expect(connectionLossReason(notFound, transport, URL_)).toBeNull();
  });
});
