// `mcp-supervisor run`: supervises the fleet of a config file until Ctrl-C. On a terminal it shows the
// live dashboard; otherwise (or with --log) one line per transition; with --json, NDJSON transitions.
// The first Ctrl-C (or SIGTERM) stops every service gracefully and exits 0; a second one exits 130 at
// once, after killing the server process groups still alive.

import { formatIssue } from '../config/errors.js';
import { formatListenAddress, isLoopbackHost, parseListenAddress, type ListenAddress } from '../config/listen-address.js';
import { loadConfigFile } from '../config/load.js';
import type { FleetConfig, HttpSettings } from '../config/model.js';
import { observedSupervisor } from '../observe/observed-supervisor.js';
import { criticalServices, startOperatorHttp, type OperatorHttp } from '../observe/operator-http.js';
import { OperatorListenerError } from '../observe/operator-listener.js';
import { AlertSystem } from '../observe/alert-system.js';
import { ServiceTallies } from '../observe/service-tallies.js';
import { LifecycleTracing } from '../observe/lifecycle-tracing.js';
import { InspectorPortInUseError, startInspector, type InspectorBridge } from '../supervisor/inspector.js';
import { Supervisor, type ConfigReloadEvent } from '../supervisor/supervisor.js';
import { configArgument, LOCAL_CONFIG } from './config-argument.js';
import { EXIT, parseCommandArgs, UsageError, type CliIO, type Command } from './command.js';
import { LiveDashboard } from './live-dashboard.js';
import { packageVersion } from '../package-version.js';
import { plural } from '../supervisor/plural.js';
import { formatConfigEvent, formatTransitionJson, formatTransitionLine } from './transition-log.js';
import { loadConfigOrReport } from './load-config.js';

type OutputMode = 'dashboard' | 'log' | 'json';

interface RunOptions {
  file: string;
  /** Why this file (it was not given), already on stderr; the dashboard shows it too. */
  notice: string | null;
  mode: OutputMode;
  watch: boolean;
  /** The inspector bridge's port (0: a free one), or null without --inspect. */
  inspectPort: number | null;
  /** `--http HOST:PORT`, which overrides the config's `http.listen`; null without it. */
  http: ListenAddress | null;
}

/** The operators' listener token when the config sets none. */
const TOKEN_ENV = 'MCP_SUPERVISOR_HTTP_TOKEN';

/** How long a stop waits for the last alerts (those of the shutdown itself) to be delivered. */
const ALERT_FLUSH_MS = 5_000;
/** If something still holds the event loop this long after a graceful stop, exit anyway. */
const EXIT_GRACE_MS = 3_000;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/**
 * A signal this soon after the first is the same Ctrl-C arriving twice, not a second one: under
 * `npm start`, the terminal signals the whole foreground group and npm forwards the signal again.
 * Tests set it through SAME_SIGNAL_ENV (0: every repeat is a second Ctrl-C) instead of waiting it out.
 */
const SAME_SIGNAL_MS = 500;
const SAME_SIGNAL_ENV = 'MCP_SUPERVISOR_SAME_SIGNAL_MS';

