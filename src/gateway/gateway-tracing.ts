// OpenTelemetry for the gateway, through `@opentelemetry/api` only (a no-op until the host registers an
// SDK and a propagator): a SERVER span per client request, its parent the trace context the client sent
// in `_meta` (`traceparent`, `tracestate`) or else the context active in the host; and a CLIENT span per
// request the gateway sends a service for it, whose context goes into that request's `_meta`.

import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { TRACER_NAME } from '../observe/lifecycle-tracing.js';

/** The trace context keys of `_meta`, as the W3C propagator names them. */
const TRACE_KEYS = ['traceparent', 'tracestate', 'baggage'];

/** One client request being served: where the requests it sends a service take their trace context. */
export interface RequestTrace {
  /** Runs `send` inside a CLIENT span for `method` to `service`; `meta` is the trace context to send with it. */
  downstream<T>(service: string, method: string, send: (meta: Record<string, string> | undefined) => Promise<T>): Promise<T>;
}

export class GatewayTracing {
  constructor(private readonly tracer: Tracer = trace.getTracer(TRACER_NAME)) {}

  /** Runs `serve` (a client's `method` request, about `target`) inside its SERVER span. */
  async request<T>(method: string, target: string | undefined, meta: Record<string, unknown> | undefined, serve: (trace: RequestTrace) => Promise<T>): Promise<T> {
    const carrier = traceCarrier(meta);
    // A client that sent a trace context continues it; else the host's active context, if any, is the parent.
    const parent = carrier === undefined ? context.active() : propagation.extract(ROOT_CONTEXT, carrier);
    const span = this.tracer.startSpan(
      target === undefined ? method : `${method} ${target}`,
      { kind: SpanKind.SERVER, attributes: { 'mcp.method.name': method, ...(target === undefined ? {} : { 'mcp.target': target }) } },
      parent,
    );
    const within = trace.setSpan(parent, span);
    return settle(span, () => serve({ downstream: (service, downstreamMethod, send) => this.downstream(within, service, downstreamMethod, send) }));
  }

  private downstream<T>(parent: Context, service: string, method: string, send: (meta: Record<string, string> | undefined) => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(`${method} ${service}`, { kind: SpanKind.CLIENT, attributes: { 'mcp.method.name': method, 'mcp_supervisor.service': service } }, parent);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), carrier);
    return settle(span, () => send(Object.keys(carrier).length === 0 ? undefined : carrier));
  }
}

/** The trace context entries of a request's `_meta`, or undefined when it has none. */
function traceCarrier(meta: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (meta === undefined) return undefined;
  const carrier: Record<string, string> = {};
  for (const key of TRACE_KEYS) {
    const value = meta[key];
    if (typeof value === 'string') carrier[key] = value;
  }
  return carrier.traceparent === undefined ? undefined : carrier;
}

async function settle<T>(span: Span, run: () => Promise<T>): Promise<T> {
  try {
    const result = await run();
    if (typeof result === 'object' && result !== null && (result as { isError?: unknown }).isError === true) span.setStatus({ code: SpanStatusCode.ERROR });
    return result;
  } catch (error) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}
