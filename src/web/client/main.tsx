// The dashboard page: the live fleet (overview, filters, table), a service's detail, the fleet timeline,
// the connection's state, the token form and the outcome of every action.

import 'uplot/dist/uPlot.min.css';
import './dashboard.css';
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ActionName, StatechartLayout } from '../wire.js';
import { getJson, postAction } from './api.js';
import { FleetOverview } from './fleet-overview.js';
import { FleetStore, type FleetState } from './fleet-store.js';
import { applyFilters, FilterBar, FleetTable, NO_FILTERS, type Filters } from './fleet-table.js';
import { FleetTimeline } from './fleet-timeline.js';
import { openLiveStream, type LiveStream, type StreamStatus } from './live-stream.js';
import { ServiceDetail } from './service-detail.js';
import { clockText } from './time-text.js';
import { getToken, setToken, takeTokenFromFragment } from './token.js';

interface Outcome {
  id: number;
  at: number;
  ok: boolean;
  message: string;
}

const selectedFromHash = () => {
  const match = /^#\/service\/(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1] ?? '') : null;
};

function App({ store }: { store: FleetStore }) {
  const [fleet, setFleet] = useState<FleetState>(store.current);
  const [status, setStatus] = useState<StreamStatus>({ kind: 'connecting' });
  const [stream, setStream] = useState<LiveStream | null>(null);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [selected, setSelected] = useState<string | null>(selectedFromHash());
  const [view, setView] = useState<'table' | 'timeline'>('table');
  const [statechart, setStatechart] = useState<StatechartLayout | null>(null);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [busy, setBusy] = useState(false);
  const [clock, setClock] = useState(Date.now());

  useEffect(() => store.subscribe(() => setFleet(store.current)), [store]);
  useEffect(() => {
    const live = openLiveStream((message) => store.receive(message), setStatus);
    setStream(live);
    return () => live.close();
  }, [store]);
  // Times in state and retry countdowns move on with the page's own clock; no request is made.
  useEffect(() => {
    const timer = window.setInterval(() => setClock(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  useEffect(() => {
    const onHash = () => setSelected(selectedFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (selected !== null && statechart === null && status.kind === 'live') getJson<StatechartLayout>('/api/statechart').then(setStatechart, () => undefined);
  }, [selected, status.kind, statechart]);

  const rows = useMemo(() => fleet.order.map((key) => fleet.rows.get(key)).filter((row) => row !== undefined), [fleet]);
  const shown = useMemo(() => applyFilters(rows, filters), [rows, filters]);
  const now = clock + fleet.clockOffset;

  const open = (key: string | null) => {
    location.hash = key === null ? '' : `#/service/${encodeURIComponent(key)}`;
    setSelected(key);
  };
  const act = async (service: string, action: ActionName) => {
    setBusy(true);
    const outcome = await postAction(service, action);
    setBusy(false);
    setOutcomes((list) => [{ id: (list[0]?.id ?? 0) + 1, at: Date.now(), ...outcome }, ...list].slice(0, 5));
  };

  return (
    <>
      <header class="top">
        <h1>mcp-supervisor</h1>
        <nav aria-label="Views">
          <button type="button" aria-pressed={view === 'table' && selected === null} onClick={() => (open(null), setView('table'))}>
            Fleet
          </button>
          <button type="button" aria-pressed={view === 'timeline' && selected === null} onClick={() => (open(null), setView('timeline'))}>
            Timeline
          </button>
        </nav>
        <ConnectionStatus status={status} onRetry={() => stream?.retryNow()} />
        <TokenForm onToken={() => stream?.retryNow()} needed={status.kind === 'needs-token'} />
      </header>
      <main>
        {fleet.readOnly && fleet.loaded && (
          <p class="notice" data-testid="read-only">
            Read-only: no token is configured on this supervisor, so actions are refused.
          </p>
        )}
        {outcomes.length > 0 && (
          <ul class="outcomes" aria-live="polite" aria-label="Action outcomes">
            {outcomes.map((outcome) => (
              <li key={outcome.id} class={outcome.ok ? 'ok' : 'refused'} data-testid="outcome">
                <time>{clockText(outcome.at)}</time> {outcome.message}
              </li>
            ))}
          </ul>
        )}
        {status.kind === 'needs-token' && !fleet.loaded ? (
          <p class="notice">This supervisor requires its operators' token: enter it above. It stays in this tab only.</p>
        ) : selected !== null ? (
          <ServiceDetail
            serviceKey={selected}
            row={fleet.rows.get(selected)}
            statechart={statechart}
            readOnly={fleet.readOnly}
            busy={busy}
            onAction={(service, action) => void act(service, action)}
            onClose={() => open(null)}
          />
        ) : (
          <>
            <FleetOverview rows={rows} />
            {view === 'table' ? (
              <>
                <FilterBar rows={rows} filters={filters} onChange={setFilters} shown={shown.length} />
                <FleetTable rows={shown} now={now} onOpen={open} />
              </>
            ) : (
              <FleetTimeline transitions={fleet.transitions} services={fleet.order} />
            )}
          </>
        )}
      </main>
    </>
  );
}

function ConnectionStatus({ status, onRetry }: { status: StreamStatus; onRetry: () => void }) {
  const text =
    status.kind === 'live'
      ? 'live'
      : status.kind === 'connecting'
        ? 'connecting…'
        : status.kind === 'needs-token'
          ? 'token needed'
          : `reconnecting (attempt ${status.attempt}): ${status.why}`;
  return (
    <div class="connection" data-status={status.kind} role="status">
      <span class="dot" aria-hidden="true" />
      <span>{text}</span>
      {status.kind === 'reconnecting' && (
        <button type="button" class="link" onClick={onRetry}>
          retry now
        </button>
      )}
    </div>
  );
}

function TokenForm({ onToken, needed }: { onToken: () => void; needed: boolean }) {
  const [value, setValue] = useState('');
  const [kept, setKept] = useState(getToken() !== null);
  return (
    <form
      class={needed ? 'token needed' : 'token'}
      onSubmit={(event) => {
        event.preventDefault();
        setToken(value.trim());
        setKept(value.trim() !== '');
        setValue('');
        onToken();
      }}
    >
      <label>
        <span class="visually-hidden">Operators' token</span>
        <input type="password" autocomplete="off" placeholder={kept ? 'token kept for this tab' : 'token'} value={value} onInput={(event) => setValue(event.currentTarget.value)} />
      </label>
      <button type="submit">{kept && value === '' ? 'Forget token' : 'Use token'}</button>
    </form>
  );
}

takeTokenFromFragment();
const root = document.getElementById('app');
if (root !== null) render(<App store={new FleetStore()} />, root);
