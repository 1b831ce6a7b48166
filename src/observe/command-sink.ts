// The command sink: runs a program with its argv (never through a shell), the alert in environment
// variables and as JSON on stdin; exit code 0 is delivered. Killed (its process group) at the timeout.

import { spawn } from 'node:child_process';
import type { AlertSinkConfig } from '../config/model.js';
import { notificationBody, notificationEnv, type AlertNotification } from './alert-notification.js';
import type { AlertSink } from './alert-sink.js';

type CommandConfig = Extract<AlertSinkConfig, { type: 'command' }>;

/** The last stderr characters kept for the failure message. */
const STDERR_TAIL = 500;

export class CommandSink implements AlertSink {
  readonly type = 'command';
  readonly name: string;
  readonly target: string;
  readonly secrets: readonly string[] = [];

  constructor(private readonly config: CommandConfig) {
    this.name = config.name;
    this.target = config.command;
  }

  send(notification: AlertNotification): Promise<void> {
    const { command, args, timeout } = this.config;
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        shell: false,
        detached: true,
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { ...process.env, ...notificationEnv(notification) },
      });
      let stderr = '';
      let timedOut = false;
      const kill = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, timeout);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_TAIL)));
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${JSON.stringify(notificationBody(notification))}\n`);
      child.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new Error(error.code === 'ENOENT' ? `command not found: ${command}` : error.message));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        const tail = stderr.trim().split('\n').at(-1) ?? '';
        if (timedOut) reject(new Error(`${command} did not finish within ${timeout} ms and was killed`));
        else if (code === 0) resolve();
        else reject(new Error(`${command} ${signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`}${tail ? `: ${tail}` : ''}`));
      });
    });
  }

  close(): void {}
}
