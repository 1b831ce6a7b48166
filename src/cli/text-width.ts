// How much room text takes in a terminal, as `string-width` counts it: by grapheme cluster (a joined
// emoji sequence or a flag is one character), emoji and East Asian wide characters two cells, combining
// marks and zero-width characters none, ANSI escape codes none. Enough for a dashboard that must fit
// `process.stdout.columns` exactly. Cutting and wrapping never split a grapheme cluster.

import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';

/*
 * The colour codes `truncate` passes through: the only escapes the dashboard writes itself (a server's
 * text has its control characters removed by `singleLine` first).
 */
/* eslint-disable no-control-regex -- these match the ESC of ANSI colour codes on purpose */
const ANSI_SPLIT = /(\u001b\[[0-9;]*m)/;
const ANSI_CODE = /^\u001b\[[0-9;]*m$/;
/* eslint-enable no-control-regex */
const RESET = '\u001b[0m';

/** Printable ASCII: one cell, and one grapheme cluster, a character. */
const ASCII_RUN = /[\x20-\x7e]+/g;
const GRAPHEMES = new Intl.Segmenter('en', { granularity: 'grapheme' });

interface Piece {
  text: string;
  /** Printable ASCII only. */
  ascii: boolean;
}

/**
 * `text` in pieces, so that only those around characters other than printable ASCII go through
 * grapheme segmentation and string-width, which are slow (a dashboard of a thousand rows, each with
 * an emoji, measures a lot). A cluster never spans two printable ASCII characters, so text can be cut
 * between any two: an ASCII run's inner characters are a piece of their own, and its first and last
 * stay with their neighbours (`e` + a combining accent, `1` + the keycap mark).
 */
function* pieces(text: string): Generator<Piece> {
  let done = 0;
  for (const run of text.matchAll(ASCII_RUN)) {
    const runEnd = run.index + run[0].length;
    const start = run.index === 0 ? 0 : run.index + 1;
    const end = runEnd === text.length ? runEnd : runEnd - 1;
    if (end <= start) continue;
    if (start > done) yield { text: text.slice(done, start), ascii: false };
    yield { text: text.slice(start, end), ascii: true };
    done = end;
  }
  if (done < text.length) yield { text: text.slice(done), ascii: false };
}

/** The grapheme clusters of `text` in order: a joined emoji sequence or a flag is one. */
function* clusters(text: string): Generator<string> {
  for (const piece of pieces(text)) {
    if (piece.ascii) yield* piece.text;
    else for (const { segment } of GRAPHEMES.segment(piece.text)) yield segment;
  }
}

/** Widths of the pieces other than printable ASCII measured so far: a dashboard repeats the same few. */
const otherWidths = new Map<string, number>();
const OTHER_WIDTHS_KEPT = 4096;

function otherWidth(text: string): number {
  let width = otherWidths.get(text);
  if (width === undefined) {
    width = stringWidth(text, { countAnsiEscapeCodes: true });
    if (otherWidths.size >= OTHER_WIDTHS_KEPT) otherWidths.clear();
    otherWidths.set(text, width);
  }
  return width;
}

/** `text` without ANSI escape codes. */
export function stripAnsi(text: string): string {
  return stripVTControlCharacters(text);
}

/** Terminal cells `text` takes (ANSI escape codes excluded). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const piece of pieces(stripAnsi(text))) width += piece.ascii ? piece.text.length : otherWidth(piece.text);
  return width;
}

/** `text` cut to at most `width` cells, ending in `…` when cut; colour codes pass through. */
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
    for (const char of clusters(part)) {
      const cells = displayWidth(char);
      if (used + cells > width - 1) return `${result}…${coloured ? RESET : ''}`;
      result += char;
      used += cells;
    }
  }
  return result;
}

/** `text` cut or padded with spaces to exactly `width` cells. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const full = displayWidth(text);
  const cut = full <= width ? text : truncate(text, width);
  const padding = ' '.repeat(Math.max(0, width - (cut === text ? full : displayWidth(cut))));
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
    for (const char of clusters(word)) {
      if (line !== '' && displayWidth(line) + displayWidth(char) > room) {
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
