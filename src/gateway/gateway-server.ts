// One client session of the gateway: a low-level SDK `Server` whose handlers answer from the
// gateway's catalogue and route each request to the service that owns the name or URI.

import {
  ProtocolError,
  ProtocolErrorCode,
  type Server,
  type CallToolResult,
  type InputRequiredResult,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { McpRequestError } from '../actors/errors.js';
import type { ForwardedMethod } from '../actors/connection.js';
import type { InputRetry } from '../supervisor/call-options.js';
import { ownerOfUri, serviceByPrefix, type Catalogue, type Scope } from './catalogue.js';
import { CallTimeout } from './call-timeout.js';
import { withoutHopEnvelope } from './hop-envelope.js';
import { FLEET_STATUS_RESOURCE, FLEET_STATUS_URI, fleetStatusText } from './fleet-status.js';
import type { FleetGateway as Gateway } from './gateway.js';
import type { RequestTrace } from './gateway-tracing.js';
import { listPage } from './list-page.js';
import { CALL_TOOL, DESCRIBE_TOOL, LAZY_TOOLS, listedTool, SEARCH_TOOL, searchTools } from './lazy-tools.js';
import { ObservedServer } from './observed-server.js';
import { callThrough } from './tool-call.js';

/** What the gateway keeps of a session. */
export interface GatewaySession {
  server: Server;
  scope: Scope;
  subscriptions: Set<string>;
}

const INSTRUCTIONS =
  'This server is a gateway in front of a supervised fleet of MCP servers. A tool, prompt or resource of a ' +
  'service that is not available right now (reconnecting, unreachable) is left out of the lists until it is back; ' +
  `read ${FLEET_STATUS_URI} to see every service's state and next retry.`;

export function createGatewayServer(gateway: Gateway, session: GatewaySession): Server {
  const server = new ObservedServer(gateway.onRequest, gateway.serverInfo, {
    capabilities: {
      tools: { listChanged: true },
      resources: { listChanged: true, subscribe: true },
      prompts: { listChanged: true },
      completions: {},
      logging: {},
    },
    instructions: INSTRUCTIONS,
    requestState: { verify: gateway.inputs.verify },
  });
  const catalogue = () => gateway.catalogue(session.scope);
  /** Serves a request inside its span (see gateway-tracing.ts). */
  const traced = <T>(ctx: ServerContext, target: string | undefined, serve: (trace: RequestTrace) => T | Promise<T>): Promise<T> =>
    gateway.tracing.request(ctx.mcpReq.method, target, ctx.mcpReq._meta, async (trace) => serve(trace));

  server.setRequestHandler('tools/list', (request, ctx) =>
    traced(ctx, undefined, () => {
      if (gateway.mode === 'lazy') return { tools: [...LAZY_TOOLS] };
      const { items, nextCursor } = listPage('tools', catalogue().tools, request.params?.cursor, gateway.pageSize);
      return { tools: items.map(listedTool), ...(nextCursor === undefined ? {} : { nextCursor }) };
    }),
  );

  server.setRequestHandler('tools/call', (request, ctx) => {
    const { name } = request.params;
    const args = request.params.arguments ?? {};
    return traced(ctx, name, (trace) => {
      if (gateway.mode === 'lazy') {
        if (name === SEARCH_TOOL) return search(catalogue(), args);
        if (name === DESCRIBE_TOOL) return describe(catalogue(), args);
        if (name === CALL_TOOL) {
          const target = typeof args.name === 'string' ? args.name : '';
          const inner = typeof args.arguments === 'object' && args.arguments !== null ? (args.arguments as Record<string, unknown>) : {};
          return callTool(gateway, session, target, inner, ctx, trace);
        }
      }
      return callTool(gateway, session, name, args, ctx, trace);
    });
  });

  server.setRequestHandler('resources/list', (request, ctx) =>
    traced(ctx, undefined, () => {
      const cursor = request.params?.cursor;
      const { items, nextCursor } = listPage('resources', catalogue().resources, cursor, gateway.pageSize);
      // The fleet status leads the first page.
      const resources = [...(cursor === undefined ? [FLEET_STATUS_RESOURCE] : []), ...items.map((entry) => entry.resource)];
      return { resources, ...(nextCursor === undefined ? {} : { nextCursor }) };
    }),
  );

  server.setRequestHandler('resources/templates/list', (request, ctx) =>
    traced(ctx, undefined, () => {
      const { items, nextCursor } = listPage('resource templates', catalogue().templates, request.params?.cursor, gateway.pageSize);
      return { resourceTemplates: items.map((entry) => entry.template), ...(nextCursor === undefined ? {} : { nextCursor }) };
    }),
  );

  server.setRequestHandler('resources/read', (request, ctx) => {
    const { uri } = request.params;
    return traced(ctx, uri, (trace) => {
      if (uri === FLEET_STATUS_URI) {
        const services = gateway.servicesIn(session.scope);
        return { contents: [{ uri, mimeType: 'application/json', text: fleetStatusText(services, catalogue().conflicts, Date.now()) }] };
      }
      const service = serviceOfUri(catalogue(), uri);
      return gateway.inputs.run(ctx, server.getClientCapabilities(), uri, (retry, call) => forward(gateway, trace, service, 'resources/read', request.params, call.signal, retry));
    });
  });

  server.setRequestHandler('resources/subscribe', (request, ctx) => {
    const { uri } = request.params;
    return traced(ctx, uri, async (trace) => {
      session.subscriptions.add(uri);
      if (uri === FLEET_STATUS_URI) return {};
      const service = serviceOfUri(catalogue(), uri);
      await forward(gateway, trace, service, 'resources/subscribe', request.params, ctx.mcpReq.signal);
      gateway.noteSubscription(service, uri, true);
      return {};
    });
  });

  server.setRequestHandler('resources/unsubscribe', (request, ctx) => {
    const { uri } = request.params;
    return traced(ctx, uri, async (trace) => {
      session.subscriptions.delete(uri);
      if (uri === FLEET_STATUS_URI || gateway.subscribedElsewhere(uri, session)) return {};
      const service = serviceOfUri(catalogue(), uri);
      gateway.noteSubscription(service, uri, false);
      await forward(gateway, trace, service, 'resources/unsubscribe', request.params, ctx.mcpReq.signal);
      return {};
    });
  });

  server.setRequestHandler('prompts/list', (request, ctx) =>
    traced(ctx, undefined, () => {
      const { items, nextCursor } = listPage('prompts', catalogue().prompts, request.params?.cursor, gateway.pageSize);
      return { prompts: items.map((entry) => ({ ...entry.prompt, name: entry.name })), ...(nextCursor === undefined ? {} : { nextCursor }) };
    }),
  );

  server.setRequestHandler('prompts/get', (request, ctx) =>
    traced(ctx, request.params.name, (trace) => {
      const entry = catalogue().promptsByName.get(request.params.name);
      if (!entry) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no prompt named '${request.params.name}': list the prompts again`);
      const params = { ...request.params, name: entry.prompt.name };
      return gateway.inputs.run(ctx, server.getClientCapabilities(), request.params.name, (retry, call) =>
        forward(gateway, trace, entry.service, 'prompts/get', params, call.signal, retry),
      );
    }),
  );

  server.setRequestHandler('completion/complete', (request, ctx) =>
    traced(ctx, undefined, (trace) => {
      const { ref } = request.params;
      if (ref.type === 'ref/prompt') {
        const entry = catalogue().promptsByName.get(ref.name);
        if (!entry) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no prompt named '${ref.name}'`);
        return forward(gateway, trace, entry.service, 'completion/complete', { ...request.params, ref: { ...ref, name: entry.prompt.name } }, ctx.mcpReq.signal);
      }
      const owner = catalogue().templates.find((entry) => entry.template.uriTemplate === ref.uri)?.service ?? serviceOfUri(catalogue(), ref.uri);
      return forward(gateway, trace, owner, 'completion/complete', request.params, ctx.mcpReq.signal);
    }),
  );

  server.setNotificationHandler('notifications/roots/list_changed', () => gateway.rootsChanged(session.scope));

  return server;
}

