// The alert sinks against real receivers on loopback: an HTTP server for the webhook, a child process
// for the command, an SMTP server (smtp-server, with STARTTLS and a login) for the e-mail; and the
// `alerts test` command.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import type { AlertSinkConfig } from '../../src/config/model.js';
import { CommandSink } from '../../src/observe/command-sink.js';
import { EmailSink } from '../../src/observe/email-sink.js';
import { testNotification } from '../../src/observe/test-alert.js';
import { WebhookSink } from '../../src/observe/webhook-sink.js';
import { runCli } from '../support/cli-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcp-supervisor-alert-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Received {
  method: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP receiver on loopback answering `status`, recording every request. */
async function receiver(status = 200): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

const webhook = (url: string, headers: Record<string, string> = {}): Extract<AlertSinkConfig, { type: 'webhook' }> => ({
  type: 'webhook',
  name: 'ops',
  url,
  headers,
  timeout: 10_000,
});

describe('webhook sink', () => {
  it('POSTs the documented JSON body, with its headers and a Slack-compatible text', async () => {
    const hook = await receiver();
    try {
      await new WebhookSink(webhook(hook.url, { Authorization: 'Bearer hook-token-123' })).send(testNotification(Date.UTC(2026, 0, 2, 3, 4, 5)));
      expect(hook.received).toHaveLength(1);
      const [request] = hook.received;
      expect(request?.method).toBe('POST');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers.authorization).toBe('Bearer hook-token-123');
      const body = JSON.parse(request?.body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({
        version: 1,
        status: 'firing',
        test: true,
        alerts: [{ status: 'firing', rule: 'test', service: 'example', state: 'RECONNECTING', from: 'HEALTHY', at: '2026-01-02T03:04:05.000Z' }],
      });
      expect(body.text).toMatch(/^mcp-supervisor: test alert .*\n\[FIRING\] example: HEALTHY → RECONNECTING/);
    } finally {
      hook.server.close();
    }
  });

  it('fails on an error status, and never shows its secrets', async () => {
    const hook = await receiver(503);
    try {
      const sink = new WebhookSink(webhook(`${hook.url}?token=query-secret-456`, { 'X-Key': 'header-secret-789' }));
      await expect(sink.send(testNotification(0))).rejects.toThrow('HTTP 503');
      expect(sink.target).not.toContain('query-secret-456');
      expect(sink.secrets).toEqual(expect.arrayContaining(['query-secret-456', 'header-secret-789']));
    } finally {
      hook.server.close();
    }
  });
});

describe('command sink', () => {
  const script = path.join(dir, 'record-alert.mjs');
  writeFileSync(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';
const [out, code] = process.argv.slice(2);
const stdin = readFileSync(0, 'utf8');
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('MCP_SUPERVISOR_ALERT_')));
writeFileSync(out, JSON.stringify({ argv: process.argv.slice(2), stdin, env }));
if (code) { process.stderr.write('pager service said no\\n'); process.exit(Number(code)); }
`,
  );
  const command = (args: string[]): Extract<AlertSinkConfig, { type: 'command' }> => ({ type: 'command', name: 'pager', command: process.execPath, args, timeout: 30_000 });

  it('runs the argv without a shell, with the alert in env vars and as JSON on stdin', async () => {
    const out = path.join(dir, 'alert.json');
    const marker = path.join(dir, 'shell-ran');
    await new CommandSink(command([script, out, '', `$(touch ${marker})`])).send(testNotification(0));
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { argv: string[]; stdin: string; env: Record<string, string> };
    expect(seen.argv[2]).toBe(`$(touch ${marker})`);
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(seen.stdin)).toMatchObject({ version: 1, test: true, alerts: [{ service: 'example' }] });
    expect(seen.env).toMatchObject({
      MCP_SUPERVISOR_ALERT_STATUS: 'firing',
      MCP_SUPERVISOR_ALERT_SERVICE: 'example',
      MCP_SUPERVISOR_ALERT_STATE: 'RECONNECTING',
      MCP_SUPERVISOR_ALERT_TEST: '1',
      MCP_SUPERVISOR_ALERT_COUNT: '1',
    });
  });

  it('fails with the exit code and the last stderr line', async () => {
    await expect(new CommandSink(command([script, path.join(dir, 'x.json'), '3'])).send(testNotification(0))).rejects.toThrow(
      /exited with code 3: pager service said no$/,
    );
    await expect(new CommandSink({ ...command([]), command: path.join(dir, 'no-such-program') }).send(testNotification(0))).rejects.toThrow(
      'command not found',
    );
  });
});

describe('email sink', () => {
  it('sends the mail through a real SMTP server, upgraded with STARTTLS and logged in', async () => {
    const key = path.join(dir, 'smtp.key');
    const cert = path.join(dir, 'smtp.crt');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const mails: { from: string; to: string[]; data: string; secure: boolean; user: string | undefined }[] = [];
    const server = new SMTPServer({
      key: readFileSync(key),
      cert: readFileSync(cert),
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts@example.com' && auth.password === 'smtp-secret-pw') callback(null, { user: auth.username });
        else callback(new Error('invalid login'));
      },
      onData(stream, session, callback) {
        let data = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (data += chunk));
        stream.on('end', () => {
          mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            data,
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
          });
          callback();
        });
      },
      logger: false,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    const sink = new EmailSink(
      {
        type: 'email',
        name: 'mail',
        host: '127.0.0.1',
        port,
        secure: false,
        requireTls: true,
        username: 'alerts@example.com',
        password: 'smtp-secret-pw',
        from: 'alerts@example.com',
        to: ['admin@example.com'],
        timeout: 10_000,
      },
      { ca: readFileSync(cert) },
    );
    try {
      await sink.send(testNotification(Date.UTC(2026, 0, 2, 3, 4, 5)));
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(mail).toMatchObject({ from: 'alerts@example.com', to: ['admin@example.com'], secure: true, user: 'alerts@example.com' });
      expect(mail?.data).toContain('Subject: mcp-supervisor: test alert');
      expect(mail?.data).toContain('Service: example');
      expect(mail?.data).toContain('State: RECONNECTING');
      expect(mail?.data).toContain('Time: 2026-01-02T03:04:05.000Z');
      expect(sink.secrets).toContain('smtp-secret-pw');
    } finally {
      sink.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('mcp-supervisor alerts test', () => {
  it('sends a test alert to every sink and reports each, exit 1 when one failed', async () => {
    const hook = await receiver();
    try {
      const file = path.join(dir, 'alerts.yaml');
      writeFileSync(
        file,
        `alerts:
  sinks:
    ops: { type: webhook, url: "${hook.url}", headers: { Authorization: "Bearer cli-secret-token" } }
    dead: { type: command, command: ${JSON.stringify(path.join(dir, 'missing-pager'))} }
  rules:
    degraded: { enters: [WARNING, RECONNECTING, UNREACHABLE], sinks: [ops, dead] }
services:
  files: { command: node }
`,
      );
      const result = await runCli(['alerts', 'test', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`delivered  ops (webhook → ${hook.url})`);
      expect(result.stdout).toMatch(/FAILED {3} {2}dead \(command → .*missing-pager\): command not found/);
      expect(result.stdout).toContain('1 of 2 sinks failed');
      expect(result.stdout + result.stderr).not.toContain('cli-secret-token');
      expect(hook.received).toHaveLength(1);
    } finally {
      hook.server.close();
    }
  });

  it('names the mistake in its arguments', async () => {
    const result = await runCli(['alerts', 'tset']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown alerts command 'tset' (did you mean 'test'?)");
  });
});
