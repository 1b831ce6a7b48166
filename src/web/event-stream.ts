// The dashboard's live stream (`GET /api/events`, text/event-stream): the whole fleet once, then only
// what changed, coalesced: at most one message per `flushMs` however often `services$` emits, holding
// the rows whose snapshot changed since the last message (found by identity, so unchanged services
// cost a comparison, never a serialisation), the rows whose tally changed, and the transitions since.

import type { ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import type { ServiceTallies } from '../observe/service-tallies.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import { toServiceRow, toTransitionRow } from './service-row.js';
import type { TransitionHistory } from './transition-history.js';
import type { ServiceRow, StreamMessage, TransitionRow } from './wire.js';

export interface EventStreamSource {
  services$: Observable<ReadonlyMap<string, ServiceSnapshot>>;
  transitions$: Observable<Transition>;
  history: TransitionHistory;
  tallies: ServiceTallies;
  readOnly: boolean;
  now: () => number;
}

export interface EventStreamOptions {
  /** The shortest time between two messages, ms (default 100). */
  flushMs?: number;
  /** How often an idle stream sends a comment, so that proxies and the page see it alive, ms (default 15 000). */
  keepAliveMs?: number;
}

/** Streams the fleet to `response` until the client goes away or `closed` fires. */
export function serveEventStream(response: ServerResponse, source: EventStreamSource, options: EventStreamOptions = {}): () => void {
  const flushMs = options.flushMs ?? 100;
  response.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  const send = (message: StreamMessage) => response.write(`data: ${JSON.stringify(message)}\n\n`);

  let sent = new Map<string, ServiceSnapshot>();
  let latest: ReadonlyMap<string, ServiceSnapshot> | null = null;
  let pending: TransitionRow[] = [];
  const tallied = new Set<string>();
  let timer: NodeJS.Timeout | null = null;
  let started = false;

  const flush = () => {
    timer = null;
    const view = latest;
    if (view === null) return;
    const rows: ServiceRow[] = [];
    const next = new Map<string, ServiceSnapshot>();
    let kept = 0;
    for (const snapshot of view.values()) {
      const before = sent.get(snapshot.key);
      if (before !== undefined) kept++;
      if (before !== snapshot || tallied.has(snapshot.key)) rows.push(toServiceRow(snapshot, source.tallies.get(snapshot.key)));
      next.set(snapshot.key, snapshot);
    }
    const removed = kept < sent.size ? [...sent.keys()].filter((key) => !view.has(key)) : [];
    sent = next;
    tallied.clear();
    const transitions = pending;
    pending = [];
    if (rows.length > 0 || removed.length > 0 || transitions.length > 0) {
      send({ type: 'changes', rows, removed, transitions, now: source.now() });
    }
  };
  const schedule = () => {
    if (timer === null && started) timer = setTimeout(flush, flushMs);
  };

  // The history and the subscription are taken in the same turn, so no transition is lost or sent twice.
  const transitions = source.transitions$.subscribe((transition) => {
    pending.push(toTransitionRow(transition));
    schedule();
  });
  const tallies = source.tallies.changes$.subscribe((key) => {
    tallied.add(key);
    schedule();
  });
  const initial = source.history.recent();
  const services = source.services$.subscribe((view) => {
    latest = view;
    if (!started) {
      started = true;
      for (const snapshot of view.values()) sent.set(snapshot.key, snapshot);
      send({ type: 'fleet', rows: [...view.values()].map((snapshot) => toServiceRow(snapshot, source.tallies.get(snapshot.key))), transitions: initial, readOnly: source.readOnly, now: source.now() });
      pending = [];
      return;
    }
    schedule();
  });
  const keepAlive = setInterval(() => response.write(': alive\n\n'), options.keepAliveMs ?? 15_000);

  const stop = () => {
    transitions.unsubscribe();
    tallies.unsubscribe();
    services.unsubscribe();
    clearInterval(keepAlive);
    if (timer !== null) clearTimeout(timer);
    if (!response.writableEnded) response.end();
  };
  response.once('close', stop);
  return stop;
}
