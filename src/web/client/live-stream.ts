// The page's side of the live stream: `GET /api/events` read with fetch (EventSource cannot send the
// token header), parsed as server-sent events, and opened again by itself, with a growing delay, when
// the supervisor goes away (restarts, stops) until it answers again.

import type { StreamMessage } from '../wire.js';
import { authHeaders } from './token.js';

export type StreamStatus =
  | { kind: 'connecting' }
  | { kind: 'live' }
  | { kind: 'reconnecting'; attempt: number; retryAt: number; why: string }
  | { kind: 'needs-token'; why: string };

const MAX_DELAY_MS = 10_000;

export interface LiveStream {
  /** Tries again now (after a token was given, or to skip the wait). */
  retryNow(): void;
  close(): void;
}

export function openLiveStream(onMessage: (message: StreamMessage) => void, onStatus: (status: StreamStatus) => void): LiveStream {
  let closed = false;
  let attempt = 0;
  let abort: AbortController | null = null;
  let timer: number | null = null;

  const retryLater = (why: string) => {
    attempt++;
    const delay = Math.min(500 * 2 ** (attempt - 1), MAX_DELAY_MS);
    onStatus({ kind: 'reconnecting', attempt, retryAt: Date.now() + delay, why });
    timer = window.setTimeout(connect, delay);
  };

  async function connect() {
    timer = null;
    if (closed) return;
    abort = new AbortController();
    onStatus({ kind: 'connecting' });
    let response: Response;
    try {
      response = await fetch('/api/events', { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal: abort.signal, cache: 'no-store' });
    } catch {
      if (!closed) retryLater('the supervisor does not answer');
      return;
    }
    if (response.status === 401) {
      onStatus({ kind: 'needs-token', why: 'this supervisor requires a token' });
      return;
    }
    if (!response.ok || response.body === null) {
      retryLater(`the supervisor answered ${response.status}`);
      return;
    }
    try {
      await readEvents(response.body, (message) => {
        if (message.type === 'fleet') {
          attempt = 0;
          onStatus({ kind: 'live' });
        }
        onMessage(message);
      });
    } catch {
      // The connection broke: retried below like an end of stream.
    }
    if (!closed) retryLater('the connection to the supervisor was lost');
  }

  void connect();
  return {
    retryNow: () => {
      if (timer !== null) window.clearTimeout(timer);
      abort?.abort();
      attempt = 0;
      void connect();
    },
    close: () => {
      closed = true;
      if (timer !== null) window.clearTimeout(timer);
      abort?.abort();
    },
  };
}

/** Calls `onMessage` with each `data:` event of the stream until it ends. */
async function readEvents(body: ReadableStream<Uint8Array>, onMessage: (message: StreamMessage) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data !== '') onMessage(JSON.parse(data) as StreamMessage);
    }
  }
}
