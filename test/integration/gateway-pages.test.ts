// The gateway's lists page: a large server's tools page through in pages of the configured size, the
// cursor naming the service and the place in its tools, clients of both eras get the whole list by
// following the cursors, and a cursor that is not the gateway's is refused with invalid params.

import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import { modernStdioServer, stdioServer } from '../fixtures/test-servers.js';
import { startHttpGatewayFleet, type HttpGatewayFleet } from '../support/gateway-fleet.js';

let fleet: HttpGatewayFleet | null = null;

async function startFleet(services: Record<string, TransportConfig>, pageSize: number): Promise<string> {
  fleet = await startHttpGatewayFleet(services, { gateway: { pageSize } });
  return fleet.url;
}

async function connect(url: string, era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client({ name: 'pager', version: '1.0.0' }, { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  fleet?.track(client);
  return client;
}

describe('list pages', () => {
  it.each(['legacy', 'modern'] as const)('page a large server’s tools by the page size, for a %s client', async (era) => {
    // big: echo, add, sleep, exit and tool_001…tool_012; small: the legacy server's tools.
    const url = await startFleet({ big: modernStdioServer(['--tools', '12']), small: stdioServer() }, 5);
    const client = await connect(url, era);
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request({ method: 'tools/list', params: cursor === undefined ? {} : { cursor } });
      pages.push(page.tools.map((tool) => tool.name));
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 20);
    const bigTools = fleet?.supervisor.getServiceInfo('big').tools.length ?? 0;
    const smallTools = fleet?.supervisor.getServiceInfo('small').tools.length ?? 0;
    expect(bigTools).toBe(16);
    expect(pages.flat()).toHaveLength(bigTools + smallTools);
    expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, bigTools + smallTools - 20]);
    expect(new Set(pages.flat()).size).toBe(bigTools + smallTools);
    // The SDK's listTools follows the cursors to the whole list.
    expect((await client.listTools(undefined, { cacheMode: 'refresh' })).tools.map((tool) => tool.name)).toEqual(pages.flat());
  });

  it('refuses a cursor that is not the gateway’s, or is another list’s, with invalid params', async () => {
    const url = await startFleet({ big: modernStdioServer(['--tools', '12']), small: stdioServer() }, 5);
    const client = await connect(url, 'modern');
    const first = await client.request({ method: 'tools/list', params: {} });
    expect(first.nextCursor).toBeDefined();
    for (const [method, cursor, message] of [
      ['tools/list', 'not-a-cursor', /not a cursor this gateway gave for the tools list/],
      ['prompts/list', first.nextCursor, /that cursor is for the tools list, not the prompts list/],
      ['tools/list', Buffer.from(JSON.stringify(['tools', 'gone', 0])).toString('base64url'), /its service 'gone' changed or left/],
    ] as const) {
      const refused = await client.request({ method, params: { cursor } } as never).catch((error: unknown) => error);
      expect(refused, String(method)).toBeInstanceOf(ProtocolError);
      expect((refused as ProtocolError).code).toBe(-32602);
      expect((refused as ProtocolError).message).toMatch(message);
    }
  });
});