export const runCommand: Command = {
  help: `Usage: mcp-supervisor run [config] [options]

Starts every enabled service of the config file and keeps it connected and healthy until you press
Ctrl-C. Without [config]: ./${LOCAL_CONFIG} if there is one, else the demo fleet bundled with the package
(three small servers, no network needed), saying so on stderr.

Output:
  on a terminal   a live dashboard: totals, health rate, average response time, the state
                  distribution, a row per service (state, time in state, next retry, last response
                  time; since start: availability, failures beside the failures in a row now,
                  reconnect attempts, crashes, the last incident; these do not reset when it
                  recovers, and the overview's totals since start are their sums), each service's
                  last error in full (it stays after a recovery), and the latest transitions
  --log           one line per transition: time, service, from → to, reason, and the service's
                  counts since start (also the default when stdout is not a terminal)
  --json          one JSON object per transition (NDJSON; times in ISO-8601); messages go to stderr

Options:
  --log                 line output, even on a terminal
  --json                NDJSON output
  --inspect[=PORT]      serve the Stately inspector bridge on 127.0.0.1 (on PORT, or a free port)
                        and print its URL: open it to watch every service's statechart live. The
                        inspector's UI is a web app (stately.ai), so the browser needs the internet;
                        the bridge itself listens on loopback only and accepts WebSocket connections
                        only from stately.ai and from pages on this machine's loopback
  --watch / --no-watch  reload the config file when it changes (default: on); an invalid edit is
                        reported and changes nothing
  --http HOST:PORT      serve the operators' endpoints: /metrics (Prometheus), /healthz, /readyz,
                        and the web dashboard at /; 127.0.0.1:0 picks a free port, and the address is printed at start. Overrides
                        the config's http.listen (its token and readiness still apply). Loopback
                        unless a token is set (http.token, or $${TOKEN_ENV})
  -h, --help            show this help

Stopping: Ctrl-C or SIGTERM stops every service (closing each server: stdin, then SIGTERM, then
SIGKILL) and exits 0. A second Ctrl-C exits at once with 130, killing what is left.
`,
  async execute(args, io) {
    const { values, positionals } = parseCommandArgs(
      'run',
      withInspectValue(args),
      {
        log: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        inspect: { type: 'string' },
        watch: { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        http: { type: 'string' },
      },
      { max: 1 },
    );
    if (values.log && values.json) throw new UsageError('--log and --json exclude each other: pick one', 'run');
    if (values.watch && values['no-watch']) throw new UsageError('--watch and --no-watch exclude each other', 'run');
    const mode: OutputMode = values.json ? 'json' : values.log || !io.stdout.isTTY ? 'log' : 'dashboard';
    const inspectPort = values.inspect === undefined ? null : inspectPortArg(values.inspect);
    const http = values.http === undefined ? null : httpArg(values.http);
    const config = configArgument(positionals[0], 'run', 'running', io);
    if (config === null) return EXIT.failure;
    return runFleet({ ...config, mode, watch: !values['no-watch'], inspectPort, http }, io);
  },
};

/** `--inspect` alone means a free port: it becomes `--inspect=0`, so it never takes the next argument as its value. */
function withInspectValue(args: readonly string[]): string[] {
  const end = args.indexOf('--');
  return args.map((arg, index) => (arg === '--inspect' && (end === -1 || index < end) ? '--inspect=0' : arg));
}

function inspectPortArg(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65_535)) {
    throw new UsageError(`--inspect=${value}: the port must be a number from 1 to 65535 (or --inspect alone for a free port)`, 'run');
  }
  return port;
}

function httpArg(value: string): ListenAddress {
  const parsed = parseListenAddress(value);
  if (!parsed.ok) throw new UsageError(`--http ${value}: ${parsed.message}`, 'run');
  return parsed.address;
}

/** The listener to start: the config's `http:`, its address replaced by --http; null for none. */
function httpSettings(config: FleetConfig, flag: ListenAddress | null, env: CliIO['env']): HttpSettings | null {
  if (config.http === null && flag === null) return null;
  const token = config.http?.token ?? (env[TOKEN_ENV] || null);
  return { listen: flag ?? config.http?.listen ?? { host: '127.0.0.1', port: 0 }, token, readiness: config.http?.readiness ?? 'critical' };
}

/** What the run shows, whatever the output mode. */
interface RunView {
  /** `summary`: what is supervised; `hint`: what the user can do (on the dashboard, its last line). */
  started(summary: string, hint: string): void;
  /** Config warnings, the inspector URL (pinned: it stays on the dashboard). */
  info(text: string, options?: { pin?: boolean }): void;
  configEvent(event: ConfigReloadEvent): void;
  stopping(signal: NodeJS.Signals): void;
  /** The run is over: `message` says how it ended. */
  close(message: string): void;
}

