// The chaos suite: each fault scenario in a process of its own, one after the other; prints every
// promise as PASS/FAIL with its figure and exits non-zero if one broke. A full run (no scenario named)
// rewrites the `## Chaos` section of bench/RESULTS.md.
//
//   npm run chaos                          every scenario
//   npm run chaos -- crash-storm hygiene   only these
//   npm run chaos -- --note "…"            a line of context for the RESULTS.md section
//   npm run chaos -- --list                the scenario names

import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendantsOf } from '../../test/fixtures/test-servers.js';
import { writeResultsSection } from '../support/results-file.js';
import { RESULT_FILE_ENV, type ScenarioResult } from './support/scenario.js';

const COMMAND = 'npm run chaos';
const SECTION = '## Chaos';
/** Every scenario, in the order a full run takes them, with the longest it may take before it is killed. */
const SCENARIOS: readonly { name: string; limitMs: number }[] = [
  { name: 'crash-storm', limitMs: 300_000 },
  { name: 'hung-server', limitMs: 180_000 },
  { name: 'calls-through-crash', limitMs: 180_000 },
  { name: 'call-limits', limitMs: 180_000 },
  { name: 'fd-limit', limitMs: 150_000 },
  { name: 'http-restart', limitMs: 180_000 },
  { name: 'bad-neighbours', limitMs: 240_000 },
  { name: 'churn', limitMs: 240_000 },
  { name: 'hot-reload', limitMs: 240_000 },
  { name: 'stop-during-connect', limitMs: 180_000 },
  { name: 'host-killed', limitMs: 240_000 },
  { name: 'hygiene', limitMs: 300_000 },
];

interface Outcome {
  name: string;
  exitCode: number | null;
  result: ScenarioResult | null;
}

function parseArguments(argv: string[]): { names: string[]; note: string | null; list: boolean } {
  const names: string[] = [];
  let note: string | null = null;
  let list = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--note') note = argv[(index += 1)] ?? '';
    else if (argument === '--list') list = true;
    else names.push(argument);
  }
  return { names, note, list };
}

/** Runs one scenario file; past its limit, kills it and every process under it, by PID. */
async function runOne(name: string, limitMs: number, resultDir: string): Promise<Outcome> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const resultFile = join(resultDir, `${name}.json`);
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, [RESULT_FILE_ENV]: resultFile },
  });
  const timer = setTimeout(() => {
    console.log(`FAIL  ${name} did not exit within ${limitMs / 1000} s: killing it and its processes`);
    for (const entry of descendantsOf(child.pid ?? -1)) {
      try {
        process.kill(entry.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child.kill('SIGKILL');
  }, limitMs);
  const exitCode = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  clearTimeout(timer);
  let result: ScenarioResult | null;
  try {
    result = JSON.parse(readFileSync(resultFile, 'utf8')) as ScenarioResult;
  } catch {
    result = null;
  }
  return { name, exitCode, result };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function sectionFor(outcomes: Outcome[], context: { note: string | null; minutes: number; loadAtStart: number }): string {
  const cpus = os.cpus();
  let commit = 'unknown';
  try {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git('rev-parse', '--short', 'HEAD');
    if (git('status', '--porcelain', '--', 'src') !== '') commit += ' (src/ modified)';
  } catch {
    // not a git checkout
  }
  const lines = [
    SECTION,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on Node ${process.version}, ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} cores), ` +
      `${os.platform()} ${os.arch()}, commit ${commit}. Command: \`${COMMAND}\` (${context.minutes.toFixed(1)} min; one scenario: \`${COMMAND} -- crash-storm\`).`,
    `Load average (1 min) ${context.loadAtStart.toFixed(2)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(2)} at the end. Each scenario runs in a process of its own ` +
      '(bench/chaos/<name>.ts) against real servers: test/fixtures/mcp-test-server.mjs over stdio and Streamable HTTP on 127.0.0.1, and ' +
      'test/fixtures/tiny-mcp-server.sh where servers are started by the thousand.',
  ];
  if (context.note) lines.push('', context.note);
  lines.push('', '| scenario | promises held | time |', '| --- | --- | --- |');
  for (const { name, exitCode, result } of outcomes) {
    const held = result ? result.checks.filter((check) => check.passed).length : 0;
    const total = result ? result.checks.length : 0;
    const time = result ? `${(result.durationMs / 1000).toFixed(1)} s` : `— (exit ${exitCode})`;
    lines.push(`| ${name} | ${held} of ${total}${held < total ? ' ✗' : ''} | ${time} |`);
  }
  for (const { name, result } of outcomes) {
    if (!result) continue;
    lines.push('', `### ${name}: ${cell(result.title)}`, '', '| | promise | figure |', '| --- | --- | --- |');
    for (const check of result.checks) lines.push(`| ${check.passed ? 'PASS' : '**FAIL**'} | ${cell(check.promise)} | ${cell(check.figure)} |`);
    if (result.figures.length > 0) lines.push('');
    for (const figure of result.figures) lines.push(`- ${cell(figure.label)}: ${cell(figure.value)}`);
  }
  return `${lines.join('\n')}\n`;
}

const { names, note, list } = parseArguments(process.argv.slice(2));
if (list) {
  console.log(SCENARIOS.map((scenario) => scenario.name).join('\n'));
  process.exit(0);
}
const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; the scenarios are: ${SCENARIOS.map((scenario) => scenario.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length === 0 ? SCENARIOS : SCENARIOS.filter((scenario) => names.includes(scenario.name));
const resultDir = mkdtempSync(join(os.tmpdir(), 'mcp-chaos-'));
const began = performance.now();
const loadAtStart = os.loadavg()[0] ?? 0;
const outcomes: Outcome[] = [];
try {
  for (const scenario of chosen) outcomes.push(await runOne(scenario.name, scenario.limitMs, resultDir));
} finally {
  rmSync(resultDir, { recursive: true, force: true });
}
const minutes = (performance.now() - began) / 60_000;

console.log('\n── chaos suite');
let broken = 0;
for (const { name, exitCode, result } of outcomes) {
  const failed = result ? result.checks.filter((check) => !check.passed) : [];
  const ok = exitCode === 0 && result !== null && failed.length === 0;
  if (!ok) broken += 1;
  const detail = result ? `${result.checks.length - failed.length} of ${result.checks.length} promises held` : `no result (exit ${exitCode})`;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
  for (const check of failed) console.log(`        ✗ ${check.promise} — ${check.figure}`);
}
console.log(`${broken === 0 ? 'every scenario held its promises' : `${broken} of ${outcomes.length} scenarios broke a promise`} (${minutes.toFixed(1)} min)`);
if (names.length === 0) {
  await writeResultsSection(SECTION, sectionFor(outcomes, { note, minutes, loadAtStart }));
  console.log('bench/RESULTS.md: the Chaos section is rewritten');
}
process.exit(broken === 0 ? 0 : 1);
