// The client's end of one in-memory connection: the SDK's InMemoryTransport to an in-process server,
// with the service's script applied to what crosses it — a refused or hanging open, requests answered
// with an error, never, or late on the layer's clock, a call that kills the server, a server that dies.

import {
  InMemoryTransport,
  SdkError,
  SdkErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
  type TransportSendOptions,
} from '@modelcontextprotocol/client';
import type { SuppliedTransport } from '../actors/connection.js';
import { startInMemoryServer, type InMemoryServer } from './in-memory-server.js';
import type { Behaviour, CallBehaviour, ServiceScript } from './service-script.js';

/** The clock delays are counted on: a VirtualClock in tests, the real one otherwise. */
export interface LinkClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

const METHOD_NOT_FOUND = -32601;
const INTERNAL_ERROR = -32603;

export class ScriptedLink implements SuppliedTransport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  closeReason?: string;
  /**
   * Set once the service's statechart holds the connection: from then on a `server/discover` or
   * `ping` is a health probe and a `tools/list` a refresh, scripted as such (the connect's own follow `connect`).
   */
  connectionId: string | null = null;
  private readonly inner: InMemoryTransport;
  private readonly serverEnd: InMemoryTransport;
  private server: InMemoryServer | null = null;
  private closed = false;
  /** What ends a hanging open, close or delay when the link goes (held so it can be released). */
  private readonly waits = new Set<() => void>();
  private readonly timers = new Set<unknown>();
  /** Requests whose answer is held back, by id: how long. */
  private readonly delays = new Map<RequestId, number>();

  constructor(
    readonly serviceKey: string,
    private readonly script: () => ServiceScript,
    private readonly clock: LinkClock,
    /** Hears once that the link has ended (its owner forgets it). */
    private readonly onEnded: () => void = () => undefined,
  ) {
    [this.inner, this.serverEnd] = InMemoryTransport.createLinkedPair();
    this.inner.onmessage = (message, extra) => this.receive(message, extra);
    this.inner.onclose = () => this.ended();
    this.inner.onerror = (error) => this.onerror?.(error);
  }

  get established(): boolean {
    return this.connectionId !== null;
  }

  get open(): boolean {
    return !this.closed;
  }

  async start(): Promise<void> {
    const { connect, failure } = this.script();
    if (connect === 'fail' || connect === 'methodNotFound') {
      throw Object.assign(new Error(failure), { code: 'ECONNREFUSED' });
    }
    if (connect === 'hang') await this.until(null);
    else if (typeof connect === 'object') await this.until(connect.respondAfterMs);
    if (this.closed) throw new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed');
    this.server = await startInMemoryServer(this.serviceKey, this.serverEnd, this.script);
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!this.closed && isJSONRPCRequest(message)) {
      const behaviour = this.behaviourOf(message);
      if (behaviour !== null && behaviour !== 'succeed' && behaviour !== 'answer') {
        if (behaviour === 'hang') return;
        if (behaviour === 'fail') return this.answerWithError(message, INTERNAL_ERROR, this.script().failure);
        if (behaviour === 'methodNotFound') return this.answerWithError(message, METHOD_NOT_FOUND, 'Method not found');
        if (behaviour === 'timeOut') throw new SdkError(SdkErrorCode.RequestTimeout, 'Request timed out', { scripted: true });
        if (behaviour === 'drop') {
          await this.inner.send(message, options);
          this.drop('process exited with code 1');
          return;
        }
        this.delays.set(message.id, behaviour.respondAfterMs);
      }
    }
    return this.inner.send(message, options);
  }

  /** A close we asked for; with `disconnect: 'hang'` it never ends, until the layer forces it (`end`). */
  async close(): Promise<void> {
    if (!this.closed && this.script().disconnect === 'hang') await this.until(null);
    await this.end();
  }

  /** The server dies (a process exit, a dropped socket): the client sees its transport close. */
  drop(reason: string): void {
    if (this.closed) return;
    this.closeReason = reason;
    void this.end();
  }

  toolsChanged(): void {
    if (!this.closed) this.server?.toolsChanged();
  }

  /** Ends the link at once, whatever the script: what a kill does. */
  async end(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const release of [...this.waits]) release();
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    await this.inner.close();
    await this.server?.close();
  }

  private behaviourOf(request: JSONRPCRequest): Behaviour | CallBehaviour | null {
    const script = this.script();
    if (request.method === 'tools/call') return script.call;
    if (!this.established) return null;
    if (request.method === 'ping' || request.method === 'server/discover') return script.ping;
    if (request.method === 'tools/list') return script.listTools;
    return null;
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id;
      const delay = id === undefined ? undefined : this.delays.get(id);
      if (id !== undefined && delay !== undefined) {
        this.delays.delete(id);
        this.later(delay, () => this.onmessage?.(message, extra));
        return;
      }
    }
    this.onmessage?.(message, extra);
  }

  private answerWithError(request: JSONRPCRequest, code: number, message: string): Promise<void> {
    const answer: JSONRPCMessage = { jsonrpc: '2.0', id: request.id, error: { code, message } };
    // Answered as a server would: after the send has returned.
    queueMicrotask(() => {
      if (!this.closed) this.onmessage?.(answer);
    });
    return Promise.resolve();
  }

  /** Resolves after `ms` of the clock (never, for null), or when the link ends. */
  private until(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const release = () => {
        this.waits.delete(release);
        resolve();
      };
      this.waits.add(release);
      if (ms !== null) this.later(ms, release);
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private ended(): void {
    this.closed = true;
    for (const release of [...this.waits]) release();
    this.onEnded();
    this.onclose?.();
  }
}
