// `mcp-supervisor serve`: supervises the fleet of a config file and serves its available part as one
// MCP server — on stdio (for a client's `mcpServers` entry: stdout carries nothing but the protocol,
// every log line goes to stderr), or with `--http HOST:PORT` over Streamable HTTP at /mcp.

import { serveStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { formatIssue } from '../config/errors.js';
import type { FleetConfig, HttpSettings } from '../config/model.js';
import { SAFE_NAME } from '../config/schema.js';
import { createGateway } from '../gateway/gateway.js';
import { createGatewayHttpHandler, type GatewayHttpHandler } from '../gateway/http-handler.js';
import { isLoopbackHost, parseListenAddress, type ListenAddress } from '../config/listen-address.js';
import { GATEWAY_PATH } from '../gateway/http-listener.js';
import { reloadGatewaySettings } from '../gateway/settings-reload.js';
import { ListenSubscriptionsTransport } from '../gateway/listen-subscriptions.js';
import { criticalServices, startOperatorHttp, type OperatorHttp } from '../observe/operator-http.js';
import { OperatorListenerError } from '../observe/operator-listener.js';
import { GatewayMetrics } from '../observe/gateway-metrics.js';
import { LifecycleTracing } from '../observe/lifecycle-tracing.js';
import { observedSupervisor } from '../observe/observed-supervisor.js';
import { McpConnections } from '../actors/connection-registry.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { configArgument } from './config-argument.js';
import { loadConfigOrReport } from './load-config.js';
import { EXIT, parseCommandArgs, UsageError, type CliIO, type Command } from './command.js';
import { packageVersion } from '../package-version.js';
import { formatConfigEvent, formatTransitionLine } from './transition-log.js';

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** If something still holds the event loop this long after a graceful stop, exit anyway. */
const EXIT_GRACE_MS = 3_000;

export const serveCommand: Command = {
  help: `Usage: mcp-supervisor serve [config] [options]

Supervises every enabled service of the config file and serves the available ones as one MCP server:
their tools, resources and prompts, named <service>__<name> (see the gateway: section of the config).
A service that is reconnecting or unreachable leaves the lists until it is back, and clients are told.
Without [config]: ./mcp-supervisor.yaml if there is one, else the bundled demo fleet.

By default it speaks MCP on stdin/stdout, for a client's config:
  { "command": "npx", "args": ["mcp-supervisor", "serve", "fleet.yaml"] }
stdout carries nothing but the protocol; logs go to stderr.

Options:
  --http HOST:PORT   serve Streamable HTTP at http://HOST:PORT/mcp instead (HOST defaults to
                     127.0.0.1; port 0 picks a free one). The first stderr line names the URL. A host
                     that is not loopback needs gateway.auth_token in the config
  --agent NAME       show only the global services and those of agent NAME (over HTTP, clients
                     choose with ?agent=NAME instead)
  --watch / --no-watch  apply edits of the config file's services and gateway: settings live
                     (default: on; gateway.auth_token and allowed_origins need a restart)
  -h, --help         show this help

Stopping: Ctrl-C, SIGTERM, or (on stdio) the client closing stdin stops every service and exits 0.
`,
  async execute(args, io) {
    const { values, positionals } = parseCommandArgs(
      'serve',
      args,
      {
        http: { type: 'string' },
        agent: { type: 'string' },
        watch: { type: 'boolean' },
        'no-watch': { type: 'boolean' },
      },
      { max: 1 },
    );
    if (values.watch && values['no-watch']) throw new UsageError('--watch and --no-watch exclude each other', 'serve');
    const parsed = values.http === undefined ? null : parseListenAddress(values.http);
    if (parsed && !parsed.ok) throw new UsageError(`--http ${values.http}: ${parsed.message}`, 'serve');
    const bind = parsed?.ok ? parsed.address : null;
    if (values.agent !== undefined && !SAFE_NAME.test(values.agent)) {
      throw new UsageError(`--agent ${values.agent}: an agent name uses letters, digits, _ . and -`, 'serve');
    }
    const chosen = configArgument(positionals[0], 'serve', 'serving', io);
    if (chosen === null) return EXIT.failure;
    const config = await loadConfigOrReport(chosen.file, io);
    if (config === null) return EXIT.failure;
    if (bind && !isLoopbackHost(bind.host) && config.gateway.authToken === null) {
      io.stderr.write(
        `mcp-supervisor: refusing to serve on ${bind.host}, which other machines can reach, without a token: ` +
          `set gateway.auth_token in ${config.file} (clients then send Authorization: Bearer <token>), ` +
          'or bind 127.0.0.1. Nothing was started.\n',
      );
      return EXIT.failure;
    }
    return serveFleet(config, { bind, agent: values.agent, watch: !values['no-watch'] }, io);
  },
};

async function serveFleet(config: FleetConfig, options: { bind: ListenAddress | null; agent: string | undefined; watch: boolean }, io: CliIO): Promise<number> {
  const log = (line: string) => io.stderr.write(`${line}\n`);
  // Servers are offered sampling, elicitation and roots: the gateway relays them to the calling client.
  const connections = new McpConnections({ relayServerRequests: true });
  // Over HTTP the gateway shares the operators' listener, so the fleet's metrics are kept as for `run --http`.
  const observed = options.bind ? observedSupervisor(config, { connections, version: packageVersion() }) : null;
  const supervisor = observed?.supervisor ?? Supervisor.fromConfig(config, { connections });
  // Incidents as OpenTelemetry spans: a no-op unless the host registered an SDK (e.g. with node --import).
  new LifecycleTracing().observe(supervisor.transitions$);
  const settings = config.gateway;
  let httpHandler: GatewayHttpHandler | null = null;
  const gatewayMetrics = observed
    ? new GatewayMetrics({ registry: observed.metrics.registry, sessions: () => ({ http: httpHandler?.sessionCount ?? 0 }) })
    : null;
  const gateway = createGateway(supervisor, {
    ...(settings.namespace === null ? {} : { namespace: settings.namespace }),
    separator: settings.separator,
    callWait: settings.callWait,
    mode: settings.mode,
    expose: settings.expose,
    serverInfo: { name: 'mcp-supervisor', version: packageVersion() },
    onWarning: (message) => log(`mcp-supervisor gateway: warning: ${message}`),
    ...(gatewayMetrics ? { onRequest: gatewayMetrics.recordRequest } : {}),
  });

  let stopServing: () => Promise<void>;
  if (options.bind && observed) {
    const handler = createGatewayHttpHandler(gateway, {
      authToken: settings.authToken,
      allowedOrigins: settings.allowedOrigins,
      allowedHosts: isLoopbackHost(options.bind.host) ? [] : [options.bind.host],
      onError: (error) => log(`mcp-supervisor gateway: ${error.message}`),
    });
    httpHandler = handler;
    // /metrics, /healthz and /readyz beside /mcp, on one port: guarded by the config's http token, or else
    // by the gateway's own. /mcp checks Host, Origin and the gateway's token itself.
    const http: HttpSettings = {
      listen: options.bind,
      token: config.http?.token ?? settings.authToken,
      readiness: config.http?.readiness ?? 'critical',
    };
    let operators: OperatorHttp;
    try {
      operators = await startOperatorHttp({ settings: http, fleet: supervisor, metrics: observed.metrics, critical: () => criticalServices(config.services), dashboard: supervisor });
      operators.listener.mount(GATEWAY_PATH, handler, { guardsItself: true });
    } catch (error) {
      await handler.close();
      await gateway.close();
      if (!(error instanceof OperatorListenerError)) throw error;
      log(`mcp-supervisor: ${error.message}. Nothing was started.`);
      return EXIT.failure;
    }
    // The first stderr line, for whoever started the gateway to read the URL from.
    log(`mcp-supervisor gateway: ${operators.listener.url}${GATEWAY_PATH}`);
    log(`operators' endpoints on ${operators.listener.url}: /metrics, /healthz, /readyz; web dashboard at ${operators.listener.url}/`);
    stopServing = async () => {
      operators.draining();
      await handler.close();
      await operators.close();
    };
  } else {
    const session = options.agent === undefined ? {} : { agent: options.agent };
    const stdio = serveStdio(() => gateway.createServer(session), {
      transport: new ListenSubscriptionsTransport(new StdioServerTransport(), gateway, session),
      onerror: (error) => log(`mcp-supervisor gateway: ${error.message}`),
    });
    stopServing = () => stdio.close();
  }

  const stopped = untilStopped(options.bind === null, log);
  log(`mcp-supervisor ${packageVersion()}: serving ${config.services.filter((service) => service.enabled).length} service(s) from ${config.file}`);
  for (const warning of config.warnings) log(`warning: ${formatIssue(warning)}`);
  supervisor.transitions$.subscribe((transition) => log(formatTransitionLine(transition)));
  supervisor.configEvents$.subscribe((event) => log(formatConfigEvent(event)));
  supervisor.start();
  if (options.watch) {
    let running = settings;
    supervisor.watchConfig({
      onConfig: (next) => {
        const reload = reloadGatewaySettings(gateway, running, next.gateway);
        running = reload.running;
        if (reload.applied.length > 0) log(`mcp-supervisor gateway: applied ${reload.applied.join(', ')} from ${next.file}; sessions stay connected`);
        for (const key of reload.needRestart) {
          log(`mcp-supervisor gateway: ${key} changed in ${next.file}, but it cannot change while serving: restart \`mcp-supervisor serve\` to apply it (until then the previous value stays in effect)`);
        }
      },
    });
  }

  const why = await stopped;
  log(`mcp-supervisor gateway: ${why}: stopping every service`);
  await stopServing().catch(() => undefined);
  await gateway.close().catch(() => undefined);
  await supervisor.stop();
  setTimeout(() => process.exit(EXIT.ok), EXIT_GRACE_MS).unref();
  return EXIT.ok;
}


/** Resolves with what ended the serving: a stop signal, or (on stdio) the client closing stdin. */
function untilStopped(onStdio: boolean, log: (line: string) => void): Promise<string> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: string) => {
      if (done) return;
      done = true;
      resolve(why);
    };
    for (const signal of STOP_SIGNALS) {
      process.on(signal, () => {
        if (done) {
          log(`mcp-supervisor gateway: ${signal} again: forced exit`);
          process.exit(EXIT.interrupted);
        }
        finish(signal);
      });
    }
    if (onStdio) {
      process.stdin.once('end', () => finish('the client closed stdin'));
      process.stdin.once('close', () => finish('the client closed stdin'));
    }
  });
}
