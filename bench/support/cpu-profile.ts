// Profiles a piece of a benchmark in-process with V8's sampling profiler (through node:inspector) and
// sums the self time by part of the code (XState, the MCP SDK, src/…) and by function. With
// BENCH_CPU_PROFILE_DIR set, each profile is also written there as a .cpuprofile (for DevTools, or to
// sum inclusive time), named by `options.name`.

import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import path from 'node:path';

/** Self time of what ran during the profiled work, in ms. */
export interface Profile {
  totalMs: number;
  parts: { part: string; ms: number }[];
  /** The hottest functions, most self time first. */
  functions: { name: string; ms: number }[];
}

/** Where a profiled function lives, in the terms of this project. */
function partOf(url: string, functionName: string): string {
  if (url.includes('/node_modules/xstate/')) return 'XState';
  if (url.includes('/node_modules/rxjs/')) return 'RxJS';
  if (url.includes('/node_modules/zod/')) return 'zod (the SDK validating messages)';
  if (url.includes('/node_modules/@modelcontextprotocol/')) return 'MCP SDK v2';
  if (url.includes('/src/machines/')) return 'src/machines';
  if (url.includes('/src/actors/')) return 'src/actors';
  if (url.includes('/src/supervisor/')) return 'src/supervisor';
  if (url.includes('/bench/')) return 'bench (drivers, in-memory layer)';
  if (url.startsWith('node:') || url === '') return functionName.startsWith('(') ? functionName : 'Node.js built-ins';
  return 'other';
}

const shortUrl = (url: string) => url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*?\/(src|bench)\//, '$1/');

/** Runs `work` under the sampling profiler (`intervalUs` between samples) and sums self time. */
export async function profiled(work: () => Promise<void>, options: { intervalUs?: number; top?: number; name?: string } = {}): Promise<Profile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: options.intervalUs ?? 100 });
    await session.post('Profiler.start');
    // The profile's timestamps are on the monotonic clock, as hrtime: keep only samples taken during `work`.
    const started = Number(process.hrtime.bigint() / 1000n);
    await work();
    const ended = Number(process.hrtime.bigint() / 1000n);
    const { profile } = await session.post('Profiler.stop');
    const directory = process.env.BENCH_CPU_PROFILE_DIR;
    if (directory) {
      await mkdir(directory, { recursive: true });
      const file = `${(options.name ?? 'profile').replace(/[^\w.-]+/g, '-')}-${process.pid}-${Date.now()}.cpuprofile`;
      await writeFile(path.join(directory, file), JSON.stringify(profile));
    }
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parts = new Map<string, number>();
    const functions = new Map<string, number>();
    const deltas = profile.timeDeltas ?? [];
    let totalMs = 0;
    let at = profile.startTime;
    (profile.samples ?? []).forEach((id, index) => {
      const node = byId.get(id);
      const ms = (deltas[index] ?? 0) / 1000;
      at += deltas[index] ?? 0;
      if (!node || node.callFrame.functionName === '(idle)' || at < started || at > ended) return;
      const { url, functionName, lineNumber } = node.callFrame;
      const name = `\`${functionName || '(anonymous)'}\`${url ? ` ${shortUrl(url)}:${lineNumber + 1}` : ''}`;
      const part = partOf(url, functionName);
      parts.set(part, (parts.get(part) ?? 0) + ms);
      functions.set(name, (functions.get(name) ?? 0) + ms);
      totalMs += ms;
    });
    const ranked = (totals: Map<string, number>) => [...totals].sort((a, b) => b[1] - a[1]);
    return {
      totalMs,
      parts: ranked(parts).map(([part, ms]) => ({ part, ms })),
      functions: ranked(functions)
        .slice(0, options.top ?? 8)
        .map(([name, ms]) => ({ name, ms })),
    };
  } finally {
    await session.post('Profiler.disable').catch(() => undefined);
    session.disconnect();
  }
}
