// How a server's need for its client's input crosses the gateway (2026-07-28 multi-round-trip requests).
// A 2026-07-28 server's `input_required` answer goes to the client as it was, with the gateway's own
// signed `requestState` wrapping the server's, and the client's retry goes back to the server with its
// answers. A 2025-era server instead sends requests during the call: the gateway holds that call, answers
// the client `input_required` with those requests, and hands the server the answers when the client
// retries. Either way the handler returns `input_required`, and the SDK serves it to each client in its
// era: a 2026-07-28 client retries; a 2025-era client is sent the requests on the call's own stream.

import { randomBytes, randomUUID } from 'node:crypto';
import {
  createRequestStateCodec,
  inputRequired,
  isInputRequiredResult,
  ProtocolError,
  ProtocolErrorCode,
  type InputRequest,
  type ClientCapabilities,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import type { ServerRequestMethod } from '../actors/connection.js';
import type { InputRetry } from '../supervisor/call-options.js';

/** How long a call waits for its client to come back with the answers (the `requestState`'s life too). */
export const INPUT_WAIT_SECONDS = 600;

/** What the gateway's `requestState` says: a round of the server's own, or a call the gateway holds. */
export type RelayState =
  | { kind: 'relay'; method: string; target: string; backend?: string }
  | { kind: 'held'; method: string; target: string; call: string };

/** One request a 2025-era server sent its client during a call. */
interface Ask {
  key: string;
  request: { method: ServerRequestMethod; params?: Record<string, unknown> };
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
}

type Step<R> = { done: R } | { asks: Ask[] };

/** A call in flight through the relay: its outcome, the requests its server is waiting on, where its traffic goes. */
export class RelayedCall<R> {
  readonly id = randomUUID();
  /** Aborts the server's call: the client cancelled, or never came back. */
  private readonly controller = new AbortController();
  private readonly waiting: Ask[] = [];
  private readonly sent = new Map<string, Ask>();
  private wake: (() => void) | null = null;
  private asked = 0;
  private outcome: Promise<Step<R>> | null = null;
  expiry: NodeJS.Timeout | null = null;

  /** The request of the round now in progress: progress and log messages of the call go there. */
  constructor(public context: ServerContext) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(run: Promise<R>): void {
    this.outcome = run.then((done) => ({ done }));
    // A call given up while held has nobody to hear how it ended.
    this.outcome.catch(() => undefined);
  }

  /** A request the server sent its client during this call: answered when the client's retry brings the answer. */
  ask(request: Ask['request'], signal: AbortSignal): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      this.asked += 1;
      const ask: Ask = { key: `${request.method.replace('/', '.')}-${this.asked}`, request, resolve, reject };
      this.waiting.push(ask);
      signal.addEventListener(
        'abort',
        () => {
          const index = this.waiting.indexOf(ask);
          if (index >= 0) this.waiting.splice(index, 1);
          this.sent.delete(ask.key);
          reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
        },
        { once: true },
      );
      this.wake?.();
    });
  }

  /** The call's end, or the requests its server now waits on, whichever comes first. */
  async next(): Promise<Step<R>> {
    if (!this.outcome) throw new Error('a relayed call was not started');
    const asks = new Promise<Step<R>>((resolve) => {
      const check = () => {
        if (this.waiting.length === 0) return;
        this.wake = null;
        const taken = this.waiting.splice(0);
        for (const ask of taken) this.sent.set(ask.key, ask);
        resolve({ asks: taken });
      };
      this.wake = check;
      check();
    });
    try {
      return await Promise.race([this.outcome, asks]);
    } finally {
      this.wake = null;
    }
  }

  /** The client's answers to the requests it was sent; one left unanswered is refused to the server. */
  answer(responses: Record<string, unknown>): void {
    for (const [key, ask] of this.sent) {
      const response = responses[key];
      if (typeof response === 'object' && response !== null) ask.resolve(response as Record<string, unknown>);
      else ask.reject(new ProtocolError(ProtocolErrorCode.InvalidParams, `the client gave no answer to ${ask.request.method}`));
    }
    this.sent.clear();
  }

  /** Ends the call: its server's call is cancelled and its waiting requests refused. */
  cancel(reason: Error): void {
    for (const ask of [...this.waiting, ...this.sent.values()]) ask.reject(reason);
    this.waiting.length = 0;
    this.sent.clear();
    this.controller.abort(reason);
  }
}

/** The gateway's relay of multi-round-trip requests, shared by every session (a retry may come on another). */
export class InputRelay {
  private readonly codec = createRequestStateCodec<RelayState>({ key: randomBytes(32), ttlSeconds: INPUT_WAIT_SECONDS });
  private readonly held = new Map<string, RelayedCall<unknown>>();

