// The fleet as the page holds it. Messages from the live stream are queued and applied together once
// per animation frame, so a burst of changes costs one render, however many services it touches.

import type { ServiceRow, StreamMessage, TransitionRow } from '../wire.js';

const MAX_TRANSITIONS = 5_000;

export interface FleetState {
  rows: ReadonlyMap<string, ServiceRow>;
  /** Keys in the order the services were added. */
  order: readonly string[];
  transitions: readonly TransitionRow[];
  readOnly: boolean;
  /** The server's clock minus the page's, ms. */
  clockOffset: number;
  /** Has had a first `fleet` message. */
  loaded: boolean;
}

export class FleetStore {
  private state: FleetState = { rows: new Map(), order: [], transitions: [], readOnly: true, clockOffset: 0, loaded: false };
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
    const { rows, order, transitions } = this.state;
    let { readOnly, clockOffset, loaded } = this.state;
    const nextRows = new Map(rows);
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
      } else {
        const added: string[] = [];
        for (const row of message.rows) {
          if (!nextRows.has(row.key)) added.push(row.key);
          nextRows.set(row.key, row);
        }
        const removed = new Set(message.removed);
        for (const key of removed) nextRows.delete(key);
        if (added.length > 0 || removed.size > 0) nextOrder = [...nextOrder.filter((key) => !removed.has(key)), ...added];
        if (message.transitions.length > 0) nextTransitions = [...nextTransitions, ...message.transitions].slice(-MAX_TRANSITIONS);
      }
    }
    this.state = { rows: nextRows, order: nextOrder, transitions: nextTransitions, readOnly, clockOffset, loaded };
    for (const listener of this.listeners) listener();
  }
}
