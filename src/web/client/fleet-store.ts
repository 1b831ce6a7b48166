// The fleet as the page holds it. Messages from the live stream are queued and applied together once
// per animation frame, so a burst of changes costs one render, however many services it touches.

import type { ServiceRow, StreamMessage, TransitionRow } from '../wire.js';

/** How many response times a row's sparkline shows. */
export const SPARK_POINTS = 40;
const MAX_TRANSITIONS = 5_000;

export interface FleetState {
  rows: ReadonlyMap<string, ServiceRow>;
  /** Keys in the order the services were added. */
  order: readonly string[];
  transitions: readonly TransitionRow[];
  /** Recent response times per service, as seen since the page opened, oldest first. */
  responseTimes: ReadonlyMap<string, readonly number[]>;
  readOnly: boolean;
  /** The server's clock minus the page's, ms. */
  clockOffset: number;
  /** Has had a first `fleet` message. */
  loaded: boolean;
}

export class FleetStore {
  private state: FleetState = { rows: new Map(), order: [], transitions: [], responseTimes: new Map(), readOnly: true, clockOffset: 0, loaded: false };
  private queue: StreamMessage[] = [];
  private frame: number | null = null;
  private readonly listeners = new Set<() => void>();

  get current(): FleetState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  receive(message: StreamMessage): void {
    this.queue.push(message);
    this.frame ??= requestAnimationFrame(() => this.apply());
  }

  private apply() {
    this.frame = null;
    const messages = this.queue;
    this.queue = [];
    const { rows, order, transitions, responseTimes } = this.state;
    let { readOnly, clockOffset, loaded } = this.state;
    const nextRows = new Map(rows);
    const nextTimes = new Map(responseTimes);
    let nextOrder = order;
    let nextTransitions = transitions;
    for (const message of messages) {
      clockOffset = message.now - Date.now();
      if (message.type === 'fleet') {
        nextRows.clear();
        for (const row of message.rows) nextRows.set(row.key, row);
        nextOrder = message.rows.map((row) => row.key);
        nextTransitions = message.transitions;
        readOnly = message.readOnly;
        loaded = true;
        for (const key of nextTimes.keys()) if (!nextRows.has(key)) nextTimes.delete(key);
        for (const row of message.rows) recordResponseTime(nextTimes, undefined, row);
      } else {
        const added: string[] = [];
        for (const row of message.rows) {
          if (!nextRows.has(row.key)) added.push(row.key);
          recordResponseTime(nextTimes, nextRows.get(row.key), row);
          nextRows.set(row.key, row);
        }
        const removed = new Set(message.removed);
        for (const key of removed) {
          nextRows.delete(key);
          nextTimes.delete(key);
        }
        if (added.length > 0 || removed.size > 0) nextOrder = [...nextOrder.filter((key) => !removed.has(key)), ...added];
        if (message.transitions.length > 0) nextTransitions = [...nextTransitions, ...message.transitions].slice(-MAX_TRANSITIONS);
      }
    }
    this.state = { rows: nextRows, order: nextOrder, transitions: nextTransitions, responseTimes: nextTimes, readOnly, clockOffset, loaded };
    for (const listener of this.listeners) listener();
  }
}

/** A finished health check adds its response time to the service's sparkline. */
function recordResponseTime(times: Map<string, readonly number[]>, before: ServiceRow | undefined, after: ServiceRow) {
  if (after.lastHealthCheck === null || after.lastHealthCheck === before?.lastHealthCheck || after.responseTime === null) return;
  // A page that reconnects is sent the whole fleet again: a check it already counted is not counted twice.
  if (before === undefined && times.get(after.key)?.length) return;
  if (before !== undefined && after.responseTime === before.responseTime && after.consecutiveFailures > 0) return;
  const points = [...(times.get(after.key) ?? []), after.responseTime];
  times.set(after.key, points.slice(-SPARK_POINTS));
}