  /** Checks a `requestState` a client echoed (the SDK runs it before every handler round that carries one). */
  readonly verify = (state: string, ctx: ServerContext): Promise<RelayState> => this.codec.verify(state, ctx);

  /**
   * Runs one round of a request that may need its client's input: `target` names what it is for (a tool,
   * a prompt, a URI), so that a `requestState` is accepted only on a retry of the same request. `start`
   * sends the request to its server with the retry's answers and state, and what of `capabilities` (the
   * client's) the server may ask, on `call`'s signal.
   */
  async run<R extends object>(
    ctx: ServerContext,
    capabilities: ClientCapabilities | undefined,
    target: string,
    start: (retry: InputRetry, call: RelayedCall<R | InputRequiredResult>) => Promise<R | InputRequiredResult>,
  ): Promise<R | InputRequiredResult> {
    const method = ctx.mcpReq.method;
    const state = ctx.mcpReq.requestState<RelayState>();
    if (state !== undefined && (state.method !== method || state.target !== target)) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, `this requestState belongs to another request than ${method} '${target}': retry that request with it, or call again without it`);
    }
    const responses = ctx.mcpReq.inputResponses ?? {};
    if (state?.kind === 'held') {
      const call = this.held.get(state.call) as RelayedCall<R | InputRequiredResult> | undefined;
      if (!call) {
        throw new ProtocolError(ProtocolErrorCode.InvalidParams, `the call this requestState continues is no longer waiting for input (it was answered, or waited more than ${INPUT_WAIT_SECONDS} s): call again without it`);
      }
      this.release(call);
      call.context = ctx;
      call.answer(responses);
      return this.settle(call, ctx, target);
    }
    const retry: InputRetry = {
      ...(state === undefined ? {} : { inputResponses: responses, ...(state.backend === undefined ? {} : { requestState: state.backend }) }),
      clientCapabilities: relayable(capabilities),
    };
    const call = new RelayedCall<R | InputRequiredResult>(ctx);
    call.start(start(retry, call));
    return this.settle(call, ctx, target);
  }

  /** Cancels every held call (the gateway is closing). */
  close(): void {
    for (const call of this.held.values()) {
      this.release(call);
      call.cancel(new Error('the gateway closed'));
    }
  }

  private async settle<R extends object>(call: RelayedCall<R | InputRequiredResult>, ctx: ServerContext, target: string): Promise<R | InputRequiredResult> {
    const method = ctx.mcpReq.method;
    const cancel = () => call.cancel(ctx.mcpReq.signal.reason instanceof Error ? ctx.mcpReq.signal.reason : new Error('the client cancelled the request'));
    ctx.mcpReq.signal.addEventListener('abort', cancel, { once: true });
    let step: Step<R | InputRequiredResult>;
    try {
      step = await call.next();
    } finally {
      ctx.mcpReq.signal.removeEventListener('abort', cancel);
    }
    if ('done' in step) {
      const result = step.done;
      if (!isInputRequiredResult(result)) return result;
      // The server's own round: its requests as they were, its state inside the gateway's.
      const requests = result.inputRequests ?? {};
      return inputRequired({
        ...(Object.keys(requests).length === 0 ? {} : { inputRequests: requests }),
        requestState: await this.codec.mint({ kind: 'relay', method, target, ...(result.requestState === undefined ? {} : { backend: result.requestState }) }),
      });
    }
    this.held.set(call.id, call);
    call.expiry = setTimeout(() => {
      this.release(call);
      call.cancel(new Error(`the client did not answer within ${INPUT_WAIT_SECONDS} s`));
    }, INPUT_WAIT_SECONDS * 1000);
    call.expiry.unref();
    return inputRequired({
      inputRequests: Object.fromEntries(step.asks.map((ask) => [ask.key, ask.request as InputRequest])),
      requestState: await this.codec.mint({ kind: 'held', method, target, call: call.id }),
    });
  }

  private release(call: RelayedCall<unknown>): void {
    this.held.delete(call.id);
    if (call.expiry) clearTimeout(call.expiry);
    call.expiry = null;
  }
}

/** The client's capabilities a server behind the gateway may use: the requests the gateway relays. */
function relayable(capabilities: ClientCapabilities | undefined): ClientCapabilities {
  const { sampling, elicitation, roots } = capabilities ?? {};
  return { ...(sampling === undefined ? {} : { sampling }), ...(elicitation === undefined ? {} : { elicitation }), ...(roots === undefined ? {} : { roots }) };
}
