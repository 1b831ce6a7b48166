// `mcp-supervisor simulate`: what would this service's settings do in an outage? Runs the outage
// simulation (outage-simulation.ts) on the service's effective settings from the config file and prints
// the timeline of states and retries.

import { formatDuration } from '../config/duration.js';
import type { FleetConfig, ServiceConfig } from '../config/model.js';
import { PRIORITY_WEIGHTS } from '../machines/backoff.js';
import type { LifecycleConfig } from '../machines/defaults.js';
import { durationArg, EXIT, parseCommandArgs, UsageError, type Command } from './command.js';
import { configArgument, LOCAL_CONFIG } from './config-argument.js';
import {
  OUTAGE_DESCRIPTIONS,
  OUTAGE_KINDS,
  RECOVERY_LIMIT_MS,
  simulateOutage,
  type OutageSimulation,
} from '../supervisor/outage-simulation.js';
import { plural } from '../supervisor/plural.js';
import { formatTable } from './table.js';
import { formatOffset, formatSpan } from './time-format.js';
import { loadConfigOrReport } from './load-config.js';

export const simulateCommand: Command = {
  help: `Usage: mcp-supervisor simulate [config] --service NAME --outage DURATION [options]

A what-if for thresholds and backoff. Runs the real service statechart and connection code with the
service's effective settings from [config] (as \`run\` picks it: without one, ./${LOCAL_CONFIG} or the
bundled demo fleet), in virtual time (a 3 h outage takes milliseconds), against an in-memory server:

  - before t+0 the service connects and passes one health check;
  - at t+0, right after that check, the outage begins (the worst moment: a whole check interval
    passes before the next ping);
  - during the outage, per --failure:
      refused  every ping and connect fails at once (the server is down)           (default)
      timeout  every ping and connect hangs until its timeout (a silent network)
      crash    the connection drops at t+0 (the process died) and connects fail
  - from the end of the outage on, the server answers again.

Prints every transition, failed ping and reconnect attempt with its time, state and next retry time,
then when the outage was noticed and how long after its end the service was back. The service's
fixed jitter seed is used: the same input always gives the same timeline.

Options:
  -s, --service NAME      the service (name, or agent/name); optional if the config has only one
  -o, --outage DURATION   how long the server is down, e.g. 90s, 10m, 1h30m
  -d, --duration DURATION how much time after t+0 to simulate (default: until the service is HEALTHY
                          again, at most the outage + ${formatDuration(RECOVERY_LIMIT_MS)})
  --failure KIND          refused | timeout | crash (see above)
  --json                  print the timeline as JSON (times in ms from t+0)
  -h, --help              show this help

Example: mcp-supervisor simulate config/services.yaml --service flaky --outage 10m
`,
  async execute(args, io) {
    const { values, positionals } = parseCommandArgs(
      'simulate',
      args,
      {
        service: { type: 'string', short: 's' },
        outage: { type: 'string', short: 'o' },
        duration: { type: 'string', short: 'd' },
        failure: { type: 'string', default: 'refused' },
        json: { type: 'boolean', default: false },
      },
      { max: 1 },
    );
    if (values.outage === undefined) throw new UsageError('--outage is required, e.g. --outage 10m', 'simulate');
    const outageMs = durationArg('simulate', 'outage', values.outage);
    const durationMs = values.duration === undefined ? undefined : durationArg('simulate', 'duration', values.duration);
    const kind = OUTAGE_KINDS.find((candidate) => candidate === values.failure);
    if (!kind) throw new UsageError(`--failure must be one of ${OUTAGE_KINDS.join(', ')}, got '${values.failure}'`, 'simulate');

    const chosen = configArgument(positionals[0], 'simulate', 'simulating', io);
    if (chosen === null) return EXIT.failure;
    const config = await loadConfigOrReport(chosen.file, io);
    if (config === null) return EXIT.failure;
    const service = pickService(config, values.service);
    if (typeof service === 'string') {
      io.stderr.write(`mcp-supervisor: ${service}\n`);
      return EXIT.failure;
    }
    const simulation = await simulateOutage({ service, outageMs, durationMs, kind });
    io.stdout.write(values.json ? `${JSON.stringify(simulation, null, 2)}\n` : formatSimulation(simulation, service, config.file));
    return EXIT.ok;
  },
};

/** The service to simulate, or why there is none. */
function pickService(config: FleetConfig, name: string | undefined): ServiceConfig | string {
  const keys = config.services.map((service) => service.key);
  if (name === undefined) {
    const only = config.services.length === 1 ? config.services[0] : undefined;
    return only ?? `which service? add --service NAME (${config.file} has ${keys.join(', ') || 'no services'})`;
  }
  const byKey = config.services.find((service) => service.key === name);
  const byName = config.services.filter((service) => service.name === name);
  if (byKey) return byKey;
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) return `'${name}' is in several agents' scopes; name one of ${byName.map((service) => service.key).join(', ')}`;
  return `no service '${name}' in ${config.file}; its services are ${keys.join(', ') || 'none'}`;
}

