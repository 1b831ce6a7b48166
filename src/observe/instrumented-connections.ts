// A connection layer that times every tool call of the one it wraps, for the tool-call metrics, and
// traces it as an OpenTelemetry CLIENT span (`@opentelemetry/api`: a no-op until the host registers an
// SDK): the supervisor's `connections` option takes it like any other layer, and nothing else changes.

import type { CallToolResult } from '@modelcontextprotocol/client';
import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { TransportConfig } from '../config/transport.js';
import type { ServiceActors } from '../machines/service-io.js';
import type { ConnectionDiagnostics, ConnectionLayer, ToolCallOptions } from '../supervisor/connection-layer.js';
import { TRACER_NAME } from './lifecycle-tracing.js';
import { errorOutcome, resultOutcome, type ToolCallOutcome } from './tool-call-outcome.js';

/** One tool call that reached a server, as it ended. */
export interface ToolCallRecord {
  service: string;
  tool: string;
  outcome: ToolCallOutcome;
  /** How long it took, in seconds. */
  durationSeconds: number;
}

/** Receives every finished tool call. */
export type ToolCallObserver = (call: ToolCallRecord) => void;

/** Wraps `inner`: same behaviour, and `observe` hears of every call (an observer that throws is ignored). */
export class InstrumentedConnections implements ConnectionLayer {
  readonly actors: ServiceActors;
  // What a gateway asks of the layer beyond tool calls goes straight to the inner layer, when it has it.
  readonly request?: ConnectionLayer['request'];
  readonly serverCapabilities?: ConnectionLayer['serverCapabilities'];
  readonly onNotification?: ConnectionLayer['onNotification'];
  readonly notifyRootsChanged?: ConnectionLayer['notifyRootsChanged'];
  readonly setServerRequestHandler?: ConnectionLayer['setServerRequestHandler'];
  readonly onProcessStarted?: ConnectionLayer['onProcessStarted'];

  constructor(
    private readonly inner: ConnectionLayer,
    private readonly observe: ToolCallObserver,
    private readonly now: () => number = () => performance.now(),
    private readonly tracer: Tracer = trace.getTracer(TRACER_NAME),
  ) {
    this.actors = inner.actors;
    this.request = inner.request?.bind(inner);
    this.serverCapabilities = inner.serverCapabilities?.bind(inner);
    this.onNotification = inner.onNotification?.bind(inner);
    this.notifyRootsChanged = inner.notifyRootsChanged?.bind(inner);
    this.setServerRequestHandler = inner.setServerRequestHandler?.bind(inner);
    this.onProcessStarted = inner.onProcessStarted?.bind(inner);
  }

  register(serviceKey: string, transport: TransportConfig): void {
    this.inner.register(serviceKey, transport);
  }

  async unregister(serviceKey: string, timeoutMs?: number): Promise<void> {
    await this.inner.unregister(serviceKey, timeoutMs);
  }

  async callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    const start = this.now();
    // The OpenTelemetry MCP conventions' span: `{mcp.method.name} {target}`, a client span.
    const span = this.tracer.startSpan(`tools/call ${tool}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': tool, 'gen_ai.operation.name': 'execute_tool', 'mcp_supervisor.service': serviceKey },
    });
    const finish = (outcome: ToolCallOutcome) => {
      if (outcome !== 'success') {
        span.setAttribute('error.type', outcome);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      }
      span.end();
      this.report({ service: serviceKey, tool, outcome, durationSeconds: Math.max(0, this.now() - start) / 1000 });
    };
    try {
      const result = await this.inner.callTool(serviceKey, tool, args, options);
      finish(resultOutcome(result));
      return result;
    } catch (error) {
      finish(errorOutcome(error, options.signal));
      throw error;
    }
  }

  diagnostics(serviceKey: string): ConnectionDiagnostics | null {
    return this.inner.diagnostics?.(serviceKey) ?? null;
  }

  closeAll(timeoutMs?: number): Promise<void> {
    return this.inner.closeAll(timeoutMs);
  }

  private report(call: ToolCallRecord) {
    try {
      this.observe(call);
    } catch {
      // Metrics must never fail a tool call.
    }
  }
}
