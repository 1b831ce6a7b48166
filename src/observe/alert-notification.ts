// What an alert sink receives: one notification holding the alerts of one grouping window, as the
// documented JSON body (with a Slack-compatible `text`), an e-mail subject and text, and env vars.

import type { Priority } from '../machines/defaults.js';
import type { ServiceState } from '../machines/service.machine.js';
import type { TransitionCause } from '../machines/transition-cause.js';

/** One alert: a rule fired for a service (`firing`), or that service is HEALTHY again (`resolved`). */
export interface Alert {
  status: 'firing' | 'resolved';
  rule: string;
  service: string;
  agent: string | null;
  /** The state the service is in (for `resolved`, HEALTHY). */
  state: ServiceState;
  /** The state it came from, on the transition that fired (or resolved) the alert. */
  from: ServiceState | null;
  cause: TransitionCause;
  /** Why, in a sentence (secrets are already redacted by the supervisor). */
  reason: string;
  /** When the alert fired or resolved (epoch ms). */
  at: number;
  /** When the episode began: the service entered the rule's state (epoch ms). */
  since: number;
  priority: Priority | null;
  profile: string | null;
}

/** The alerts of one grouping window, for one sink. */
export interface AlertNotification {
  alerts: Alert[];
  /** Sent by `mcp-supervisor alerts test`, not by a rule. */
  test: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One line per alert, e.g. `[FIRING] files: HEALTHY → RECONNECTING (connection lost: …), rule degraded`. */
export function alertLine(alert: Alert): string {
  if (alert.status === 'resolved') return `[RESOLVED] ${alert.service} is HEALTHY again (${alert.reason}), rule ${alert.rule}`;
  const lasted = alert.at - alert.since;
  const move = alert.from === null || lasted > 0 ? `${alert.state}${lasted > 0 ? ` for ${Math.round(lasted / 1000)} s` : ''}` : `${alert.from} → ${alert.state}`;
  return `[FIRING] ${alert.service}: ${move} (${alert.reason}), rule ${alert.rule}`;
}

/** The text of a notification: a Slack message's `text`, a command's MCP_SUPERVISOR_ALERT_TEXT, an e-mail's body start. */
export function notificationText(notification: AlertNotification): string {
  const lines = notification.alerts.map(alertLine);
  const head = notification.test ? 'mcp-supervisor: test alert (sent by `mcp-supervisor alerts test`)' : null;
  return [...(head ? [head] : []), ...lines].join('\n');
}

/** The JSON body webhooks receive and commands read on stdin (times in ISO-8601). */
export function notificationBody(notification: AlertNotification): Record<string, unknown> {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing').length;
  return {
    version: 1,
    status: firing > 0 ? 'firing' : 'resolved',
    test: notification.test,
    text: notificationText(notification),
    alerts: notification.alerts.map((alert) => ({ ...alert, at: iso(alert.at), since: iso(alert.since) })),
  };
}

/** An e-mail subject naming the service(s). */
export function notificationSubject(notification: AlertNotification): string {
  if (notification.test) return 'mcp-supervisor: test alert';
  const [first] = notification.alerts;
  if (notification.alerts.length === 1 && first) {
    return first.status === 'resolved'
      ? `mcp-supervisor resolved: ${first.service} is HEALTHY again`
      : `mcp-supervisor alert: ${first.service} is ${first.state}`;
  }
  const services = [...new Set(notification.alerts.map((alert) => alert.service))];
  return `mcp-supervisor: ${notification.alerts.length} alerts for ${services.slice(0, 3).join(', ')}${services.length > 3 ? ', …' : ''}`;
}

/** An e-mail body: per alert, the service, its state, the message and the time, as the lifecycle's alert mail has them. */
export function notificationMail(notification: AlertNotification): string {
  const blocks = notification.alerts.map((alert) =>
    [
      `Service: ${alert.service}${alert.agent ? ` (agent ${alert.agent})` : ''}`,
      `State: ${alert.state}${alert.status === 'resolved' ? ' (resolved)' : ''}`,
      `Alert: ${alertLine(alert)}`,
      `Time: ${iso(alert.at)}`,
    ].join('\n'),
  );
  return `${[notificationText(notification), ...blocks].join('\n\n')}\n\nPlease check the service's state.\n`;
}

/** The environment a command sink gets, beside the JSON on its stdin (the first alert's fields). */
export function notificationEnv(notification: AlertNotification): Record<string, string> {
  const first = notification.alerts[0];
  const body = notificationBody(notification);
  return {
    MCP_SUPERVISOR_ALERT_STATUS: String(body.status),
    MCP_SUPERVISOR_ALERT_COUNT: String(notification.alerts.length),
    MCP_SUPERVISOR_ALERT_TEXT: notificationText(notification),
    MCP_SUPERVISOR_ALERT_TEST: notification.test ? '1' : '0',
    MCP_SUPERVISOR_ALERT_RULE: first?.rule ?? '',
    MCP_SUPERVISOR_ALERT_SERVICE: first?.service ?? '',
    MCP_SUPERVISOR_ALERT_STATE: first?.state ?? '',
    MCP_SUPERVISOR_ALERT_FROM: first?.from ?? '',
    MCP_SUPERVISOR_ALERT_CAUSE: first?.cause ?? '',
    MCP_SUPERVISOR_ALERT_REASON: first?.reason ?? '',
    MCP_SUPERVISOR_ALERT_AT: first ? iso(first.at) : '',
  };
}
