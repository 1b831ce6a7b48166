// Waiting in scenarios: for a condition (polled, bounded), or for a moment on the scenario's own clock.

/** Polls `check` until it holds; resolves with the ms it took, or null after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, stepMs = 10): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    if (check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) return null;
    await sleep(stepMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
