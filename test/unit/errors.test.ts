// The error family: one root, a stable code per class, and a guard that recognises an error from
// another copy of the package, where `instanceof` cannot.

import { runInNewContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import * as api from '../../src/index.js';
import * as machines from '../../src/machines.js';
import * as testing from '../../src/testing.js';
import * as actorErrors from '../../src/actors/errors.js';
import { resolveLifecycleConfig } from '../../src/machines/defaults.js';
import { ActorNotProvidedError } from '../../src/machines/service.machine.js';
import { isMcpSupervisorError, McpSupervisorError, MCP_SUPERVISOR_ERROR_CODES } from '../../src/mcp-supervisor-error.js';
import { OperatorListenerError } from '../../src/observe/operator-listener.js';

/** One instance of every concrete error class, with the arguments it is thrown with. */
const samples: readonly McpSupervisorError[] = [
  new api.ServiceNotFoundError('weather'),
  new api.DuplicateServiceError('weather'),
  new api.ServiceUnavailableError('weather', 'RECONNECTING', 1_000, 'connection refused'),
  new api.ToolNotFoundError('weather', 'forecast', ['now']),
  new api.ToolCallTimeoutError('weather', 'forecast', 5_000),
  new api.WaitTimeoutError('weather', ['HEALTHY'], 'RECONNECTING', 5_000),
  new api.HealthCheckTimeoutError('weather', 'HEALTHY', 13_000),
  new api.SupervisorStoppedError('call a tool'),
  new api.RedactedTransportError('weather'),
  new api.ConfigFileRequiredError(),
  new api.InspectorPortInUseError(9_000),
  new OperatorListenerError('cannot listen on 127.0.0.1:9464: the port is in use'),
  new api.SimulationError('the outage must be longer than 0 ms, got 0'),
  new api.ConfigError([{ file: 'fleet.yaml', line: 1, column: 1, path: 'services', message: 'must be a mapping' }]),
  new ActorNotProvidedError('connect'),
  new actorErrors.McpActorError('connect failed: something'),
  new actorErrors.CommandNotFoundError('nope'),
  new actorErrors.WorkingDirectoryNotFoundError('/nowhere'),
  new actorErrors.ServerExitedError({ code: 1, signal: null }, []),
  new actorErrors.ConnectionRefusedError('http://127.0.0.1:1/mcp'),
  new actorErrors.UnauthorizedError('weather', 401),
  new actorErrors.HttpStatusError('connect', 500, 'http://127.0.0.1:1/mcp', ''),
  new actorErrors.OperationTimeoutError('ping', 3_000),
  new actorErrors.OperationAbortedError('connect'),
  new actorErrors.ConnectionLostError('the server exited'),
  new actorErrors.NotConnectedError('weather'),
  new actorErrors.ServiceNotRegisteredError('weather'),
  new actorErrors.MessageTooLargeError('tools/call blob', 20 * 1024 * 1024, 10 * 1024 * 1024),
  new actorErrors.TooManyOpenFilesError('connect', 'EMFILE'),
  new actorErrors.McpRequestError('tools/call add', -32602, 'invalid params'),
];

/** Every error class an entry of the package exports. */
const exportedErrorClasses = ([...Object.entries(api), ...Object.entries(machines), ...Object.entries(testing)] as [string, unknown][]).filter(
  (entry): entry is [string, abstract new (...args: never[]) => Error] =>
    typeof entry[1] === 'function' && (entry[1] as { prototype: unknown }).prototype instanceof Error,
);

describe('the error family', () => {
  it('gives every error class its own stable code', () => {
    // A code never changes once released: this list changes only by adding a class and its code.
    expect(Object.fromEntries(samples.map((error) => [error.name, error.code]))).toEqual({
      ServiceNotFoundError: 'SERVICE_NOT_FOUND',
      DuplicateServiceError: 'DUPLICATE_SERVICE',
      ServiceUnavailableError: 'SERVICE_UNAVAILABLE',
      ToolNotFoundError: 'TOOL_NOT_FOUND',
      ToolCallTimeoutError: 'TOOL_CALL_TIMEOUT',
      WaitTimeoutError: 'WAIT_TIMEOUT',
      HealthCheckTimeoutError: 'HEALTH_CHECK_TIMEOUT',
      SupervisorStoppedError: 'SUPERVISOR_STOPPED',
      RedactedTransportError: 'REDACTED_TRANSPORT',
      ConfigFileRequiredError: 'CONFIG_FILE_REQUIRED',
      InspectorPortInUseError: 'INSPECTOR_PORT_IN_USE',
      SimulationError: 'SIMULATION_FAILED',
      OperatorListenerError: 'OPERATOR_LISTENER_FAILED',
      ConfigError: 'CONFIG_INVALID',
      ActorNotProvidedError: 'ACTOR_NOT_PROVIDED',
      McpActorError: 'MCP_OPERATION_FAILED',
      CommandNotFoundError: 'COMMAND_NOT_FOUND',
      WorkingDirectoryNotFoundError: 'WORKING_DIRECTORY_NOT_FOUND',
      ServerExitedError: 'SERVER_EXITED',
      ConnectionRefusedError: 'CONNECTION_REFUSED',
      UnauthorizedError: 'UNAUTHORIZED',
      HttpStatusError: 'HTTP_STATUS',
      OperationTimeoutError: 'OPERATION_TIMEOUT',
      OperationAbortedError: 'OPERATION_ABORTED',
      ConnectionLostError: 'CONNECTION_LOST',
      NotConnectedError: 'NOT_CONNECTED',
      ServiceNotRegisteredError: 'SERVICE_NOT_REGISTERED',
      MessageTooLargeError: 'MESSAGE_TOO_LARGE',
      TooManyOpenFilesError: 'TOO_MANY_OPEN_FILES',
      McpRequestError: 'MCP_REQUEST_FAILED',
    });
  });

  it('uses each published code for exactly one class, and publishes every code in use', () => {
    const used = samples.map((error) => error.code);
    expect(new Set(used).size).toBe(used.length);
    expect(new Set(MCP_SUPERVISOR_ERROR_CODES).size).toBe(MCP_SUPERVISOR_ERROR_CODES.length);
    expect([...used].sort()).toEqual([...MCP_SUPERVISOR_ERROR_CODES].sort());
  });

  it('roots every error in McpSupervisorError, and the guard knows each of them', () => {
    for (const error of samples) {
      expect(error, error.name).toBeInstanceOf(McpSupervisorError);
      expect(isMcpSupervisorError(error), error.name).toBe(true);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('exports only errors of the family, the root included, and every one of them from the main entry', () => {
    expect(exportedErrorClasses.length).toBeGreaterThan(0);
    for (const [name, errorClass] of exportedErrorClasses) {
      expect(errorClass === McpSupervisorError || errorClass.prototype instanceof McpSupervisorError, name).toBe(true);
      expect(api, name).toHaveProperty(name, errorClass);
    }
  });

  it('names the service where the error concerns one', () => {
    expect(new api.ServiceUnavailableError('alice/notes', 'UNREACHABLE', null, null)).toMatchObject({ service: 'alice/notes', state: 'UNREACHABLE' });
    expect(new actorErrors.NotConnectedError('alice/notes').service).toBe('alice/notes');
    expect(new api.ConfigFileRequiredError().service).toBeUndefined();
  });

  it('keeps the brand off the error itself: equality and serialisation see only the error', () => {
    const error = new api.ServiceNotFoundError('weather');
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.parse(JSON.stringify(error))).toEqual({ code: 'SERVICE_NOT_FOUND', service: 'weather', name: 'ServiceNotFoundError' });
  });
});

describe('isMcpSupervisorError', () => {
  it('recognises an error of a second copy of the package, which instanceof does not', async () => {
    vi.resetModules();
    const copy = await import('../../src/mcp-supervisor-error.js');
    expect(copy.McpSupervisorError).not.toBe(McpSupervisorError);
    class CopiedError extends copy.McpSupervisorError {
      readonly code = 'CONNECTION_LOST';
    }
    const foreign = new CopiedError('connection lost: the server exited');
    expect(foreign).not.toBeInstanceOf(McpSupervisorError);
    expect(isMcpSupervisorError(foreign)).toBe(true);
    // … and the other way round.
    expect(copy.isMcpSupervisorError(new api.ServiceNotFoundError('weather'))).toBe(true);
  });

  it('recognises a branded error from another realm', () => {
    const foreign: unknown = runInNewContext(`
      class McpSupervisorError extends Error {}
      Object.defineProperty(McpSupervisorError.prototype, Symbol.for('mcp-supervisor.error'), { value: true });
      new McpSupervisorError('from elsewhere')
    `);
    expect(foreign).not.toBeInstanceOf(Error);
    expect(isMcpSupervisorError(foreign)).toBe(true);
  });

  it('rejects what is not of the family, even when it looks like it', () => {
    const lookalike = Object.assign(new Error('service is unavailable'), { code: 'SERVICE_UNAVAILABLE' });
    for (const value of [lookalike, new Error('x'), { code: 'SERVICE_NOT_FOUND' }, { [Symbol.for('mcp-supervisor.error')]: 'yes' }, null, undefined, 'SERVICE_NOT_FOUND', 42]) {
      expect(isMcpSupervisorError(value)).toBe(false);
    }
  });
});

describe('what the library throws on a bad argument', () => {
  it('is of the family too', async () => {
    const zeroConnects = () => new api.Supervisor({ services: [], supervisor: { maxConcurrentConnects: 0 } });
    expect(zeroConnects).toThrow(api.ConfigError);
    expect(zeroConnects).toThrow('supervisor.max_concurrent_connects: must be ≥ 1, got 0');

    const supervisor = new api.Supervisor({ services: [] }).start();
    try {
      expect(() => supervisor.watchConfig()).toThrow(api.ConfigFileRequiredError);
    } finally {
      await supervisor.stop();
    }

    const service = {
      name: 'weather',
      agentId: null,
      key: 'weather',
      enabled: true,
      transport: { type: 'stdio' as const, command: 'node', args: [], env: {} },
      lifecycle: resolveLifecycleConfig(),
      profile: null,
    };
    await expect(testing.simulateOutage({ service, outageMs: 0 })).rejects.toThrow(api.SimulationError);
  });
});
