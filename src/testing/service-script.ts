// What an in-memory MCP service does, as a script a test can change at any moment: the protocol era
// and tools its server has, and how each part of the exchange behaves (answered, refused, never
// answered, answered late, the connection dropped).

import type { ProtocolEra, ServerInfo, ToolDescriptor } from '../machines/service-io.js';

/**
 * How a request is answered: at once (`succeed`); refused at once (`fail`: a connect is refused with
 * ECONNREFUSED, a request gets a JSON-RPC error carrying {@link ServiceScript.failure}); never
 * (`hang`: until the caller's own timeout or abort, or the connection's end); with JSON-RPC -32601
 * (`methodNotFound`); or after `respondAfterMs` of the layer's clock.
 */
export type Behaviour = 'succeed' | 'fail' | 'hang' | 'methodNotFound' | { respondAfterMs: number };

/**
 * How a `tools/call` is answered: with a text result naming the service, tool and arguments
 * (`answer`); never, until the caller aborts or its timeout passes (`hang`); with a failure at the
 * transport level, the SDK's request timeout, at once (`timeOut`: passive health counts it); by the
 * server dying once it has the call (`drop`); or with the answer after `respondAfterMs`.
 */
export type CallBehaviour = 'answer' | 'hang' | 'timeOut' | 'drop' | { respondAfterMs: number };

/** Everything scripted about one service. Fields left out of a service's own script come from the layer's defaults. */
export interface ServiceScript {
  /** The era its server speaks: `legacy` (`initialize`, `ping`) or `modern` (2026-07-28: `server/discover`). */
  era: ProtocolEra;
  /** What its server says it is. */
  serverInfo: ServerInfo;
  /** What `tools/list` lists (read at each request, so a change shows at the next refresh). */
  tools: ToolDescriptor[];
  /** Tools per `tools/list` page; the client follows the cursors. */
  pageSize: number;
  /** Opening the connection (`methodNotFound` means `fail` here). */
  connect: Behaviour;
  /** The health probe once connected: `ping` (legacy) or `server/discover` (modern). */
  ping: Behaviour;
  /** The `tools/list` refreshes once connected (the connect's own listing follows `connect`). */
  listTools: Behaviour;
  /** Closing a connection on purpose: at once, or never (until the layer's `unregister` or `closeAll` ends it). */
  disconnect: 'succeed' | 'hang';
  /** Tool calls. */
  call: CallBehaviour;
  /**
   * The connection actor throws as it starts, as a broken I/O implementation would (the service actor
   * then fails); `once`: the next start only.
   */
  crashWatcher: boolean | 'once';
  /** The message of a refused connect and of a failed request. */
  failure: string;
}

/** A tool as the in-memory servers list it: `name`, taking any object. */
export const tool = (name: string): ToolDescriptor => ({ name, inputSchema: { type: 'object' } });

/** What a service does unless scripted otherwise: a legacy server with `echo` and `add` that answers everything at once. */
export function defaultScript(): ServiceScript {
  return {
    era: 'legacy',
    serverInfo: { name: 'in-memory', version: '1.0.0' },
    tools: [tool('echo'), tool('add')],
    pageSize: 100,
    connect: 'succeed',
    ping: 'succeed',
    listTools: 'succeed',
    disconnect: 'succeed',
    call: 'answer',
    crashWatcher: false,
    failure: 'connection refused',
  };
}
