// A server's need for its client's input through the gateway, in every pairing of eras: a 2025-era
// server's requests during a call (sampling, elicitation in form and URL mode, roots) and a 2026-07-28
// server's input_required answers, reaching a 2025-era client as requests on its call and a 2026-07-28
// client as the multi-round-trip flow (requestState included), each only if the client declared the
// capability; and a requestState the gateway did not sign is refused.

import { Client, ProtocolError, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { TransportConfig } from '../../src/config/transport.js';
import { modernStdioServer, stdioServer } from '../fixtures/test-servers.js';
import { startHttpGatewayFleet, textOf, type HttpGatewayFleet } from '../support/gateway-fleet.js';

let fleet: HttpGatewayFleet | null = null;

/** The fleet behind a gateway served over Streamable HTTP on 127.0.0.1; resolves with its URL. */
async function startFleet(services: Parameters<typeof startHttpGatewayFleet>[0]): Promise<string> {
  fleet = await startHttpGatewayFleet(services, { relayServerRequests: true });
  return fleet.url;
}

type Era = 'legacy' | 'modern';
const EVERYTHING: ClientCapabilities = { sampling: {}, elicitation: { form: {}, url: {} }, roots: { listChanged: true } };

/** A v2 client of `era` over HTTP, answering every request it declared and noting each. */
async function connectClient(url: string, era: Era, who: string, capabilities: ClientCapabilities = EVERYTHING, manual = false) {
  const client = new Client(
    { name: who, version: '1.0.0' },
    {
      capabilities,
      versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' },
      ...(manual ? { inputRequired: { autoFulfill: false } } : {}),
    },
  );
  const asked: string[] = [];
  if (capabilities.sampling) {
    client.setRequestHandler('sampling/createMessage', (request) => {
      asked.push(`sampling ${JSON.stringify(request.params.messages[0]?.content)}`);
      return { role: 'assistant', content: { type: 'text', text: `${who}'s model` }, model: 'test-model' };
    });
  }
  if (capabilities.elicitation) {
    client.setRequestHandler('elicitation/create', (request) => {
      asked.push(`elicitation ${request.params.mode === 'url' ? `url ${request.params.url}` : request.params.message}`);
      if (request.params.mode === 'url') return { action: 'accept' };
      const properties = Object.keys(request.params.requestedSchema.properties);
      return { action: 'accept', content: Object.fromEntries(properties.map((key) => [key, key === 'name' ? who : 'teal'])) };
    });
  }
  if (capabilities.roots) {
    client.setRequestHandler('roots/list', () => {
      asked.push('roots');
      return { roots: [{ uri: `file:///home/${who}`, name: 'home' }] };
    });
  }
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  expect(client.getProtocolEra()).toBe(era);
  fleet?.track(client);
  return Object.assign(client, { asked });
}


const BACKENDS: Record<Era, TransportConfig> = {
  legacy: stdioServer(['--asks']),
  modern: modernStdioServer(['--asks']),
};

describe.each(['legacy', 'modern'] as const)('a %s backend', (backend) => {
  it.each(['legacy', 'modern'] as const)('asks a %s client for sampling, a form, a URL and its roots, during the call that needs them', async (clientEra) => {
    const on = await startFleet({ asker: BACKENDS[backend], other: stdioServer() });
    const alice = await connectClient(on, clientEra, 'alice');
    expect(textOf(await alice.callTool({ name: 'asker__ask_model', arguments: { prompt: 'hello?' } }))).toBe("model said: alice's model");
    expect(textOf(await alice.callTool({ name: 'asker__ask_user', arguments: { question: 'your name?' } }))).toBe('user accept: {"name":"alice"}');
    expect(textOf(await alice.callTool({ name: 'asker__ask_link', arguments: { url: 'https://example.com/sign-in' } }))).toBe('user accept the link');
    expect(textOf(await alice.callTool({ name: 'asker__ask_roots', arguments: {} }))).toBe('roots: file:///home/alice');
    expect(alice.asked).toEqual(['sampling {"type":"text","text":"hello?"}', 'elicitation your name?', 'elicitation url https://example.com/sign-in', 'roots']);
  });

  it.each(['legacy', 'modern'] as const)('asks a %s client nothing it did not declare', async (clientEra) => {
    const on = await startFleet({ asker: BACKENDS[backend], other: stdioServer() });
    const formOnly = await connectClient(on, clientEra, 'bob', { elicitation: { form: {} } });
    for (const [tool, args] of [
      ['asker__ask_model', { prompt: 'anyone?' }],
      ['asker__ask_link', { url: 'https://example.com/sign-in' }],
      ['asker__ask_roots', {}],
    ] as const) {
      const outcome = await formOnly.callTool({ name: tool, arguments: args }).then(
        (result) => ({ failed: result.isError === true, text: textOf(result) }),
        (error: unknown) => ({ failed: true, text: error instanceof Error ? error.message : String(error) }),
      );
      expect(outcome.failed, `${tool}: ${outcome.text}`).toBe(true);
    }
    expect(textOf(await formOnly.callTool({ name: 'asker__ask_user', arguments: { question: 'and you?' } }))).toBe('user accept: {"name":"bob"}');
    expect(formOnly.asked).toEqual(['elicitation and you?']);
  });
});

describe('a 2026-07-28 backend', () => {
  it.each(['legacy', 'modern'] as const)('is told what the %s client that called can be asked, not what the gateway can', async (clientEra) => {
    const url = await startFleet({ asker: BACKENDS.modern, other: stdioServer() });
    const formOnly = await connectClient(url, clientEra, 'erin', { elicitation: { form: {} } });
    expect(textOf(await formOnly.callTool({ name: 'asker__ask_what_you_can', arguments: {} }))).toBe('offered: elicitation');
    const everything = await connectClient(url, clientEra, 'frank');
    expect(textOf(await everything.callTool({ name: 'asker__ask_what_you_can', arguments: {} }))).toBe('offered: sampling elicitation roots');
  });
});

describe('requestState', () => {
  it.each(['legacy', 'modern'] as const)('carries a 2026-07-28 server’s state across its rounds, for a %s client', async (clientEra) => {
    const on = await startFleet({ asker: BACKENDS.modern, other: stdioServer() });
    const carol = await connectClient(on, clientEra, 'carol');
    expect(textOf(await carol.callTool({ name: 'asker__ask_twice', arguments: {} }))).toBe('carol likes teal');
    expect(carol.asked).toEqual(['elicitation Your name?', 'elicitation Your colour?']);
  });

  it.each(['legacy', 'modern'] as const)('is the gateway’s own, signed, and refused when it was not (a %s backend)', async (backend) => {
    const on = await startFleet({ asker: BACKENDS[backend], other: stdioServer() });
    const dave = await connectClient(on, 'modern', 'dave', EVERYTHING, true);
    const round = (await dave.request(
      { method: 'tools/call', params: { name: 'asker__ask_user', arguments: { question: 'who?' } } },
      { allowInputRequired: true },
    )) as { resultType?: string; inputRequests?: Record<string, { method: string }>; requestState?: string };
    expect(round.resultType).toBe('input_required');
    const [key, request] = Object.entries(round.inputRequests ?? {})[0] ?? [];
    expect(request?.method).toBe('elicitation/create');
    expect(typeof round.requestState).toBe('string');
    const answers = { [String(key)]: { action: 'accept', content: { name: 'dave' } } };

    const tampered = `${round.requestState ?? ''}x`;
    const refused = await dave
      .request({ method: 'tools/call', params: { name: 'asker__ask_user', arguments: { question: 'who?' }, inputResponses: answers, requestState: tampered } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProtocolError);
    expect((refused as ProtocolError).code).toBe(-32602);

    const elsewhere = await dave
      .request({ method: 'tools/call', params: { name: 'asker__ask_model', arguments: { prompt: 'x' }, inputResponses: answers, requestState: round.requestState } })
      .catch((error: unknown) => error);
    expect((elsewhere as ProtocolError).code).toBe(-32602);

    const done = await dave.request({
      method: 'tools/call',
      params: { name: 'asker__ask_user', arguments: { question: 'who?' }, inputResponses: answers, requestState: round.requestState },
    });
    expect(textOf(done as { content?: unknown })).toBe('user accept: {"name":"dave"}');
  });
});

describe('concurrent callers', () => {
  it('routes each 2026-07-28 server’s requests to the client whose call needs them, with both calls in flight', async () => {
    const url = await startFleet({ asker: BACKENDS.modern, other: stdioServer() });
    const alice = await connectClient(url, 'modern', 'alice');
    const bob = await connectClient(url, 'legacy', 'bob');
    const [forAlice, forBob, twiceAlice, twiceBob] = await Promise.all([
      alice.callTool({ name: 'asker__ask_user', arguments: { question: 'alice?' } }),
      bob.callTool({ name: 'asker__ask_user', arguments: { question: 'bob?' } }),
      alice.callTool({ name: 'asker__ask_twice', arguments: {} }),
      bob.callTool({ name: 'asker__ask_twice', arguments: {} }),
    ]);
    expect([textOf(forAlice), textOf(forBob), textOf(twiceAlice), textOf(twiceBob)]).toEqual([
      'user accept: {"name":"alice"}',
      'user accept: {"name":"bob"}',
      'alice likes teal',
      'bob likes teal',
    ]);
    expect(alice.asked.sort()).toEqual(['elicitation Your colour?', 'elicitation Your name?', 'elicitation alice?']);
    expect(bob.asked.sort()).toEqual(['elicitation Your colour?', 'elicitation Your name?', 'elicitation bob?']);
  });

  it('gives each client the progress of its own call only, calls to the same server running at once', async () => {
    const url = await startFleet({ worker: stdioServer(), other: stdioServer() });
    const alice = await connectClient(url, 'modern', 'alice');
    const bob = await connectClient(url, 'legacy', 'bob');
    const seen: Record<string, number[]> = { alice: [], bob: [] };
    const [a, b] = await Promise.all([
      alice.callTool({ name: 'worker__sleep', arguments: { ms: 400, steps: 2 } }, { onprogress: (progress) => seen.alice?.push(progress.total ?? -1) }),
      bob.callTool({ name: 'worker__sleep', arguments: { ms: 400, steps: 4 } }, { onprogress: (progress) => seen.bob?.push(progress.total ?? -1) }),
    ]);
    expect([textOf(a), textOf(b)]).toEqual(['slept 400 ms', 'slept 400 ms']);
    expect(seen).toEqual({ alice: [2, 2], bob: [4, 4, 4, 4] });
  });

  it('asks no client a 2025-era server’s request that could be another client’s', async () => {
    const url = await startFleet({ asker: BACKENDS.legacy, other: stdioServer() });
    const alice = await connectClient(url, 'legacy', 'alice');
    const bob = await connectClient(url, 'legacy', 'bob');
    const refused = /calls of several clients of the gateway to 'asker' are running/;
    const outcomes = await Promise.all(
      (['alice', 'bob'] as const).map((name) =>
        (name === 'alice' ? alice : bob).callTool({ name: 'asker__ask_user', arguments: { question: `whose? ${name}`, together: 2 } }).then(
          (result) => textOf(result),
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        ),
      ),
    );
    // The server asks once both calls run, so the first request to arrive is refused. The other may come
    // once that call has ended: then only its own call runs, and its own client is rightly asked.
    expect(outcomes.filter((outcome) => refused.test(outcome)).length).toBeGreaterThanOrEqual(1);
    expect(outcomes[0]).toMatch(new RegExp(`${refused.source}|^user accept: \\{"name":"alice"\\}$`));
    expect(outcomes[1]).toMatch(new RegExp(`${refused.source}|^user accept: \\{"name":"bob"\\}$`));
    expect(alice.asked.every((question) => question === 'elicitation whose? alice')).toBe(true);
    expect(bob.asked.every((question) => question === 'elicitation whose? bob')).toBe(true);
  });
});

describe('a call waiting on its client', () => {
  it.each(['legacy', 'modern'] as const)('is not cut by the call timeout while a %s client takes its time to answer a 2025-era server', async (clientEra) => {
    // The call may take 1 s without news from its server; the person answering takes 3 s.
    fleet = await startHttpGatewayFleet({ asker: BACKENDS.legacy }, { relayServerRequests: true, gateway: { callTimeoutMs: 1_000 } });
    const client = new Client(
      { name: 'slow', version: '1.0.0' },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: clientEra === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
    );
    client.setRequestHandler('elicitation/create', async () => {
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      return { action: 'accept', content: { name: 'slow' } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(fleet.url)));
    fleet.track(client);
    const result = await client.callTool({ name: 'ask_user', arguments: { question: 'your name?' } });
    expect(textOf(result)).toBe('user accept: {"name":"slow"}');
  });
});
