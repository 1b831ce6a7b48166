// Trace context through the gateway (`@opentelemetry/api` propagation; the host registers the SDK):
// a client's `traceparent` is continued by the gateway's SERVER span, whose CLIENT span for the call
// is the parent the server sees in its request's `_meta`; a client that sent none starts a new trace;
// and with no SDK registered nothing is added.

import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { descendantsOf, eventually, stdioServer } from '../fixtures/test-servers.js';

const PATIENT_MS = 15_000;
let supervisor: Supervisor | null = null;
let gateway: Gateway | null = null;
const clients: Client[] = [];

afterEach(async () => {
  propagation.disable();
  await Promise.all(clients.splice(0).map((client) => client.close().catch(() => undefined)));
  await gateway?.close();
  gateway = null;
  await supervisor?.stop();
  supervisor = null;
  await eventually(() => descendantsOf().length === 0, PATIENT_MS, 'every server process is gone');
});

async function connect(options: GatewayOptions = {}): Promise<Client> {
  supervisor = new Supervisor({ services: [{ name: 'svc', transport: stdioServer(['--trace-tool']) }, { name: 'other', transport: stdioServer() }] });
  const started = supervisor.start();
  await Promise.all(['svc', 'other'].map((name) => started.waitForService(name, { timeoutMs: PATIENT_MS })));
  gateway = createGateway(supervisor, options);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await gateway.connect(serverSide);
  const client = new Client({ name: 'traced', version: '1.0.0' });
  await client.connect(clientSide);
  clients.push(client);
  return client;
}

function traced() {
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('test') };
}

const textOf = (result: { content?: unknown }) => ((result.content as { text?: string }[] | undefined) ?? []).map((part) => part.text ?? '').join('');
const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = 'b7ad6b7169203331';

describe('trace context', () => {
  it('continues the client’s trace: a SERVER span for its request, a CLIENT span for the call, whose context the server gets', async () => {
    const { exporter, tracer } = traced();
    const client = await connect({ tracer });
    const result = await client.callTool({ name: 'svc__trace_context', arguments: {}, _meta: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } });
    const [, traceId, parentId] = textOf(result).split('-');
    const spans = exporter.getFinishedSpans();
    const server = spans.find((span) => span.name === 'tools/call svc__trace_context');
    const call = spans.find((span) => span.name === 'tools/call svc');
    expect(server?.spanContext().traceId).toBe(CLIENT_TRACE);
    expect(server?.parentSpanContext?.spanId).toBe(CLIENT_SPAN);
    expect(call?.parentSpanContext?.spanId).toBe(server?.spanContext().spanId);
    expect(traceId).toBe(CLIENT_TRACE);
    expect(parentId).toBe(call?.spanContext().spanId);
  });

  it('starts a new trace for a request that came with none', async () => {
    const { exporter, tracer } = traced();
    const client = await connect({ tracer });
    const [, traceId] = textOf(await client.callTool({ name: 'svc__trace_context', arguments: {} })).split('-');
    const server = exporter.getFinishedSpans().find((span) => span.name === 'tools/call svc__trace_context');
    expect(server?.parentSpanContext).toBeUndefined();
    expect(traceId).toBe(server?.spanContext().traceId);
    // Requests without a downstream call get their span too.
    await client.listTools();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toContain('tools/list');
  });

  it('adds nothing while no SDK is registered', async () => {
    const client = await connect();
    expect(textOf(await client.callTool({ name: 'svc__trace_context', arguments: {}, _meta: { traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01` } }))).toBe('none');
  });
});
