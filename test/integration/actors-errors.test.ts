// Every failure a user can act on, produced by a real failing server, with the message the spec asks for
// and no secret in it.

import { afterEach, describe, expect, it } from 'vitest';
import {
  CommandNotFoundError,
  ConnectionRefusedError,
  McpRequestError,
  OperationTimeoutError,
  ServerExitedError,
  UnauthorizedError,
  WorkingDirectoryNotFoundError,
} from '../../src/actors/errors.js';
import type { TransportConfig } from '../../src/config/transport.js';
import { ActorHarness } from '../fixtures/actor-harness.js';
import {
  descendantsOf,
  eventually,
  freePort,
  modernStdioServer,
  startHttpServer,
  stdioServer,
  stopHttpServers,
} from '../fixtures/test-servers.js';

const SECRETS = ['sk-live-0123456789', 'Bearer tok-abcdef', 'q-token-987'];

let harness = new ActorHarness();

afterEach(async () => {
  await harness.dispose();
  harness = new ActorHarness();
  await stopHttpServers();
});

/** The error a connect of `transport` rejects with; its message must not contain a secret. */
async function connectError(transport: TransportConfig, timeoutMs = 15_000): Promise<Error> {
  const error = await harness.connect(transport, { timeoutMs }).then(
    () => {
      throw new Error('connect succeeded');
    },
    (failure: unknown) => failure as Error,
  );
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
  // Like the supervisor's errors, it names the service it concerns by its fleet key.
  expect(error).toMatchObject({ service: 'svc' });
  return error;
}

describe('connect failures', () => {
  it('says "command not found" for a command that does not exist', async () => {
    const error = await connectError({ type: 'stdio', command: 'mcp-supervisor-no-such-command', args: [], env: {} });
    expect(error).toBeInstanceOf(CommandNotFoundError);
    expect(error.message).toBe('command not found: mcp-supervisor-no-such-command');
  });

  it('names a working directory that does not exist', async () => {
    const error = await connectError({ ...stdioServer(), cwd: '/nonexistent/mcp-supervisor-test' });
    expect(error).toBeInstanceOf(WorkingDirectoryNotFoundError);
    expect(error.message).toBe('working directory not found: /nonexistent/mcp-supervisor-test');
  });

  it('reports a server that exits on start with its exit code and last stderr lines, env values redacted', async () => {
    const transport = stdioServer(['--print-env', 'FIXTURE_KEY', '--exit-on-start', '3'], { FIXTURE_KEY: SECRETS[0] ?? '' });
    const error = await connectError(transport);
    expect(error).toBeInstanceOf(ServerExitedError);
    expect(error.message).toContain('exited with code 3 during start');
    expect(error.message).toContain('fixture: fatal: missing API key (set FIXTURE_KEY)');
    expect(error.message).toContain('FIXTURE_KEY=***');
  });

  it('says "connection refused at <url>" with the URL redacted', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp?token=${SECRETS[2]}`;
    for (const type of ['streamable-http', 'sse'] as const) {
      const transport: TransportConfig =
        type === 'sse'
          ? { type, url, headers: { Authorization: SECRETS[1] ?? '' } }
          : { type, url, headers: { Authorization: SECRETS[1] ?? '' }, sseFallback: true };
      const error = await connectError(transport);
      expect(error).toBeInstanceOf(ConnectionRefusedError);
      expect(error.message).toBe(`connection refused at http://127.0.0.1:${port}/mcp?token=***`);
    }
  });

  it('says "unauthorized — check the headers for <service>" on a 401, over Streamable HTTP and SSE', async () => {
    for (const transport of ['http', 'sse'] as const) {
      const server = await startHttpServer(['--require-header', 'x-api-key=right-key'], { transport });
      const error = await connectError(
        transport === 'sse'
          ? { type: 'sse', url: server.url, headers: { 'x-api-key': SECRETS[0] ?? '' } }
          : { type: 'streamable-http', url: server.url, headers: { 'x-api-key': SECRETS[0] ?? '' }, sseFallback: true },
      );
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error.message).toBe('unauthorized — check the headers for svc');
    }
  });

  it('says "connect timed out after <n> ms" at the deadline, and ends the process it started afterwards', async () => {
    // A process that never answers `initialize`, and ignores stdin closing and SIGTERM.
    const silent = 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)';
    const error = await connectError({ type: 'stdio', command: process.execPath, args: ['-e', silent], env: {} }, 300);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(error.message).toBe('connect timed out after 300 ms');
    // The connect settled at its deadline, not after the close: only SIGKILL (at 80 % of the 1 s close
    // budget) ends this process, and it still runs when the rejection arrives.
    expect(descendantsOf()).toHaveLength(1);
    // The half-open connection is closed in the background: stdin close, SIGTERM, SIGKILL.
    await eventually(() => descendantsOf().length === 0, 10_000, 'the silent process is gone');
  });
});

describe('request failures', () => {
  it('says "ping timed out after <n> ms" for a server that never answers ping', async () => {
    const { connectionId } = await harness.connect(stdioServer(['--ping', 'hang']));
    const error = await harness.ping(connectionId, 150).catch((failure: unknown) => failure as Error);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(error).toMatchObject({ message: 'ping timed out after 150 ms', service: 'svc' });
  });

  it('says "tools/call <tool> timed out after <n> ms"', async () => {
    await harness.connect(stdioServer());
    const error = await harness.connections
      .callTool('svc', 'sleep', { ms: 2_000 }, { timeoutMs: 100 })
      .catch((failure: unknown) => failure as Error);
    expect(error).toBeInstanceOf(OperationTimeoutError);
    expect(error).toMatchObject({ message: 'tools/call sleep timed out after 100 ms', service: 'svc' });
  });

  it('says "<operation> failed: <detail> (JSON-RPC error <code>)" for an error answer, naming the service', async () => {
    await harness.connect(modernStdioServer());
    const error = await harness.connections.callTool('svc', 'no_such_tool', {}, { timeoutMs: 15_000 }).catch((failure: unknown) => failure as Error);
    expect(error).toBeInstanceOf(McpRequestError);
    expect(error).toMatchObject({ message: expect.stringMatching(/^tools\/call no_such_tool failed: .* \(JSON-RPC error -\d+\)$/) as unknown, service: 'svc' });
  });
});
