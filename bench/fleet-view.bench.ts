// What one `services$` emission costs, and what reading one costs: the shared view (FleetView: the
// previous emission plus the changes) against its baseline in the same run, a full copy of the fleet's
// Map with the changes set (what every emission did before). The fleet is 1,000 and 10,000 services
// checked every 30 s, so a 50 ms batch window holds fleet/600 changes (at least one).
//
//   node --import tsx bench/fleet-view.bench.ts      (npm run bench:fleet-view)

import os from 'node:os';
import { FleetView } from '../src/supervisor/fleet-view.js';
import type { ServiceSnapshot } from '../src/supervisor/service-snapshot.js';
import { snapshot } from '../test/support/cli-snapshots.js';
import { writeResultsSection } from './support/results-file.js';

const EMISSIONS = 2_000;
const READS = 50;
const SAMPLES = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

function timeIt(run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

interface Row {
  services: number;
  changesPerEmission: number;
  copyMs: number;
  viewMs: number;
  copyReadMs: number;
  viewReadMs: number;
}

function measure(services: number): Row {
  const fleet = Array.from({ length: services }, (_, index) => snapshot(`s${index}`, 'HEALTHY', { responseTime: 10 }));
  const changesPerEmission = Math.max(1, Math.round(services / 600));
  const changeSets = Array.from({ length: EMISSIONS }, (_, emission) => {
    const changed = new Map<string, ServiceSnapshot>();
    for (let change = 0; change < changesPerEmission; change++) {
      const service = fleet[(emission * changesPerEmission + change) % services] as ServiceSnapshot;
      changed.set(service.key, service);
    }
    return changed;
  });
  const copies: number[] = [];
  const views: number[] = [];
  let lastCopy = new Map<string, ServiceSnapshot>();
  let lastView = FleetView.of([]);
  for (let sample = 0; sample < SAMPLES; sample++) {
    copies.push(
      timeIt(() => {
        let view = new Map(fleet.map((service) => [service.key, service]));
        for (const changed of changeSets) {
          view = new Map(view);
          for (const [key, value] of changed) view.set(key, value);
        }
        lastCopy = view;
      }),
    );
    views.push(
      timeIt(() => {
        let view = FleetView.of(fleet.map((service) => [service.key, service]));
        for (const changed of changeSets) view = view.with(changed);
        lastView = view;
      }),
    );
  }
  const read = (view: ReadonlyMap<string, ServiceSnapshot>) => () => {
    for (let pass = 0; pass < READS; pass++) {
      let available = 0;
      for (const service of view.values()) if (service.available) available++;
      if (available !== services) throw new Error('every service is HEALTHY');
    }
  };
  const copyReads = Array.from({ length: SAMPLES }, () => timeIt(read(lastCopy)));
  const viewReads = Array.from({ length: SAMPLES }, () => timeIt(read(lastView)));
  return {
    services,
    changesPerEmission,
    copyMs: median(copies) / EMISSIONS,
    viewMs: median(views) / EMISSIONS,
    copyReadMs: median(copyReads) / READS,
    viewReadMs: median(viewReads) / READS,
  };
}

const rows = [measure(1_000), measure(10_000)];
const format = (ms: number) => (ms < 0.1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);
const table = rows
  .map(
    (row) =>
      `| ${row.services.toLocaleString('en')} | ${row.changesPerEmission} | ${format(row.copyMs)} | ${format(row.viewMs)} | **${(row.viewMs / row.copyMs).toFixed(3)}×** | ${format(row.copyReadMs)} | ${format(row.viewReadMs)} | ${(row.viewReadMs / row.copyReadMs).toFixed(2)}× | **${((row.viewMs + row.viewReadMs) / (row.copyMs + row.copyReadMs)).toFixed(3)}×** |`,
  )
  .join('\n');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const section = `## Fleet view: one services$ emission

Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpu} (${os.cpus().length} cores), ${process.platform} ${process.arch}. Command: \`node --import tsx bench/fleet-view.bench.ts\` (\`npm run bench:fleet-view\`). Load average (1 min) ${os.loadavg()[0]?.toFixed(2)} at the end.

An emission of \`services$\` used to copy the whole fleet's Map and set the changes; it is now a
\`FleetView\` (src/supervisor/fleet-view.ts): the previous view's base plus the changes since, folded into a
new base once they outgrow √(2 · fleet · changes per emission). Baseline: the full copy, in the same run.
${EMISSIONS.toLocaleString('en')} emissions per sample, median of ${SAMPLES}; a read is one pass over every value. A view reads
slower than a Map (a generator step per service), but a subscriber that reads every emission whole still
pays less in all (last column); the supervisor's own fleet metrics are running totals and read no view.

| services | changes per emission | emission, full copy | emission, view | view ÷ copy | read, Map | read, view | view ÷ Map | emission + one read, view ÷ copy |
|---|---|---|---|---|---|---|---|---|
${table}
`;
console.log(section);
await writeResultsSection('## Fleet view: one services$ emission', section);
