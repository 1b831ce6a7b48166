// Resource subscriptions a 2026-07-28 client makes through the gateway's own `subscriptions/listen`.
// The SDK serves the listen stream itself; these seams see the filter it honoured and when the stream
// ends, so that the gateway holds the services' subscriptions for exactly as long (see
// `Gateway.holdSubscriptions`): a wrapper of the listen stream's HTTP response, and one of the stdio wire.

import {
  isJSONRPCNotification,
  isJSONRPCResultResponse,
  isJSONRPCErrorResponse,
  SUBSCRIPTION_ID_META_KEY,
  type JSONRPCMessage,
  type MessageExtraInfo,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import type { Gateway, SessionOptions } from './gateway.js';

/** The `resourceSubscriptions` of a listen request's (or acknowledgement's) `notifications` filter; empty when there are none. */
export function resourceSubscriptionsOf(params: unknown): string[] {
  const notifications = isRecord(params) ? params.notifications : undefined;
  const uris = isRecord(notifications) ? notifications.resourceSubscriptions : undefined;
  return Array.isArray(uris) ? uris.filter((uri): uri is string => typeof uri === 'string') : [];
}

/**
 * The SDK's answer to an HTTP `subscriptions/listen` request, holding the stream's resource
 * subscriptions until its body ends or its request is aborted: the client aborting or disconnecting,
 * or the handler closing the stream. An answer that is no stream (a refusal) holds nothing.
 */
export function holdWhileStreaming(
  response: Response,
  uris: readonly string[],
  signal: AbortSignal,
  hold: (uris: readonly string[]) => () => void,
): Response {
  const body = response.body;
  if (uris.length === 0 || body === null || signal.aborted || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return response;
  const release = hold(uris);
  // The request's signal aborts when the client goes, even if nobody reads the body any more.
  signal.addEventListener('abort', release, { once: true });
  const reader: ReadableStreamDefaultReader<Uint8Array> = body.getReader();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  return new Response(stream, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * The stdio wire under the SDK's `serveStdio`, holding each listen stream's resource subscriptions from
 * the SDK's acknowledgement (which names the filter it honoured) until the stream ends: the client's
 * `notifications/cancelled`, the SDK's closing result, or the connection closing. The services' updates
 * for a held URI are written to the stream, marked with its subscription id as the SDK marks its own.
 */
export class ListenSubscriptionsTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  /** The release of each open listen stream's hold, by the listen request's id. */
  private readonly holds = new Map<RequestId, () => void>();

  constructor(
    private readonly wire: Transport,
    private readonly gateway: Pick<Gateway, 'holdSubscriptions'>,
    private readonly session: SessionOptions = {},
  ) {
    wire.onmessage = (message, extra) => {
      if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
        const id = message.params?.requestId;
        if (typeof id === 'string' || typeof id === 'number') this.release(id);
      }
      this.onmessage?.(message, extra);
    };
    wire.onerror = (error) => this.onerror?.(error);
    wire.onclose = () => {
      this.releaseAll();
      this.onclose?.();
    };
  }

  get sessionId(): string | undefined {
    return this.wire.sessionId;
  }

  setProtocolVersion = (version: string): void => {
    this.wire.setProtocolVersion?.(version);
  };

  start(): Promise<void> {
    return this.wire.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    this.watch(message);
    return this.wire.send(message, options);
  }

  close(): Promise<void> {
    this.releaseAll();
    return this.wire.close();
  }

  private watch(message: JSONRPCMessage) {
    if (isJSONRPCNotification(message) && message.method === 'notifications/subscriptions/acknowledged') {
      const id = message.params?._meta?.[SUBSCRIPTION_ID_META_KEY];
      if (typeof id !== 'string' && typeof id !== 'number') return;
      this.release(id);
      const uris = resourceSubscriptionsOf(message.params);
      if (uris.length === 0) return;
      const deliver = (uri: string) => {
        const update = { jsonrpc: '2.0' as const, method: 'notifications/resources/updated', params: { uri, _meta: { [SUBSCRIPTION_ID_META_KEY]: id } } };
        void this.wire.send(update).catch(() => undefined);
      };
      this.holds.set(id, this.gateway.holdSubscriptions(uris, { ...this.session, deliver }));
      return;
    }
    // The SDK ends a listen stream with its result (or refuses it with an error) under the listen's id.
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) this.release(message.id);
  }

  private release(id: RequestId) {
    const release = this.holds.get(id);
    if (!release) return;
    this.holds.delete(id);
    release();
  }

  private releaseAll() {
    for (const id of [...this.holds.keys()]) this.release(id);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
