// How much room text takes in a terminal: emoji and East Asian wide characters take two cells,
// combining marks and variation selectors none, ANSI colour codes none. Enough for a dashboard that
// must fit `process.stdout.columns` exactly.

/* eslint-disable no-control-regex -- these match the ESC of ANSI colour codes on purpose */
const ANSI = /\u001b\[[0-9;]*m/g;
const ANSI_SPLIT = /(\u001b\[[0-9;]*m)/;
const ANSI_CODE = /^\u001b\[[0-9;]*m$/;
/* eslint-enable no-control-regex */
const RESET = '\u001b[0m';

/** Ranges of code points that take two cells (East Asian Wide/Fullwidth, and emoji presentation). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x267f, 0x267f],
  [0x2693, 0x2693],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f5],
  [0x26fa, 0x26fa],
  [0x26fd, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x274e, 0x274e],
  [0x2753, 0x2755],
  [0x2757, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b50],
  [0x2b55, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe30, 0xfe4f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f004, 0x1f004],
  [0x1f0cf, 0x1f0cf],
  [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a],
  [0x1f200, 0x1f251],
  [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb],
  [0x1f900, 0x1f9ff],
  [0x1fa70, 0x1faff],
  [0x20000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  let low = 0;
  let high = WIDE.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = WIDE[middle] ?? [0, -1];
    if (codePoint < start) high = middle - 1;
    else if (codePoint > end) low = middle + 1;
    else return true;
  }
  return false;
}

function isZeroWidth(codePoint: number): boolean {
  return (
    (codePoint >= 0x0300 && codePoint <= 0x036f) || // combining diacritics
    (codePoint >= 0xfe00 && codePoint <= 0xfe0f) || // variation selectors
    codePoint === 0x200b || codePoint === 0x200c || codePoint === 0x200d || // zero-width space, (non-)joiner
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint < 0xa0)
  );
}

function charWidth(char: string): number {
  const codePoint = char.codePointAt(0) ?? 0;
  if (isZeroWidth(codePoint)) return 0;
  return isWide(codePoint) ? 2 : 1;
}

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Terminal cells `text` takes (ANSI colour codes excluded). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) width += charWidth(char);
  return width;
}

/** `text` cut to at most `width` cells, ending in `…` when cut; ANSI colour codes pass through. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let result = '';
  let used = 0;
  let coloured = false;
  for (const part of text.split(ANSI_SPLIT)) {
    if (ANSI_CODE.test(part)) {
      result += part;
      coloured = true;
      continue;
    }
    for (const char of part) {
      const cells = charWidth(char);
      if (used + cells > width - 1) return `${result}…${coloured ? RESET : ''}`;
      result += char;
      used += cells;
    }
  }
  return result;
}

/** `text` cut or padded with spaces to exactly `width` cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width);
  const padding = ' '.repeat(Math.max(0, width - displayWidth(cut)));
  return align === 'left' ? cut + padding : padding + cut;
}

/**
 * `text` as lines of at most `width` cells (at least 2), broken at spaces where it can and inside a
 * word only where the word is longer than a line.
 */
export function wrap(text: string, width: number): string[] {
  const room = Math.max(2, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    if (line !== '' && displayWidth(line) + 1 + displayWidth(word) <= room) {
      line += ` ${word}`;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    for (const char of word) {
      if (line !== '' && displayWidth(line) + charWidth(char) > room) {
        lines.push(line);
        line = '';
      }
      line += char;
    }
  }
  lines.push(line);
  return lines;
}

/** Text a server sent (an error may hold newlines or escapes) as one visible line without control characters. */
export function singleLine(text: string): string {
  let line = '';
  for (const char of text.replace(/\s*[\r\n]+\s*/g, ' ⏎ ')) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (codePoint >= 0x20 && codePoint !== 0x7f) line += char;
  }
  return line;
}
