// The contract of an alert sink (webhook, command, e-mail), and building one from its config.

import type { AlertSinkConfig } from '../config/model.js';
import type { AlertNotification } from './alert-notification.js';
import { CommandSink } from './command-sink.js';
import { EmailSink } from './email-sink.js';
import { WebhookSink } from './webhook-sink.js';

/** Somewhere alerts are sent: a webhook, a command or e-mail (or an embedder's own). */
export interface AlertSink {
  readonly name: string;
  readonly type: AlertSinkConfig['type'];
  /** Where it sends, fit for a log line: secrets redacted. */
  readonly target: string;
  /** Values never to show (header values, passwords, URL tokens): failures are redacted with them. */
  readonly secrets: readonly string[];
  /** Delivers one notification, bounded by the sink's timeout; rejects with what went wrong. */
  send(notification: AlertNotification): Promise<void>;
  /** Releases what the sink holds open (an SMTP pool). */
  close(): void;
}

/** The built-in sink a sink config describes. */
export function createSink(config: AlertSinkConfig): AlertSink {
  switch (config.type) {
    case 'webhook':
      return new WebhookSink(config);
    case 'command':
      return new CommandSink(config);
    case 'email':
      return new EmailSink(config);
  }
}
