// OpenTelemetry through @opentelemetry/api: an incident's span with a span event per lifecycle
// transition, and a client span per tool call, read back from the SDK's in-memory exporter.

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { filter, firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InstrumentedConnections } from '../../src/observe/instrumented-connections.js';
import { LifecycleTracing } from '../../src/observe/lifecycle-tracing.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { VirtualClock } from '../../src/supervisor/virtual-clock.js';
import { flush, inMemoryLayer } from '../support/service-harness.js';

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('mcp-supervisor') };
}

async function tracedFleet() {
  const { exporter, tracer } = tracing();
  const clock = new VirtualClock(1_700_000_000_000);
  const fake = inMemoryLayer(clock);
  const connections = new InstrumentedConnections(fake, () => undefined, () => clock.now(), tracer);
  const supervisor = new Supervisor(
    { services: [{ name: 'files', transport: { type: 'stdio', command: 'node', args: [], env: {} } }] },
    { connections, clock, random: () => 0.5 },
  );
  new LifecycleTracing(tracer).observe(supervisor.transitions$);
  supervisor.start();
  await flush();
  return { supervisor, fake, exporter, advance: (ms: number) => clock.advance(ms), advanceUntil: (done: () => boolean, limitMs: number) => clock.advanceUntil(done, limitMs) };
}

describe('lifecycle tracing', () => {
  it('records an incident as one span, each transition an event on it, ending when the service is HEALTHY again', async () => {
    const fleet = await tracedFleet();
    const state = () => fleet.supervisor.getServiceInfo('files').state;
    await fleet.advanceUntil(() => state() === 'HEALTHY', 60_000);
    const reconnecting = firstValueFrom(fleet.supervisor.transitions$.pipe(filter((transition) => transition.to === 'RECONNECTING')));
    let lost = false;
    void reconnecting.then(() => (lost = true));
    fleet.fake.loseConnection();
    // The reconnect can succeed within the same step: wait for the move, not for the state to be seen.
    await fleet.advanceUntil(() => lost, 60_000);
    await fleet.advanceUntil(() => state() === 'HEALTHY', 60_000);
    const spans = fleet.exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(['mcp_supervisor.service INITIALIZING', 'mcp_supervisor.service RECONNECTING']);
    const incident = spans[1];
    expect(incident?.attributes).toMatchObject({ 'mcp_supervisor.service': 'files', 'mcp_supervisor.state': 'RECONNECTING' });
    expect(incident?.events.map((event) => [event.attributes?.['mcp_supervisor.transition.to'], event.attributes?.['mcp_supervisor.transition.cause']])).toEqual([
      ['RECONNECTING', 'connection_lost'],
      ['HEALTHY', 'reconnected'],
    ]);
    expect(incident?.status.code).toBe(SpanStatusCode.UNSET);
    await fleet.supervisor.stop();
  });
});

describe('tool-call spans', () => {
  it('traces each call as a client span with the MCP conventions\' attributes, an error with its type', async () => {
    const fleet = await tracedFleet();
    await fleet.advanceUntil(() => fleet.supervisor.getServiceInfo('files').state === 'HEALTHY', 60_000);
    await fleet.supervisor.callTool('files', 'echo', { text: 'hi' });
    fleet.fake.defaults.call = 'timeOut';
    await expect(fleet.supervisor.callTool('files', 'add', {})).rejects.toThrow();
    const calls = fleet.exporter.getFinishedSpans().filter((span) => span.name.startsWith('tools/call'));
    expect(calls.map((span) => [span.name, span.kind, span.attributes['gen_ai.tool.name'], span.attributes['error.type']])).toEqual([
      ['tools/call echo', SpanKind.CLIENT, 'echo', undefined],
      ['tools/call add', SpanKind.CLIENT, 'add', 'timeout'],
    ]);
    expect(calls[0]?.attributes).toMatchObject({ 'mcp.method.name': 'tools/call', 'mcp_supervisor.service': 'files' });
    expect(calls[1]?.status.code).toBe(SpanStatusCode.ERROR);
    await fleet.supervisor.stop();
  });
});
