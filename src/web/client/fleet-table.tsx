// One row per service, filtered by agent, state and text. Only the rows in view are rendered (rows
// have one fixed height), so a fleet of thousands scrolls as lightly as a fleet of ten.

import { useEffect, useRef, useState } from 'preact/hooks';
import type { ServiceRow } from '../wire.js';
import { Sparkline } from './sparkline.js';
import { StateBadge, STATE_ORDER } from './state-badge.js';
import { durationText } from './time-text.js';

const ROW_HEIGHT = 40;
const OVERSCAN = 8;

export interface Filters {
  agent: string;
  state: string;
  text: string;
}

export const NO_FILTERS: Filters = { agent: '*', state: '*', text: '' };
const GLOBAL = '(global)';

export function applyFilters(rows: readonly ServiceRow[], filters: Filters): ServiceRow[] {
  const text = filters.text.trim().toLowerCase();
  return rows.filter(
    (row) =>
      (filters.agent === '*' || (row.agent ?? GLOBAL) === filters.agent) &&
      (filters.state === '*' || row.state === filters.state) &&
      (text === '' || row.key.toLowerCase().includes(text) || (row.error ?? '').toLowerCase().includes(text)),
  );
}

export function FilterBar({ rows, filters, onChange, shown }: { rows: readonly ServiceRow[]; filters: Filters; onChange: (filters: Filters) => void; shown: number }) {
  const agents = [...new Set(rows.map((row) => row.agent ?? GLOBAL))].sort();
  return (
    <form class="filters" role="search" onSubmit={(event) => event.preventDefault()}>
      <label>
        Agent
        <select value={filters.agent} onChange={(event) => onChange({ ...filters, agent: event.currentTarget.value })}>
          <option value="*">all</option>
          {agents.map((agent) => (
            <option key={agent} value={agent}>
              {agent}
            </option>
          ))}
        </select>
      </label>
      <label>
        State
        <select value={filters.state} onChange={(event) => onChange({ ...filters, state: event.currentTarget.value })}>
          <option value="*">all</option>
          {STATE_ORDER.map((state) => (
            <option key={state} value={state}>
              {state}
            </option>
          ))}
        </select>
      </label>
      <label class="grow">
        Search
        <input type="search" placeholder="name or error" value={filters.text} onInput={(event) => onChange({ ...filters, text: event.currentTarget.value })} />
      </label>
      <span class="count" aria-live="polite">
        {shown} of {rows.length}
      </span>
    </form>
  );
}

interface TableProps {
  rows: readonly ServiceRow[];
  now: number;
  onOpen: (key: string) => void;
}

export function FleetTable({ rows, now, onOpen }: TableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });

  useEffect(() => {
    const element = scroller.current;
    if (element === null) return;
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight });
    measure();
    element.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => {
      element.removeEventListener('scroll', measure);
      observer.disconnect();
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);

  return (
    <div class="table-scroller" ref={scroller} tabIndex={-1}>
      <table class="fleet" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">State</th>
            <th scope="col">In state</th>
            <th scope="col">Priority</th>
            <th scope="col" title="consecutive / since the supervisor started">Failures</th>
            <th scope="col">Reconnects</th>
            <th scope="col" title="time available since the supervisor started">Availability</th>
            <th scope="col">Last response</th>
            <th scope="col">Response times</th>
            <th scope="col">Next retry</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {first > 0 && <tr class="spacer" style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" />}
          {visible.map((row, index) => (
            <tr
              key={row.key}
              class="service-row"
              data-service={row.key}
              data-state={row.state}
              aria-rowindex={first + index + 2}
              tabIndex={0}
              onClick={() => onOpen(row.key)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  onOpen(row.key);
                }
              }}
            >
              <th scope="row">
                <a href={`#/service/${encodeURIComponent(row.key)}`} tabIndex={-1}>
                  {row.key}
                </a>
              </th>
              <td>
                <StateBadge state={row.state} />
              </td>
              <td>{durationText(now - row.stateSince)}</td>
              <td>{row.priority}</td>
              <td>
                {row.consecutiveFailures} / {row.totalFailures}
              </td>
              <td>{row.reconnects}</td>
              <td>{row.availability === null ? '–' : `${row.availability.toFixed(1)} %`}</td>
              <td>{row.responseTime === null ? '–' : `${Math.round(row.responseTime)} ms`}</td>
              <td>
                <Sparkline values={row.recentResponseTimes} label={`${row.key} response times`} />
              </td>
              <td>{row.nextRetry === null ? '–' : `in ${durationText(row.nextRetry - now)}`}</td>
              <td class="error" title={row.error ?? ''}>
                {row.error ?? ''}
              </td>
            </tr>
          ))}
          {last < rows.length && <tr class="spacer" style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }} aria-hidden="true" />}
        </tbody>
      </table>
    </div>
  );
}
