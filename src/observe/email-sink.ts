// The e-mail sink: SMTP through nodemailer, STARTTLS required by default (or TLS from the start with
// `secure`), credentials from the config (where `${VAR}` brings them from the environment).

import nodemailer, { type Transporter } from 'nodemailer';
import type { AlertSinkConfig } from '../config/model.js';
import { notificationMail, notificationSubject, type AlertNotification } from './alert-notification.js';
import type { AlertSink } from './alert-sink.js';

type EmailConfig = Extract<AlertSinkConfig, { type: 'email' }>;

export class EmailSink implements AlertSink {
  readonly type = 'email';
  readonly name: string;
  readonly target: string;
  readonly secrets: readonly string[];
  private readonly transport: Transporter;

  constructor(
    private readonly config: EmailConfig,
    /** Extra TLS options (a private CA), for tests and private mail servers. */
    tls: { ca?: string | Buffer } = {},
  ) {
    this.name = config.name;
    this.target = `smtp://${config.host}:${config.port} → ${config.to.join(', ')}`;
    this.secrets = [config.password, config.username].filter((value): value is string => value !== null && value.length >= 4);
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: !config.secure && config.requireTls,
      auth: config.username !== null ? { user: config.username, pass: config.password ?? '' } : undefined,
      connectionTimeout: config.timeout,
      greetingTimeout: config.timeout,
      socketTimeout: config.timeout,
      tls,
    });
  }

  async send(notification: AlertNotification): Promise<void> {
    await this.transport.sendMail({
      from: this.config.from,
      to: this.config.to,
      subject: notificationSubject(notification),
      text: notificationMail(notification),
    });
  }

  close(): void {
    this.transport.close();
  }
}