async function runFleet(options: RunOptions, io: CliIO): Promise<number> {
  const config = await loadConfigOrReport(options.file, io);
  if (config === null) return EXIT.failure;

  let inspector: InspectorBridge | null = null;
  try {
    if (options.inspectPort !== null) inspector = await startInspector({ port: options.inspectPort });
  } catch (error) {
    if (!(error instanceof InspectorPortInUseError)) throw error;
    io.stderr.write(`mcp-supervisor: --inspect=${error.port}: port ${error.port} on 127.0.0.1 is in use; ` +
      `pick another (--inspect=PORT), or --inspect alone for a free port. Nothing was started.\n`);
    return EXIT.failure;
  }
  const http = httpSettings(config, options.http, io.env);
  if (http !== null && http.token === null && !isLoopbackHost(http.listen.host)) {
    await inspector?.stop();
    io.stderr.write(`mcp-supervisor: --http ${formatListenAddress(http.listen)}: other machines could reach this address, so it needs a token: ` +
      `set http.token in the config (e.g. token: \${${TOKEN_ENV}}) or ${TOKEN_ENV} in the environment, or listen on 127.0.0.1. Nothing was started.\n`);
    return EXIT.failure;
  }
  const observed = http === null ? null : observedSupervisor(config, { inspect: inspector?.inspect, version: packageVersion() });
  const supervisor = observed?.supervisor ?? Supervisor.fromConfig(config, { inspect: inspector?.inspect });
  // What readiness and the alert filters read of the config, kept current across hot reloads.
  let critical = criticalServices(config.services);
  let profiles = profilesOf(config);
  supervisor.configEvents$.subscribe((event) => {
    if (event.type !== 'applied') return;
    void loadConfigFile(options.file).then(
      (next) => {
        critical = criticalServices(next.services);
        profiles = profilesOf(next);
      },
      () => undefined,
    );
  });
  let operatorHttp: OperatorHttp | null = null;
  if (observed !== null && http !== null) {
    try {
      operatorHttp = await startOperatorHttp({ settings: http, fleet: supervisor, metrics: observed.metrics, critical: () => critical, dashboard: supervisor });
    } catch (error) {
      if (!(error instanceof OperatorListenerError)) throw error;
      await inspector?.stop();
      io.stderr.write(`mcp-supervisor: ${error.message}. Nothing was started.\n`);
      return EXIT.failure;
    }
  }
  // On stderr in every mode (before the dashboard takes the screen), for scripts that let 127.0.0.1:0 pick the port.
  if (operatorHttp) io.stderr.write(`${operatorsLine(operatorHttp)}\n`);
  // Subscribed before the views, so that a transition's line shows the tally it leaves.
  const tallies = new ServiceTallies(supervisor);
  const baseView = options.mode === 'dashboard' ? dashboardView(supervisor, config, io, tallies) : lineView(supervisor, config, options.mode, io, tallies);
  const view: RunView = {
    ...baseView,
    stopping: (signal) => {
      operatorHttp?.draining();
      baseView.stopping(signal);
    },
  };
  const alerts =
    config.alerts === null
      ? null
      : new AlertSystem(config.alerts, {
          timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as NodeJS.Timeout), now: () => Date.now() },
          describe: (key) => ({ priority: priorityOf(supervisor, key), profile: profiles.get(key) ?? null }),
          log: (line) => view.info(line),
          metrics: observed?.metrics,
        });
  alerts?.observe(supervisor.transitions$);
  // Incidents as OpenTelemetry spans: a no-op unless the host registered an SDK (e.g. with node --import).
  new LifecycleTracing().observe(supervisor.transitions$);
  // Before the first line: whoever reads it may press Ctrl-C at once, and an unhandled SIGINT kills.
  const stopped = untilStopped(supervisor, view, sameSignalWindow(io.env));

  const count = config.services.filter((service) => service.enabled).length;
  view.started(
    `mcp-supervisor ${packageVersion()}: supervising ${plural(count, 'service')} from ${config.file}`,
    `Ctrl-C to stop${options.watch ? ` · edits to ${config.file} are applied live` : ''}`,
  );
  if (options.notice && options.mode === 'dashboard') view.info(options.notice, { pin: true });
  for (const warning of config.warnings) view.info(`warning: ${formatIssue(warning)}`);
  if (inspector) view.info(`Stately inspector: open ${inspector.url} in a browser`, { pin: true });
  if (operatorHttp && options.mode === 'dashboard') view.info(operatorsLine(operatorHttp), { pin: true });
  supervisor.configEvents$.subscribe((event) => view.configEvent(event));

  supervisor.start();
  if (options.watch) supervisor.watchConfig();

  const { code, message } = await stopped;
  if (alerts) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([alerts.idle(), new Promise((resolve) => (timer = setTimeout(resolve, ALERT_FLUSH_MS)))]);
    clearTimeout(timer);
    alerts.close();
  }
  await inspector?.stop();
  await operatorHttp?.close();
  view.close(message);
  // A graceful stop leaves nothing running; should anything still hold the event loop, do not hang.
  setTimeout(() => {
    io.stderr.write('mcp-supervisor: something kept running after the stop; exiting anyway\n');
    process.exit(code);
  }, EXIT_GRACE_MS).unref();
  return code;
}

