// `mcp-supervisor alerts test`: one test notification to every configured sink, one attempt each, and
// what became of it, with the sink's secrets redacted.

import { redactSecrets } from '../actors/redact-secrets.js';
import type { AlertsConfig, AlertSinkConfig } from '../config/model.js';
import type { AlertNotification } from './alert-notification.js';
import { createSink, type AlertSink } from './alert-sink.js';

export interface SinkTestResult {
  sink: string;
  type: AlertSinkConfig['type'];
  target: string;
  /** null when delivered; else why not (redacted). */
  error: string | null;
}

/** A test notification, stamped `at`. */
export function testNotification(at: number): AlertNotification {
  return {
    test: true,
    alerts: [
      {
        status: 'firing',
        rule: 'test',
        service: 'example',
        agent: null,
        state: 'RECONNECTING',
        from: 'HEALTHY',
        cause: 'connection_lost',
        reason: 'a test alert: no service changed state',
        at,
        since: at,
        priority: null,
        profile: null,
      },
    ],
  };
}

export async function testSinks(
  config: AlertsConfig,
  options: { now?: () => number; createSink?: (config: AlertSinkConfig) => AlertSink } = {},
): Promise<SinkTestResult[]> {
  const build = options.createSink ?? createSink;
  const notification = testNotification((options.now ?? Date.now)());
  return Promise.all(
    config.sinks.map(async (sinkConfig) => {
      const sink = build(sinkConfig);
      try {
        await sink.send(notification);
        return { sink: sink.name, type: sink.type, target: sink.target, error: null };
      } catch (error) {
        const why = redactSecrets(error instanceof Error ? error.message : String(error), sink.secrets);
        return { sink: sink.name, type: sink.type, target: sink.target, error: why };
      } finally {
        sink.close();
      }
    }),
  );
}
