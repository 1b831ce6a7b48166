// The webhook sink: an HTTP POST of the notification's JSON body (whose `text` a Slack incoming webhook
// shows as the message), with the configured headers, within the sink's timeout.

import { secretsOf } from '../actors/redact-secrets.js';
import type { AlertSinkConfig } from '../config/model.js';
import { redactUrl } from '../config/transport.js';
import { notificationBody, type AlertNotification } from './alert-notification.js';
import type { AlertSink } from './alert-sink.js';

type WebhookConfig = Extract<AlertSinkConfig, { type: 'webhook' }>;

export class WebhookSink implements AlertSink {
  readonly type = 'webhook';
  readonly name: string;
  readonly target: string;
  readonly secrets: readonly string[];

  constructor(private readonly config: WebhookConfig) {
    this.name = config.name;
    this.target = redactUrl(config.url);
    this.secrets = secretsOf({ type: 'sse', url: config.url, headers: config.headers });
  }

  async send(notification: AlertNotification): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': 'mcp-supervisor', ...this.config.headers },
        body: JSON.stringify(notificationBody(notification)),
        signal: AbortSignal.timeout(this.config.timeout),
        redirect: 'error',
      });
    } catch (error) {
      throw new Error(fetchFailure(error, this.config.timeout), { cause: error });
    }
    // The body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new Error(`HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }

  close(): void {}
}

function fetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `${cause.code}${typeof cause.message === 'string' ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
