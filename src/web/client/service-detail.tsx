// One service in full: its actions, metadata, tools with their schemas, transitions as a timeline with
// their causes, its stderr tail (redacted by the supervisor) and the statechart with its state marked.

import { useEffect, useState } from 'preact/hooks';
import type { ActionName, ServiceRow, StatechartLayout, TransitionRow } from '../wire.js';
import { ACTIONS } from '../wire.js';
import { getJson } from './api.js';
import { StateBadge } from './state-badge.js';
import { StatechartView } from './statechart-view.js';
import { clockText } from './time-text.js';

/** What `GET /api/services/<key>` answers (the supervisor's getServiceInfo and the service's transitions). */
interface ServiceDetailBody {
  service: {
    key: string;
    state: string;
    metadata: Record<string, unknown>;
    serverInfo: Record<string, unknown> | null;
    tools: { name: string; title?: string; description?: string; inputSchema: unknown; outputSchema?: unknown }[];
    config: { transport: unknown; lifecycle: Record<string, unknown> };
    diagnostics: { pid: number | null; stderrTail: string[]; droppedNotifications: number } | null;
  };
  /** Its counters since the supervisor started. */
  tally: Record<string, unknown> | null;
  transitions: TransitionRow[];
}

const ACTION_LABELS: Record<ActionName, string> = { check: 'Check now', reconnect: 'Reconnect now', restart: 'Restart', stop: 'Stop', start: 'Start' };

interface Props {
  serviceKey: string;
  row: ServiceRow | undefined;
  statechart: StatechartLayout | null;
  readOnly: boolean;
  busy: boolean;
  onAction: (service: string, action: ActionName) => void;
  onClose: () => void;
}

export function ServiceDetail({ serviceKey, row, statechart, readOnly, busy, onAction, onClose }: Props) {
  const [detail, setDetail] = useState<ServiceDetailBody | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Fetched again whenever the row changes (a new state, a finished check), so the detail stays live.
  useEffect(() => {
    let current = true;
    getJson<ServiceDetailBody>(`/api/services/${encodeURIComponent(serviceKey)}`).then(
      (body) => current && (setDetail(body), setError(null)),
      (failure: Error) => current && setError(failure.message),
    );
    return () => {
      current = false;
    };
  }, [serviceKey, row]);

  const state = row?.state ?? detail?.service.state ?? '?';
  const service = detail?.service;
  return (
    <article class="detail" aria-labelledby="detail-title">
      <header class="detail-header">
        <button type="button" class="link" onClick={onClose}>
          ← Fleet
        </button>
        <h2 id="detail-title">{serviceKey}</h2>
        <StateBadge state={state} />
      </header>
      <div class="actions" role="group" aria-label="Actions">
        {ACTIONS.map((action) => (
          <button type="button" key={action} data-action={action} disabled={busy} onClick={() => onAction(serviceKey, action)} title={readOnly ? 'read-only: no token is configured on the supervisor' : ''}>
            {ACTION_LABELS[action]}
          </button>
        ))}
        {readOnly && <span class="hint">Read-only: the supervisor has no token configured, so actions are refused.</span>}
      </div>
      {error !== null && <p class="problem" role="alert">{error}</p>}
      <div class="detail-grid">
        <section aria-labelledby="statechart-title">
          <h3 id="statechart-title">Statechart</h3>
          {statechart === null ? <p>Loading…</p> : <StatechartView layout={statechart} current={state} />}
        </section>
        <section aria-labelledby="metadata-title">
          <h3 id="metadata-title">Metadata</h3>
          {service && <KeyValues values={{ ...service.metadata, ...(service.serverInfo ? { server: service.serverInfo } : {}) }} />}
          <h3>Since the supervisor started</h3>
          {detail?.tally && <KeyValues values={detail.tally} />}
          <h3>Configuration (secrets redacted)</h3>
          {service && <KeyValues values={{ transport: service.config.transport, ...service.config.lifecycle }} />}
        </section>
        <section aria-labelledby="tools-title">
          <h3 id="tools-title">Tools ({service?.tools.length ?? 0})</h3>
          <ul class="tools">
            {service?.tools.map((tool) => (
              <li key={tool.name} data-tool={tool.name}>
                <details>
                  <summary>
                    <code>{tool.name}</code> {tool.title ?? tool.description ?? ''}
                  </summary>
                  {tool.description && <p>{tool.description}</p>}
                  <h4>Input schema</h4>
                  <pre>{JSON.stringify(tool.inputSchema, null, 2)}</pre>
                  {tool.outputSchema !== undefined && (
                    <>
                      <h4>Output schema</h4>
                      <pre>{JSON.stringify(tool.outputSchema, null, 2)}</pre>
                    </>
                  )}
                </details>
              </li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="transitions-title">
          <h3 id="transitions-title">Transitions</h3>
          <ol class="service-timeline">
            {[...(detail?.transitions ?? [])].reverse().map((transition) => (
              <li key={`${transition.at}-${transition.to}-${transition.cause}`}>
                <time dateTime={new Date(transition.at).toISOString()}>{clockText(transition.at)}</time>
                <span>
                  {transition.from ?? '∅'} → <StateBadge state={transition.to} />
                </span>
                <code class="cause">{transition.cause}</code>
                <span class="reason">{transition.reason}</span>
              </li>
            ))}
          </ol>
        </section>
        <section aria-labelledby="stderr-title" class="wide">
          <h3 id="stderr-title">Stderr tail (secrets redacted){service?.diagnostics?.pid ? `, pid ${service.diagnostics.pid}` : ''}</h3>
          <pre class="stderr">{service?.diagnostics === null ? 'not available for this connection' : (service?.diagnostics?.stderrTail.join('\n') || '(nothing written)')}</pre>
        </section>
      </div>
    </article>
  );
}

function KeyValues({ values }: { values: Record<string, unknown> }) {
  return (
    <dl class="key-values">
      {Object.entries(values).map(([key, value]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>{valueText(key, value)}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Metadata times are epoch ms: shown as clock times; objects as JSON. */
function valueText(key: string, value: unknown) {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'object') return <code>{JSON.stringify(value)}</code>;
  if (typeof value === 'number' && /(Time|HealthCheck|^since|^at)$/.test(key) && !/responseTime$/i.test(key)) return clockText(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(1);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '?';
}
