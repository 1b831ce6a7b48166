// The recent transitions of the whole fleet, kept from the moment the dashboard is mounted, so a page
// opened later still shows what happened before it (`transitions$` does not replay).

import type { Observable, Subscription } from 'rxjs';
import type { Transition } from '../supervisor/transition.js';
import { toTransitionRow } from './service-row.js';
import type { TransitionRow } from './wire.js';

/** How many transitions the fleet timeline keeps (oldest dropped first). */
export const DEFAULT_HISTORY = 5_000;

export class TransitionHistory {
  private rows: TransitionRow[] = [];
  private readonly subscription: Subscription;

  constructor(
    transitions$: Observable<Transition>,
    private readonly capacity = DEFAULT_HISTORY,
  ) {
    this.subscription = transitions$.subscribe((transition) => this.add(toTransitionRow(transition)));
  }

  /** The kept transitions, oldest first (of one service when `service` is given). */
  recent(service?: string): TransitionRow[] {
    return service === undefined ? [...this.rows] : this.rows.filter((row) => row.service === service);
  }

  close(): void {
    this.subscription.unsubscribe();
  }

  private add(row: TransitionRow) {
    this.rows.push(row);
    // Trimmed in batches of a quarter, so the cost of dropping the oldest is spread over many adds.
    if (this.rows.length > this.capacity * 1.25) this.rows = this.rows.slice(-this.capacity);
  }
}
