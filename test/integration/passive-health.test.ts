// Passive health through the real connection actor and a real server: which tool-call outcomes count
// as health signals. A timed-out call is a failed check; an error answer or an `isError` result comes
// from a live server and is not, nor is a call its caller cut at its whole-call bound; an answered call
// stands in for the next probe.

import { afterEach, describe, expect, it } from 'vitest';
import { ActorHarness } from '../fixtures/actor-harness.js';
import { McpRequestError } from '../../src/actors/errors.js';
import { ToolCallTimeoutError } from '../../src/supervisor/errors.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, modernStdioServer, stdioServer } from '../fixtures/test-servers.js';

const PATIENT_MS = 10_000;

let harness = new ActorHarness({ closeTimeoutMs: 1_000 });

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness({ closeTimeoutMs: 1_000 });
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

const call = (tool: string, args: Record<string, unknown>, timeoutMs = PATIENT_MS) =>
  harness.connections.callTool('svc', tool, args, { timeoutMs }).catch((error: unknown) => error);

describe('passive health, through the connection actor', () => {
  it('reports a tool call that times out as CALL_FAILED, with the timeout in its error', async () => {
    const { connectionId } = await harness.connect(stdioServer());
    const actor = harness.watch(connectionId);
    await call('sleep', { ms: 5_000 }, 100);
    const failed = await actor.next('CALL_FAILED', PATIENT_MS);
    expect(failed.type === 'CALL_FAILED' && (failed.error as Error).message).toBe('tools/call sleep timed out after 100 ms');
  });

  it.each([
    // A v2 server answers an unknown tool with a JSON-RPC error; a v1 server with an isError result.
    ['an error answer', modernStdioServer(), McpRequestError],
    ['an isError result', stdioServer(), Object],
  ])('does not count %s as a failure', async (_, transport, kind) => {
    const { connectionId } = await harness.connect(transport);
    const actor = harness.watch(connectionId);
    expect(await call('no_such_tool', {})).toBeInstanceOf(kind);
    // A later event proves the earlier calls were reported on, if at all.
    await call('sleep', { ms: 5_000 }, 100);
    await actor.next('CALL_FAILED', PATIENT_MS);
    expect(actor.events.filter((event) => event.type === 'CALL_FAILED')).toHaveLength(1);
  });

  it('does not count a call cut by its caller\'s whole-call bound (maxTotalTimeout) as a failure', async () => {
    const { connectionId } = await harness.connect(stdioServer());
    const actor = harness.watch(connectionId);
    const cut = await harness.connections.callTool('svc', 'sleep', { ms: 5_000 }, { timeoutMs: PATIENT_MS, maxTotalTimeout: 100 }).catch((error: unknown) => error);
    expect((cut as Error).message).toBe('tools/call sleep timed out after 100 ms');
    // A later event proves the earlier call was reported on, if at all.
    await call('sleep', { ms: 5_000 }, 100);
    await actor.next('CALL_FAILED', PATIENT_MS);
    expect(actor.events.filter((event) => event.type === 'CALL_FAILED')).toHaveLength(1);
  });

  it('answers the next probe from a tool call answered since the last one, without sending it', async () => {
    const { connectionId } = await harness.connect(stdioServer());
    const actor = harness.watch(connectionId);
    await actor.probe(PATIENT_MS);
    expect(await call('echo', { text: 'hi' })).toMatchObject({ content: [{ type: 'text', text: 'hi' }] });
    await actor.probe(PATIENT_MS);
    // No call since: this one is sent.
    await actor.probe(PATIENT_MS);
    const answers = actor.events.flatMap((event) => (event.type === 'PROBE_OK' ? [event.responseTime] : []));
    expect(answers).toHaveLength(3);
    expect(answers[0]).toEqual(expect.any(Number));
    expect(answers[1]).toBeNull();
    expect(answers[2]).toEqual(expect.any(Number));
  });

  it('with passive health off, sends every probe and reports no call failure', async () => {
    const { connectionId } = await harness.connect(stdioServer());
    const actor = harness.watch(connectionId, 'svc', false);
    await call('echo', { text: 'hi' });
    await actor.probe(PATIENT_MS);
    await call('sleep', { ms: 5_000 }, 100);
    await actor.probe(PATIENT_MS);
    expect(actor.events.map((event) => event.type)).toEqual(['PROBE_OK', 'PROBE_OK']);
    expect(actor.events.every((event) => event.type === 'PROBE_OK' && event.responseTime !== null)).toBe(true);
  });
});

describe('passive health, through Supervisor.callTool', () => {
  it('counts a call that times out as a failed health check of its service', async () => {
    const supervisor = new Supervisor({
      // No periodic check within the test: only the call can count.
      services: [{ name: 'svc', transport: stdioServer(), lifecycle: { healthCheckInterval: 3_600_000, startupWaitTime: 3_600_000 } }],
    }).start();
    try {
      await supervisor.waitForService('svc', { timeoutMs: PATIENT_MS });
      const error = await supervisor.callTool('svc', 'sleep', { ms: 5_000 }, { timeoutMs: 100 }).catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(ToolCallTimeoutError);
      await eventually(() => supervisor.getServiceInfo('svc').metadata.consecutiveFailures === 1, PATIENT_MS, 'the failed call is counted');
      expect(supervisor.getServiceInfo('svc').metadata).toMatchObject({ errorMessage: 'tools/call sleep timed out after 100 ms', totalHealthChecks: 1 });
    } finally {
      await supervisor.stop();
    }
  });
});
