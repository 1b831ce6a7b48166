// A ConnectionLayer made of the scriptable FakeIO actors, for driving a whole Supervisor in virtual time.

import type { CallToolResult } from '@modelcontextprotocol/client';
import type { SimulatedClock } from 'xstate';
import { abortReason } from '../../src/actors/abort-reason.js';
import type { TransportConfig } from '../../src/config/transport.js';
import type { ConnectionLayer, ToolCallOptions } from '../../src/supervisor/connection-layer.js';
import { FakeIO } from './service-harness.js';

export class FakeConnections implements ConnectionLayer {
  readonly io: FakeIO;
  readonly registered = new Map<string, TransportConfig>();
  readonly unregistered: string[] = [];
  closedAll = false;
  /**
   * How a tool call behaves: answer, hang until aborted, fail at the transport level (a timeout: a
   * passive health failure), or lose the connection mid-call.
   */
  callBehaviour: 'answer' | 'hang' | 'timeOut' | 'dropConnection' = 'answer';
  readonly actors;

  constructor(clock: SimulatedClock) {
    this.io = new FakeIO(clock);
    this.actors = this.io.actors();
  }

  register(serviceKey: string, transport: TransportConfig): void {
    this.registered.set(serviceKey, transport);
  }

  unregister(serviceKey: string): Promise<void> {
    this.registered.delete(serviceKey);
    this.unregistered.push(serviceKey);
    return Promise.resolve();
  }

  callTool(serviceKey: string, tool: string, args: Record<string, unknown>, options: ToolCallOptions): Promise<CallToolResult> {
    if (this.callBehaviour === 'answer') {
      this.io.callSucceeded(serviceKey);
      return Promise.resolve({ content: [{ type: 'text', text: `${serviceKey}:${tool}:${JSON.stringify(args)}` }] });
    }
    if (this.callBehaviour === 'timeOut') {
      const error = new Error(`tools/call ${tool} timed out after ${options.timeoutMs} ms`);
      this.io.callFailed(serviceKey, error);
      return Promise.reject(error);
    }
    return new Promise((_, reject) => {
      options.signal?.addEventListener('abort', () => reject(abortReason(options.signal)), { once: true });
      if (this.callBehaviour === 'dropConnection') {
        queueMicrotask(() => {
          this.io.loseConnection('process exited with code 1', serviceKey);
          reject(new Error(`connection to '${serviceKey}' lost during the call: process exited with code 1`));
        });
      }
    });
  }

  closeAll(): Promise<void> {
    this.closedAll = true;
    return Promise.resolve();
  }
}
