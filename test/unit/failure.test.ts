// How the statechart reads its actors' failures: a ping answered "method not found" means the server
// is alive, whichever error shape carries the JSON-RPC code.

import { describe, expect, it } from 'vitest';
import { McpRequestError, OperationTimeoutError } from '../../src/actors/errors.js';
import { failureMessage, isMethodNotFound, METHOD_NOT_FOUND } from '../../src/machines/failure.js';

describe('isMethodNotFound', () => {
  it('reads the JSON-RPC code of the actors’ McpRequestError', () => {
    expect(isMethodNotFound(new McpRequestError('ping', METHOD_NOT_FOUND, 'Method not found'))).toBe(true);
  });

  it('reads the JSON-RPC code of an SDK protocol error', () => {
    expect(isMethodNotFound(Object.assign(new Error('Method not found'), { code: -32601 }))).toBe(true);
  });

  it('is false for any other failure', () => {
    expect(isMethodNotFound(new McpRequestError('ping', -32602, 'Invalid params'))).toBe(false);
    expect(isMethodNotFound(new OperationTimeoutError('ping', 5000))).toBe(false);
    expect(isMethodNotFound(new Error('boom'))).toBe(false);
    expect(isMethodNotFound(undefined)).toBe(false);
    expect(isMethodNotFound('-32601')).toBe(false);
  });
});

describe('failureMessage', () => {
  it('is the error’s own message', () => {
    expect(failureMessage(new McpRequestError('ping', -32602, 'Invalid params'))).toBe('ping failed: Invalid params (JSON-RPC error -32602)');
  });
});