/** The timeline as a person reads it: the settings that shape it, the rows, and what it adds up to. */
export function formatSimulation(simulation: OutageSimulation, service: ServiceConfig, file: string): string {
  const lines = [
    `What if '${simulation.service}' (${file}) is down for ${formatDuration(simulation.outageMs)}: ${OUTAGE_DESCRIPTIONS[simulation.kind]}?`,
    ...describeSettings(service.lifecycle),
    '',
    ...formatTable(
      [{ header: 'TIME' }, { header: 'STATE' }, { header: 'NEXT RETRY' }, { header: 'WHAT HAPPENED' }],
      simulation.entries.map((entry) => [
        formatOffset(entry.at),
        entry.state,
        entry.nextRetryAt === null ? '' : `${formatOffset(entry.nextRetryAt)} (in ${formatSpan(entry.nextRetryAt - entry.at)})`,
        entry.event === 'outage-start' || entry.event === 'outage-end' ? `── ${entry.reason} ──` : entry.reason,
      ]),
    ),
    '',
    ...describeOutcome(simulation),
  ];
  return `${lines.join('\n')}\n`;
}

function describeSettings(lifecycle: LifecycleConfig): string[] {
  const d = formatDuration;
  const weight = PRIORITY_WEIGHTS[lifecycle.priority];
  const giveUp = lifecycle.maxUnreachableRetries === 0 ? 'never gives up' : `gives up after ${lifecycle.maxUnreachableRetries}`;
  return [
    `  health check every ${d(lifecycle.healthCheckInterval)} (in WARNING every ${d(lifecycle.warningCheckInterval)}), ping timeout ${d(lifecycle.pingTimeout)}; ` +
      `WARNING after ${plural(lifecycle.warningFailureThreshold, 'failed ping')}, RECONNECTING after ${lifecycle.reconnectingFailureThreshold}`,
    `  RECONNECTING: ${lifecycle.maxReconnectAttempts} attempts, backoff ${d(lifecycle.reconnectBaseDelay)} doubling up to ${d(lifecycle.reconnectMaxDelay)}, ` +
      `connect timeout ${d(lifecycle.connectTimeout)}`,
    `  UNREACHABLE: retries after ${d(lifecycle.unreachableBaseDelay)} doubling up to ${d(lifecycle.unreachableMaxDelay)}, ` +
      `× ${weight} (${lifecycle.priority} priority), ${giveUp}; jitter ±${Math.round(lifecycle.jitter * 100)}%`,
    `  t+0 is just after the last successful health check before the outage.`,
  ];
}

function describeOutcome(simulation: OutageSimulation): string[] {
  const { unavailableAt, recoveredAt, outageMs } = simulation;
  const lines: string[] = [];
  if (unavailableAt === null) {
    lines.push(
      simulation.failures === 0
        ? 'The outage went unnoticed: no health check failed during it.'
        : `Never unavailable: ${plural(simulation.failures, 'ping')} failed, below the reconnect threshold.`,
    );
  } else {
    lines.push(`Unavailable from ${formatOffset(unavailableAt)}: the outage was noticed after ${formatSpan(unavailableAt)}.`);
    if (recoveredAt !== null) {
      const lag = recoveredAt - outageMs;
      lines.push(
        `HEALTHY again at ${formatOffset(recoveredAt)}, ${lag >= 0 ? `${formatSpan(lag)} after the outage ended` : 'before the outage ended'}; ` +
          `unavailable for ${formatSpan(recoveredAt - unavailableAt)}.`,
      );
    }
  }
  lines.push(
    `${plural(simulation.failures, 'failed ping or connect', 'failed pings and connects')}, ` +
      `${plural(simulation.reconnectAttempts, 'reconnect attempt')}, ${plural(simulation.unreachableRetries, 'long-cycle retry', 'long-cycle retries')}.`,
  );
  if (simulation.end === 'gave-up') {
    lines.push(`It gave up at ${formatOffset(simulation.endedAt)}: DISCONNECTED until restarted (raise max_unreachable_retries, or 0 = never give up).`);
  } else if (simulation.end === 'limit') {
    lines.push(`Still ${simulation.finalState} at ${formatOffset(simulation.endedAt)}, when the simulation stopped.`);
  } else if (simulation.end === 'duration') {
    lines.push(`${simulation.finalState} at ${formatOffset(simulation.endedAt)}, the end of --duration.`);
  }
  return lines;
}
