// Checks the public API of each entry of the package against its committed report (etc/*.api.md), or
// with --update rewrites the reports. Reads the declarations `npm run typecheck` emits (temp/types).
//
//   npm run api:update     after a deliberate change of the public API; commit the reports

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, type ExtractorMessage } from '@microsoft/api-extractor';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONFIG = path.join(ROOT, 'etc/api-extractor.json');
const TYPES = path.join(ROOT, 'temp/types/src');

/** Each entry of package.json `exports`: its declarations and its report. */
const ENTRIES = [
  { entry: 'mcp-supervisor', declarations: 'index.d.ts', report: 'mcp-supervisor.api.md' },
  { entry: 'mcp-supervisor/machines', declarations: 'machines.d.ts', report: 'mcp-supervisor-machines.api.md' },
  { entry: 'mcp-supervisor/testing', declarations: 'testing.d.ts', report: 'mcp-supervisor-testing.api.md' },
  { entry: 'mcp-supervisor/observe', declarations: 'observe.d.ts', report: 'mcp-supervisor-observe.api.md' },
] as const;

const update = process.argv.includes('--update');

if (!existsSync(path.join(TYPES, 'index.d.ts'))) {
  console.error(`no declarations in ${path.relative(ROOT, TYPES)}: run npm run typecheck first (npm test and npm run api:update do)`);
  process.exit(1);
}

const base = ExtractorConfig.loadFile(CONFIG);
const runs = ENTRIES.map(({ entry, declarations, report }) => ({
  entry,
  report,
  config: ExtractorConfig.prepare({
    configObject: {
      ...base,
      mainEntryPointFilePath: path.join(TYPES, declarations),
      apiReport: { ...base.apiReport, enabled: true, reportFileName: report },
    },
    configObjectFullPath: CONFIG,
    packageJsonFullPath: path.join(ROOT, 'package.json'),
  }),
}));
// One compiler program serves every entry, rather than one each.
const [main] = runs;
const compilerState = main && CompilerState.create(main.config, { additionalEntryPoints: runs.map(({ config }) => config.mainEntryPointFilePath) });

const problems: string[] = [];
for (const { entry, report, config } of runs) {
  const messages: string[] = [];
  const result = Extractor.invoke(config, {
    compilerState,
    localBuild: update,
    messageCallback: (message: ExtractorMessage) => {
      // Reported here, once per entry; whether the report changed is said below, in this project's words.
      message.handled = true;
      if (message.messageId.startsWith('console-api-report-')) return;
      if (message.logLevel === ExtractorLogLevel.Error || message.logLevel === ExtractorLogLevel.Warning) messages.push(message.formatMessageWithLocation(ROOT));
    },
  });
  for (const text of messages) problems.push(`${entry}: ${text}`);
  if (result.apiReportChanged) {
    if (update) console.log(`${entry}: updated etc/${report}`);
    else {
      // The difference itself, so that a CI log shows what changed.
      const diff = spawnSync('git', ['diff', '--no-index', '--no-color', `etc/${report}`, `temp/api/${report}`], { cwd: ROOT, encoding: 'utf8' });
      problems.push(
        `${diff.stdout}${entry}: the public API differs from etc/${report} (the new one is temp/api/${report}) — ` +
          'if the change is meant, run npm run api:update and commit the report',
      );
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
if (!update) console.log(`public API unchanged: ${ENTRIES.map(({ entry }) => entry).join(', ')}`);
