// One chaos scenario as a process of its own: the promises it checks (a PASS/FAIL line each, with the
// figure), the figures it measures, and what every scenario gets for free — an overall deadline, unhandled
// rejections counted as a broken promise, every process it started killed by PID at the end, and a
// result file for the runner (bench/chaos/run.ts) to put in bench/RESULTS.md.

import { writeFileSync } from 'node:fs';
import { liveDescendants, killDescendants } from './processes.js';

export interface Check {
  promise: string;
  passed: boolean;
  figure: string;
}

export interface Figure {
  label: string;
  value: string;
}

export interface ScenarioResult {
  name: string;
  title: string;
  checks: Check[];
  figures: Figure[];
  durationMs: number;
}

/** Where the runner wants the result (JSON); unset when a scenario file is run by hand. */
export const RESULT_FILE_ENV = 'CHAOS_RESULT_FILE';

export class ScenarioReport {
  readonly checks: Check[] = [];
  readonly figures: Figure[] = [];

  /** Records and prints whether a promise held, with the figure that shows it. */
  check(promise: string, passed: boolean, figure: string): boolean {
    this.checks.push({ promise, passed, figure });
    console.log(`${passed ? 'PASS' : 'FAIL'}  ${promise} — ${figure}`);
    return passed;
  }

  /** Records and prints a measurement that is not itself a promise. */
  figure(label: string, value: string): void {
    this.figures.push({ label, value });
    console.log(`      ${label}: ${value}`);
  }

  /** Progress for the person watching; not part of the result. */
  note(text: string): void {
    console.log(`      … ${text}`);
  }
}

/**
 * Runs `body` as scenario `name`, then exits: 0 if every promise held, 1 if one broke, the deadline
 * passed, `body` threw, or a promise rejection went unhandled.
 */
export function runScenario(
  name: string,
  title: string,
  deadlineMs: number,
  body: (report: ScenarioReport) => Promise<void>,
): void {
  const report = new ScenarioReport();
  const started = performance.now();
  const unhandled: string[] = [];
  process.on('unhandledRejection', (reason) => {
    unhandled.push(reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  });
  console.log(`\n── ${name}: ${title}`);

  let finished = false;
  const finish = (failure: string | null) => {
    if (finished) return;
    finished = true;
    if (failure !== null) report.check('the scenario runs to its end', false, failure);
    report.check(
      'no unhandled promise rejection',
      unhandled.length === 0,
      unhandled.length === 0 ? '0' : `${unhandled.length}: ${[...new Set(unhandled)].slice(0, 3).join('; ')}`,
    );
    // Whatever the scenario left running (it checks that itself) is killed here, by PID.
    const left = liveDescendants();
    if (left.length > 0) report.figure('processes still running at exit, now killed by PID', String(left.length));
    killDescendants();
    const result: ScenarioResult = { name, title, checks: report.checks, figures: report.figures, durationMs: performance.now() - started };
    const file = process.env[RESULT_FILE_ENV];
    if (file) writeFileSync(file, JSON.stringify(result));
    const broken = report.checks.filter((check) => !check.passed).length;
    console.log(`── ${name}: ${broken === 0 ? 'every promise held' : `${broken} promise(s) broken`} (${(result.durationMs / 1000).toFixed(1)} s)`);
    process.exit(broken === 0 ? 0 : 1);
  };

  const deadline = setTimeout(() => finish(`did not finish within its ${deadlineMs / 1000} s deadline`), deadlineMs);
  body(report).then(
    () => {
      clearTimeout(deadline);
      finish(null);
    },
    (error: unknown) => {
      clearTimeout(deadline);
      finish(`threw ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    },
  );
}
