// "Did you mean …?": the valid words nearest to a misspelt key, profile or value. Keys are compared whole
// (edit distance) and word by word (`_`-separated parts), so a typo that also swaps a word still finds
// the keys that share its other words.

/** Levenshtein distance, with a transposition counted as one edit (`helth` ↔ `hetlh`). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** At most this many suggestions: more is a list to read, not a hint. */
export const MAX_SUGGESTIONS = 3;

/** A misspelling of the whole word this small is unambiguous when no other candidate is as close. */
const SLIP_EDITS = 2;

/** Share of letters in common words needed to offer a candidate that is not a typo of the whole word. */
const MIN_WORD_SIMILARITY = 0.4;

interface Scored {
  candidate: string;
  /** Edit distance of the whole words. */
  distance: number;
  /** 0..1: the share of letters in the words the two have in common (nearly equal words count). */
  wordSimilarity: number;
}

/**
 * The candidates close to `word`, best first, at most three. A slip of a key or two (`comand`,
 * `pingtimeout`) gives that key alone. Otherwise every candidate that is a plausible typo of the whole
 * word (edits up to about a third of its length) or shares enough of its words is offered, the most
 * words in common first: `helth_check_timeout` → `health_check_interval`, `ping_timeout`, `connect_timeout`.
 */
export function suggestions(word: string, candidates: Iterable<string>): string[] {
  const lower = word.toLowerCase();
  const scored = [...new Set(candidates)]
    .map((candidate) => score(lower, candidate))
    .filter(
      (entry) => entry.distance <= Math.max(SLIP_EDITS, Math.ceil(entry.candidate.length / 3)) || entry.wordSimilarity >= MIN_WORD_SIMILARITY,
    )
    // Stable: equally good candidates keep the order they were given in (the schema's order).
    .sort((a, b) => Number(b.distance <= SLIP_EDITS) - Number(a.distance <= SLIP_EDITS) || b.wordSimilarity - a.wordSimilarity || a.distance - b.distance);
  const [best, second] = scored;
  if (best === undefined) return [];
  if (best.distance <= SLIP_EDITS && !(second && second.distance <= SLIP_EDITS)) return [best.candidate];
  return scored.slice(0, MAX_SUGGESTIONS).map((entry) => entry.candidate);
}

/** The single closest candidate, if any is close enough. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  return suggestions(word, candidates)[0];
}

/** ` — did you mean \`x\`?`, ` — did you mean \`x\`, \`y\` or \`z\`?`, or nothing. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const found = suggestions(word, candidates).map((candidate) => `\`${candidate}\``);
  if (found.length === 0) return '';
  const list = found.length === 1 ? found[0] : `${found.slice(0, -1).join(', ')} or ${found.at(-1)}`;
  return ` — did you mean ${list}?`;
}

function score(lower: string, candidate: string): Scored {
  const other = candidate.toLowerCase();
  const words = wordsOf(lower);
  const otherWords = wordsOf(other);
  const letters = (list: readonly string[]) => list.reduce((sum, part) => sum + part.length, 0);
  // A Dice coefficient over words, weighted by length: a shared `timeout` counts more than a shared `max`.
  const wordSimilarity = (2 * commonLetters(words, otherWords)) / Math.max(1, letters(words) + letters(otherWords));
  return { candidate, distance: editDistance(lower, other), wordSimilarity };
}

function wordsOf(key: string): string[] {
  return key.split('_').filter((part) => part !== '');
}

/**
 * Pairs each word with an unused word of the other that it equals or nearly equals (a quarter of that
 * word's length in edits: `helth` ~ `health`, `timout` ~ `timeout`); the letters of the pairs, averaged.
 */
function commonLetters(words: readonly string[], otherWords: readonly string[]): number {
  const unused = [...otherWords];
  let letters = 0;
  for (const part of words) {
    const index = unused.findIndex((other) => editDistance(part, other) <= Math.floor(other.length / 4));
    if (index < 0) continue;
    const [other = ''] = unused.splice(index, 1);
    letters += (part.length + other.length) / 2;
  }
  return letters;
}
