// The fleet at a glance: how many services, how many available, their average response time, and how
// many are in each state.

import type { ServiceRow } from '../wire.js';
import { STATE_COLOURS, STATE_ORDER } from './state-badge.js';

export function FleetOverview({ rows }: { rows: readonly ServiceRow[] }) {
  const total = rows.length;
  const available = rows.filter((row) => row.available).length;
  const timed = rows.filter((row) => row.available && row.responseTime !== null);
  const average = timed.length === 0 ? null : Math.round(timed.reduce((sum, row) => sum + (row.responseTime ?? 0), 0) / timed.length);
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);

  return (
    <section class="overview" aria-label="Fleet overview">
      <div class="tile">
        <span class="tile-value" data-testid="total">{total}</span>
        <span class="tile-label">services</span>
      </div>
      <div class="tile">
        <span class="tile-value">{total === 0 ? '–' : `${Math.round((available / total) * 100)} %`}</span>
        <span class="tile-label">health rate ({available} available)</span>
      </div>
      <div class="tile">
        <span class="tile-value">{average === null ? '–' : `${average} ms`}</span>
        <span class="tile-label">average response time</span>
      </div>
      <div class="tile tile-wide">
        <div class="distribution" role="img" aria-label={STATE_ORDER.map((state) => `${state} ${counts.get(state) ?? 0}`).join(', ')}>
          {STATE_ORDER.filter((state) => (counts.get(state) ?? 0) > 0).map((state) => (
            <span key={state} style={{ flexGrow: counts.get(state), background: STATE_COLOURS[state] }} title={`${state}: ${counts.get(state)}`} />
          ))}
        </div>
        <ul class="legend">
          {STATE_ORDER.map((state) => (
            <li key={state}>
              <span class="swatch" style={{ background: STATE_COLOURS[state] }} />
              {state.toLowerCase()} {counts.get(state) ?? 0}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
