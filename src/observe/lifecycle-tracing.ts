// Lifecycle transitions as OpenTelemetry span events, through `@opentelemetry/api` only (a no-op until
// the host registers an SDK). Each time a service leaves HEALTHY (or is registered) a span begins, and
// every transition until it is HEALTHY again, DISCONNECTED or removed is an event on it: one span per
// incident, its events the statechart's moves, so a trace shows how long the service was out and why.

import { SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { Observable, Subscription } from 'rxjs';
import type { Transition } from '../supervisor/transition.js';

/** The instrumentation scope's name, as `trace.getTracer` takes it. */
export const TRACER_NAME = 'mcp-supervisor';

/** States that end an incident's span. */
const ENDS = new Set<Transition['to']>(['HEALTHY', 'DISCONNECTED', 'REMOVED']);
/** Causes of an end that is a failure (the supervisor gave up), not a stop someone asked for. */
const GAVE_UP = new Set<Transition['cause']>(['retries_exhausted', 'restart_budget_exhausted']);

/**
 * Lifecycle incidents as OpenTelemetry spans: `observe(supervisor.transitions$)` starts a span when a
 * service leaves HEALTHY and ends it when the service is HEALTHY again, DISCONNECTED or removed, with
 * every transition in between as an event. Uses the global tracer unless given one.
 */
export class LifecycleTracing {
  private readonly open = new Map<string, Span>();

  constructor(private readonly tracer: Tracer = trace.getTracer(TRACER_NAME)) {}

  /** Follows `transitions$`; when it ends (the supervisor stopped), every open span ends too. */
  observe(transitions$: Observable<Transition>): Subscription {
    const subscription = transitions$.subscribe({ next: (transition) => this.record(transition), complete: () => this.endAll() });
    subscription.add(() => this.endAll());
    return subscription;
  }

  record(transition: Transition): void {
    let span = this.open.get(transition.service);
    if (!span && !ENDS.has(transition.to)) {
      span = this.tracer.startSpan(`mcp_supervisor.service ${transition.to}`, {
        startTime: transition.at,
        attributes: {
          'mcp_supervisor.service': transition.service,
          ...(transition.agent === null ? {} : { 'mcp_supervisor.agent': transition.agent }),
          'mcp_supervisor.state': transition.to,
        },
      });
      this.open.set(transition.service, span);
    }
    if (!span) return;
    span.addEvent(
      'mcp_supervisor.transition',
      {
        'mcp_supervisor.transition.from': transition.from ?? 'none',
        'mcp_supervisor.transition.to': transition.to,
        'mcp_supervisor.transition.cause': transition.cause,
        'mcp_supervisor.transition.reason': transition.reason,
      },
      transition.at,
    );
    if (!ENDS.has(transition.to)) return;
    if (GAVE_UP.has(transition.cause)) span.setStatus({ code: SpanStatusCode.ERROR, message: transition.reason });
    span.end(transition.at);
    this.open.delete(transition.service);
  }

  private endAll() {
    for (const span of this.open.values()) span.end();
    this.open.clear();
  }
}
