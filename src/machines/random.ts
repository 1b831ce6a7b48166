// A tiny seeded random source (mulberry32) whose whole state is one number, so it can live in a
// statechart's context: snapshots stay serialisable and tests stay deterministic.

/** One draw: a uniform number in [0, 1) and the state to draw from next time. */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/** A stable 32-bit seed from a string (FNV-1a), so each service jitters differently by default. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash | 0;
}