function profilesOf(config: FleetConfig): Map<string, string> {
  return new Map(config.services.flatMap((service) => (service.profile === null ? [] : [[service.key, service.profile] as const])));
}

function priorityOf(supervisor: Supervisor, key: string) {
  try {
    return supervisor.getServiceInfo(key).config.lifecycle.priority;
  } catch {
    return null;
  }
}

function operatorsLine(http: OperatorHttp): string {
  return `operators' endpoints on ${http.listener.url}: /metrics, /healthz, /readyz; web dashboard at ${http.listener.url}/`;
}

/** Resolves once a stop signal has stopped the fleet; a second signal exits at once with 130. */
function untilStopped(supervisor: Supervisor, view: RunView, sameSignalMs: number): Promise<{ code: number; message: string }> {
  return new Promise((resolve) => {
    let firstAt: number | null = null;
    let finished = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (finished || (firstAt !== null && Date.now() - firstAt < sameSignalMs)) return;
      if (firstAt !== null) {
        view.close(`${signal} again: forced exit; the servers still running were killed`);
        // process-group.ts kills every server process group this process owns when it exits.
        process.exit(EXIT.interrupted);
        return;
      }
      firstAt = Date.now();
      view.stopping(signal);
      supervisor.stop().then(
        () => finish(EXIT.ok, 'stopped: every service disconnected, no server process left'),
        (error: unknown) => finish(EXIT.failure, `stop failed: ${error instanceof Error ? error.message : String(error)}`),
      );
    };
    // The handlers stay: a late duplicate signal must not kill the process while it exits (it is ignored).
    const finish = (code: number, message: string) => {
      finished = true;
      resolve({ code, message });
    };
    for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  });
}

function sameSignalWindow(env: CliIO['env']): number {
  const value = env[SAME_SIGNAL_ENV];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : SAME_SIGNAL_MS;
}

/** `--log` and `--json`: a line per transition on stdout; in JSON mode, messages go to stderr. */
function lineView(supervisor: Supervisor, config: FleetConfig, mode: 'log' | 'json', io: CliIO, tallies: ServiceTallies): RunView {
  const serviceWidth = Math.max(0, ...config.services.map((service) => service.key.length));
  const say = (text: string) => (mode === 'json' ? io.stderr : io.stdout).write(`${text}\n`);
  supervisor.transitions$.subscribe((transition) =>
    io.stdout.write(`${mode === 'json' ? formatTransitionJson(transition) : formatTransitionLine(transition, { serviceWidth, tally: tallies.get(transition.service) })}\n`),
  );
  return {
    started: (summary, hint) => say(`${summary} (${hint})`),
    info: say,
    configEvent: (event) => say(formatConfigEvent(event)),
    stopping: (signal) => say(`${signal}: stopping every service… (Ctrl-C again to force)`),
    close: say,
  };
}

function dashboardView(supervisor: Supervisor, config: FleetConfig, io: CliIO, tallies: ServiceTallies): RunView {
  const color = io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
  const dashboard = new LiveDashboard(io.stdout, { source: config.file, color, tallies });
  const onResize = () => dashboard.resized();
  supervisor.services$.subscribe((services) => dashboard.showServices(services));
  supervisor.transitions$.subscribe((transition) => dashboard.showTransition(transition));
  io.stdout.on?.('resize', onResize);
  let closed = false;
  return {
    started: (_summary, hint) => {
      dashboard.setHint(hint);
      dashboard.start();
    },
    info: (text, options) => dashboard.notice(text, options),
    configEvent: (event) => dashboard.notice(formatConfigEvent(event)),
    stopping: (signal) => {
      dashboard.notice(`${signal}: stopping every service…`);
      dashboard.setHint('Ctrl-C again to force');
    },
    close: (message) => {
      if (closed) return;
      closed = true;
      io.stdout.off?.('resize', onResize);
      dashboard.setHint(message);
      dashboard.stop();
    },
  };
}
