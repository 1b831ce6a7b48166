// The gateway's MCP server, with every request it answers reported to an observer (the `serve`
// metrics): its method and how it ended. Requests for a method the server has no handler for are
// reported too, under the method they named, before being refused as the SDK would.

import { ProtocolError, ProtocolErrorCode, Server, type JSONRPCRequest, type Result, type ServerContext } from '@modelcontextprotocol/server';

/** How a request ended: answered, answered with a tool's `isError` result, refused or failed, cancelled by its client. */
export type GatewayRequestOutcome = 'ok' | 'tool_error' | 'error' | 'cancelled';

/** Hears each request a gateway session answered. */
export type GatewayRequestObserver = (method: string, outcome: GatewayRequestOutcome) => void;

type Handler = (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>;

export class ObservedServer extends Server {
  /** Set after construction: the SDK registers its own handlers (initialize, ping) from the constructor. */
  observer: GatewayRequestObserver | undefined;

  constructor(observer: GatewayRequestObserver | undefined, ...args: ConstructorParameters<typeof Server>) {
    super(...args);
    this.observer = observer;
    if (observer === undefined) return;
    this.fallbackRequestHandler = (request, ctx) =>
      this.observed(request.method, () => Promise.reject(new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method}`)), ctx);
  }

  protected override _wrapHandler(method: string, handler: Handler): Handler {
    const wrapped = super._wrapHandler(method, handler);
    return (request, ctx) => (this.observer === undefined ? wrapped(request, ctx) : this.observed(method, () => wrapped(request, ctx), ctx));
  }

  private async observed<T extends Result>(method: string, run: () => Promise<T>, ctx: ServerContext): Promise<T> {
    try {
      const result = await run();
      this.observer?.(method, method === 'tools/call' && result.isError === true ? 'tool_error' : 'ok');
      return result;
    } catch (error) {
      this.observer?.(method, ctx.mcpReq.signal.aborted ? 'cancelled' : 'error');
      throw error;
    }
  }
}