async function callTool(
  gateway: Gateway,
  session: GatewaySession,
  name: string,
  args: Record<string, unknown>,
  ctx: ServerContext,
  trace: RequestTrace,
): Promise<CallToolResult | InputRequiredResult> {
  const target = routeTool(gateway, session.scope, name);
  if (!target) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `no tool named '${name}': list the tools again (read ${FLEET_STATUS_URI} for services that are away)`);
  return gateway.inputs.run(ctx, session.server.getClientCapabilities(), name, async (retry, call) => {
    const timeout = new CallTimeout(gateway.callTimeoutMs, call.signal);
    const stopRelay = gateway.duringCall(target.service, {
      session,
      // Each round's request hears the call's log messages; a held call's next round takes them over.
      log: (params) => void call.context.mcpReq.notify({ method: 'notifications/message', params }).catch(() => undefined),
      // While the client answers (a person, a model), the call's time bound waits.
      ask: (request, signal) => {
        const answered = timeout.hold();
        return call.ask(request, signal).finally(answered);
      },
    });
    try {
      return await trace.downstream(target.service, 'tools/call', (meta) => callThrough(
        gateway.supervisor,
        target,
        args,
        {
          signal: call.signal,
          timeout,
          progressToken: ctx.mcpReq._meta?.progressToken,
          notify: (notification) => {
            // A retry is a request of its own, with its own progress token (or none).
            const token = call.context.mcpReq._meta?.progressToken;
            if (token === undefined) return Promise.resolve();
            return call.context.mcpReq.notify({ ...notification, params: { ...notification.params, progressToken: token } });
          },
          retry,
          ...(meta === undefined ? {} : { meta }),
        },
        { callWait: gateway.callWait, now: () => Date.now() },
      ));
    } finally {
      stopRelay();
      timeout.dispose();
    }
  });
}

