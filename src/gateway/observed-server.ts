// The gateway's MCP server, with every request it answers reported to an observer (the `serve`
// metrics): its method and how it ended. A request for a method the server has no handler for is
// refused by the SDK before any handler runs, and is not reported: a catch-all handler would change how
// the SDK refuses it (it checks a 2026-07-28 request's envelope before calling a handler, and refuses an
// unknown method before that check when there is none).

import { Server, type JSONRPCRequest, type Result, type ServerContext } from '@modelcontextprotocol/server';

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
