// `mcp-supervisor validate`: loads a config exactly as `run` would, and prints either every problem
// with its file:line:col (exit 1) or what the fleet would be (exit 0).

import { ConfigError, formatIssue } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import type { FleetConfig, ServiceConfig } from '../config/model.js';
import { formatDuration } from '../config/duration.js';
import { formatListenAddress } from '../config/listen-address.js';
import { redactTransport } from '../config/transport.js';
import { configArgument, LOCAL_CONFIG } from './config-argument.js';
import { EXIT, parseCommandArgs, type Command } from './command.js';
import { plural } from '../supervisor/plural.js';
import { formatTable } from './table.js';

export const validateCommand: Command = {
  help: `Usage: mcp-supervisor validate [config]

Loads the config file as \`run\` would, without starting anything. Without [config]: ./${LOCAL_CONFIG}
if there is one, else the demo fleet bundled with the package.
If it is invalid, prints every problem as file:line:col key: message and exits with 1.
If it is valid, prints the fleet: each service with its transport, agent, profile and main settings,
the transports, agents and profiles in use, and any warnings; exits with 0.

Options:
  -h, --help   show this help
`,
  async execute(args, io) {
    const { positionals } = parseCommandArgs('validate', args, {}, { max: 1 });
    const config = configArgument(positionals[0], 'validate', 'validating', io);
    if (config === null) return EXIT.failure;
    try {
      io.stdout.write(describeFleet(await loadConfigFile(config.file)));
      return EXIT.ok;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(`${error.message}\n`);
      return EXIT.failure;
    }
  },
};

/** The summary `validate` prints for a valid config. */
export function describeFleet(config: FleetConfig): string {
  const { services, supervisor } = config;
  const enabled = services.filter((service) => service.enabled).length;
  const lines = [
    `${config.file}: valid. ${plural(services.length, 'service')} (${enabled} enabled).`,
    '',
  ];
  if (services.length > 0) {
    lines.push(
      ...formatTable(
        [
          { header: 'SERVICE' },
          { header: 'AGENT' },
          { header: 'TRANSPORT' },
          { header: 'TARGET' },
          { header: 'PROFILE' },
          { header: 'PRIORITY' },
          { header: 'CHECK EVERY', align: 'right' },
          { header: 'ENABLED' },
        ],
        services.map((service) => [
          service.name,
          service.agentId ?? '—',
          service.transport.type,
          target(service),
          service.profile ?? '—',
          service.lifecycle.priority,
          formatDuration(service.lifecycle.healthCheckInterval),
          service.enabled ? 'yes' : 'no',
        ]),
        '  ',
      ),
      '',
    );
  }
  const agents = countBy(services.filter((service) => service.agentId !== null), (service) => service.agentId ?? '');
  const profiles = countBy(services.filter((service) => service.profile !== null), (service) => service.profile ?? '');
  lines.push(
    `Transports: ${describeCounts(countBy(services, (service) => service.transport.type)) || 'none'}`,
    `Agents:     ${describeCounts(agents) || 'none (every service is in the global scope)'}`,
    `Profiles:   ${describeCounts(profiles) || 'none used'} (defined: ${Object.keys(config.profiles).join(', ') || 'none'})`,
    `Supervisor: at most ${supervisor.maxConcurrentConnects} connects at once; a crashing service actor is restarted up to ` +
      `${supervisor.maxRestarts} times per ${formatDuration(supervisor.restartWindow)}`,
    `HTTP:       ${describeHttp(config)}`,
    `Alerts:     ${describeAlerts(config)}`,
  );
  if (config.warnings.length === 0) {
    lines.push('Warnings:   none');
  } else {
    lines.push(`Warnings:   ${config.warnings.length}`, ...config.warnings.map((issue) => `  warning: ${formatIssue(issue)}`));
  }
  return `${lines.join('\n')}\n`;
}

function describeHttp({ http, services }: FleetConfig): string {
  if (http === null) return 'none (`run --http HOST:PORT` starts the operators\' endpoints)';
  const critical = services.filter((service) => service.critical === true).map((service) => service.key);
  const readiness =
    typeof http.readiness === 'object'
      ? `ready when ${http.readiness.services.join(', ')} are available`
      : http.readiness === 'critical'
        ? critical.length === 0
          ? 'ready when running (no service is marked critical)'
          : `ready when ${critical.join(', ')} are available`
        : `ready when ${http.readiness === 'all' ? 'every service is' : 'any service is'} available`;
  return `${formatListenAddress(http.listen)}${http.token === null ? '' : ' with a token'}; /readyz ${readiness}`;
}

function describeAlerts({ alerts }: FleetConfig): string {
  if (alerts === null) return 'none';
  const sinks = alerts.sinks.map((sink) => `${sink.name} (${sink.type})`).join(', ');
  return `${plural(alerts.rules.length, 'rule')} (${alerts.rules.map((rule) => rule.name).join(', ')}) → ${plural(alerts.sinks.length, 'sink')}: ${sinks}`;
}

/** What a service connects to, secrets redacted: `node server.mjs --flag` or a URL. */
function target(service: ServiceConfig): string {
  const transport = redactTransport(service.transport);
  if (transport.type !== 'stdio') return transport.url;
  return [transport.command, ...transport.args].map((part) => (/[\s"']/.test(part) ? JSON.stringify(part) : part)).join(' ');
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function describeCounts(counts: ReadonlyMap<string, number>): string {
  return [...counts].map(([name, count]) => `${name} ${count}`).join(', ');
}
