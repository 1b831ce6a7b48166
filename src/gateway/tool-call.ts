// One tool call through the gateway: it waits out a reconnect (up to `call_wait`), relays progress and
// cancellation, and turns every way the fleet can fail it into a result the agent can read — which
// service, in which state, retrying when — rather than a hang or a bare error code.

import { ProtocolError, type CallToolResult, type InputRequiredResult, type ProgressToken } from '@modelcontextprotocol/server';
import { McpRequestError } from '../actors/errors.js';
import type { ServiceState } from '../machines/service.machine.js';
import { isMcpSupervisorError } from '../mcp-supervisor-error.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { InputRetry } from '../supervisor/call-options.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { FLEET_STATUS_URI } from './fleet-status.js';
import type { CallTimeout } from './call-timeout.js';
import { withoutHopEnvelope } from './hop-envelope.js';

/** States a service leaves by itself soon: a call waits for it (up to `call_wait`) rather than failing. */
const WAIT_STATES: readonly ServiceState[] = ['INITIALIZING', 'RECONNECTING'];

/** What the gateway's request handler gives a call: its client's cancel signal, progress token and a way to notify that client. */
export interface CallContext {
  signal: AbortSignal;
  /** The call's time bound once it is sent (see CallTimeout); it follows `signal` too. */
  timeout: CallTimeout;
  progressToken: ProgressToken | undefined;
  /** Sends a notification on the client's request (its progress goes there). */
  notify(notification: { method: 'notifications/progress'; params: Record<string, unknown> }): Promise<void>;
  /** The client's answers and the server's state, when the call is a retry of a multi-round-trip call. */
  retry?: InputRetry;
  /** Trace context for the server's request's `_meta`. */
  meta?: Record<string, string>;
}

export interface CallPolicy {
  /** How long a call to an INITIALIZING or RECONNECTING service waits for it, in ms. */
  callWait: number;
  now(): number;
}

/**
 * Calls `tool` of `service` for a client; resolves with the server's result (a 2026-07-28 server's
 * `input_required` too, when the context carries a retry) or an `isError` result saying what went wrong.
 */
export async function callThrough(
  supervisor: Supervisor,
  target: { service: string; tool: string },
  args: Record<string, unknown>,
  context: CallContext,
  policy: CallPolicy,
): Promise<CallToolResult | InputRequiredResult> {
  const { service, tool } = target;
  let snapshot = currentSnapshot(supervisor, service);
  if (!snapshot) return failure(`service '${service}' is no longer part of the fleet. ${seeFleet}`);
  if (!snapshot.available && WAIT_STATES.includes(snapshot.state) && policy.callWait > 0) {
    snapshot = await supervisor.waitForService(service, { timeoutMs: policy.callWait, signal: context.signal }).catch((error: unknown) => {
      if (context.signal.aborted) throw error;
      return currentSnapshot(supervisor, service);
    });
    if (!snapshot) return failure(`service '${service}' left the fleet while the call waited for it. ${seeFleet}`);
  }
  if (!snapshot.available) return failure(unavailable(snapshot, policy, WAIT_STATES.includes(snapshot.state) ? policy.callWait : 0));
  if (!snapshot.tools.some((candidate) => candidate.name === tool)) {
    return failure(`service '${service}' no longer offers the tool '${tool}' (its tool list changed); list the tools again.`);
  }
  const { progressToken, timeout } = context;
  try {
    timeout.start();
    const result = await supervisor.callTool(service, tool, args, {
      signal: timeout.signal,
      // The call's own bound is `timeout`, which can wait while the client answers; the SDK's would not.
      timeoutMs: LONGEST_TIMER_MS,
      inputRequired: context.retry ?? {},
      ...(context.meta === undefined ? {} : { meta: context.meta }),
      onProgress: (progress) => {
        timeout.restart();
        if (progressToken !== undefined) void context.notify({ method: 'notifications/progress', params: { ...progress, progressToken } }).catch(() => undefined);
      },
    });
    return withoutHopEnvelope(result);
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (timeout.expired) {
      return failure(`the call to '${tool}' on service '${service}' timed out: its server sent no result or progress for ${seconds(timeout.ms)}. It was not retried.`);
    }
    // The server answered with a JSON-RPC error (invalid arguments, …): the client gets it as it was.
    if (error instanceof McpRequestError) throw new ProtocolError(error.jsonRpcCode, error.detail, error.data);
    const after = currentSnapshot(supervisor, service);
    const state = after && !after.available ? ` Service '${service}' is now ${after.state}${retryClause(after, policy)}.` : '';
    const what = isMcpSupervisorError(error) || error instanceof Error ? error.message : String(error);
    // Not retried: the call may have had effects before the connection dropped.
    return failure(`the call to '${tool}' on service '${service}' failed: ${what}.${state} It was not retried.`);
  }
}

/** The longest delay a Node timer takes (about 24.8 days). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

const seeFleet = `The fleet's status is at ${FLEET_STATUS_URI}.`;

function currentSnapshot(supervisor: Supervisor, service: string): ServiceSnapshot | null {
  return supervisor.listServices().find((candidate) => candidate.key === service) ?? null;
}

function retryClause(snapshot: ServiceSnapshot, policy: CallPolicy): string {
  const next = snapshot.metadata.nextRetryTime;
  if (next === null) return snapshot.state === 'DISCONNECTED' ? ', and will not retry by itself' : '';
  const inSeconds = Math.max(0, Math.round((next - policy.now()) / 1000));
  return `; next retry at ${new Date(next).toISOString()} (in ${inSeconds} s)`;
}

function unavailable(snapshot: ServiceSnapshot, policy: CallPolicy, waitedMs: number): string {
  const waited = waitedMs > 0 ? ` after waiting ${Math.round(waitedMs / 100) / 10} s for it` : '';
  const cause = snapshot.metadata.errorMessage ? ` (last error: ${snapshot.metadata.errorMessage})` : '';
  return `service '${snapshot.key}' is ${snapshot.state}${cause}${retryClause(snapshot, policy)}; the call was not made${waited}. ${seeFleet}`;
}

function failure(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}