/** The service and tool an exposed name stands for: from the catalogue, else by its prefix. */
function routeTool(gateway: Gateway, scope: Scope, name: string): { service: string; tool: string } | null {
  const entry = gateway.catalogue(scope).toolsByName.get(name);
  if (entry) return { service: entry.service, tool: entry.tool.name };
  return serviceByPrefix(name, gateway.servicesIn(scope), gateway.naming);
}

/** The service a resource URI belongs to: the one that listed it, else the one whose template matches. */
function serviceOfUri(catalogue: Catalogue, uri: string): string {
  const owner = ownerOfUri(catalogue, uri);
  if (owner) return owner.service;
  throw new ProtocolError(-32002, `Resource not found: ${uri}`, { uri });
}

/** Sends a request on to its service; the server's own error answer reaches the client as it was. */
async function forward(
  gateway: Gateway,
  trace: RequestTrace,
  service: string,
  method: ForwardedMethod,
  params: Record<string, unknown>,
  signal: AbortSignal,
  retry?: InputRetry,
): Promise<Record<string, unknown> & { contents: never[] } & { messages: never[] } & { completion: { values: string[] } }> {
  try {
    // The result is the server's, validated by the SDK client; the SDK server checks it again on the way out.
    const result = await trace.downstream(service, method, (meta) => gateway.forward(service, method, params, signal, retry, meta));
    return withoutHopEnvelope(result) as never;
  } catch (error) {
    if (error instanceof McpRequestError) throw new ProtocolError(error.jsonRpcCode, error.detail, error.data);
    throw new ProtocolError(ProtocolErrorCode.InternalError, error instanceof Error ? error.message : String(error));
  }
}

function search(catalogue: Catalogue, args: Record<string, unknown>): CallToolResult {
  const query = typeof args.query === 'string' ? args.query : '';
  const limit = typeof args.limit === 'number' && args.limit >= 1 ? Math.min(50, Math.floor(args.limit)) : 10;
  const found = searchTools(catalogue.tools, query, limit).map((entry) => ({
    name: entry.name,
    ...(entry.tool.title === undefined ? {} : { title: entry.tool.title }),
    ...(entry.tool.description === undefined ? {} : { description: entry.tool.description }),
  }));
  const text = found.length === 0 ? `no tool matches "${query}" among ${catalogue.tools.length}` : JSON.stringify(found, null, 2);
  return { content: [{ type: 'text', text }], structuredContent: { tools: found } };
}

function describe(catalogue: Catalogue, args: Record<string, unknown>): CallToolResult {
  const name = typeof args.name === 'string' ? args.name : '';
  const entry = catalogue.toolsByName.get(name);
  if (!entry || !entry.available) return { content: [{ type: 'text', text: `no available tool named '${name}': search again` }], isError: true };
  return { content: [{ type: 'text', text: JSON.stringify(listedTool(entry), null, 2) }] };
}
