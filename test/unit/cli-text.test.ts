// The CLI's text primitives: terminal cell widths, cutting and padding, and how times are written.

import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table.js';
import { plural } from '../../src/supervisor/plural.js';
import { displayWidth, fit, singleLine, stripAnsi, truncate, wrap } from '../../src/cli/text-width.js';
import { formatClockTime, formatOffset, formatResponseTime, formatSpan } from '../../src/cli/time-format.js';

describe('terminal width', () => {
  it('counts emoji and East Asian wide characters as two cells, marks and colour codes as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('✅🔄❌🟡💤⏳🔧')).toBe(14);
    expect(displayWidth('服务')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('\u001b[32mok\u001b[0m')).toBe(2);
  });

  it('counts a joined emoji sequence or a flag as the one two-cell character a terminal draws', () => {
    expect(displayWidth('👩‍💻')).toBe(2); // woman, zero-width joiner, laptop
    expect(displayWidth('🏳️‍🌈')).toBe(2); // white flag, variation selector, joiner, rainbow
    expect(displayWidth('🏴󠁧󠁢󠁥󠁮󠁧󠁿')).toBe(2); // black flag and the tag characters that spell gbeng
    expect(displayWidth('🇩🇪')).toBe(2); // two regional indicators
    expect(fit('👩‍💻', 4)).toBe('👩‍💻  ');
  });

  it('never cuts inside a joined emoji sequence or a flag', () => {
    expect(truncate('👩‍💻👩‍💻👩‍💻', 5)).toBe('👩‍💻👩‍💻…');
    expect(truncate('🇩🇪🇫🇷🇮🇹', 4)).toBe('🇩🇪…');
    expect(wrap('👩‍💻👩‍💻👩‍💻', 4)).toEqual(['👩‍💻👩‍💻', '👩‍💻']);
  });

  it('measures as string-width does and cuts only between grapheme clusters, whatever the text', () => {
    const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
    const boundaries = (text: string) => new Set(Array.from(graphemes.segment(text), ({ index }) => index).concat(text.length));
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme-ascii' }), fc.constantFrom('👩‍💻', '🇩🇪', 'e\u0301', '1\ufe0f\u20e3', '服')))
      .map((parts) => parts.join('').replaceAll('\u001b', '').replaceAll('\u009b', '')); // no escape codes: string-width strips them its own way
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 30 }), (text, width) => {
        expect(displayWidth(text)).toBe(stringWidth(text));
        const cut = truncate(text, width);
        expect(displayWidth(cut)).toBeLessThanOrEqual(width);
        const kept = cut === text ? text : cut.slice(0, -1);
        expect(text.startsWith(kept) && boundaries(text).has(kept.length)).toBe(true);
      }),
    );
  });

  it('cuts to a width with an ellipsis, never splitting a wide character over the edge', () => {
    expect(truncate('connection refused', 10)).toBe('connectio…');
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('服务服务', 4)).toBe('服…');
    expect(displayWidth(truncate('服务服务', 4))).toBeLessThanOrEqual(4);
    expect(truncate('anything', 0)).toBe('');
  });

  it('keeps colour codes when cutting coloured text, and resets the colour after the cut', () => {
    const cut = truncate('\u001b[32mHEALTHY and more\u001b[0m', 8);
    expect(stripAnsi(cut)).toBe('HEALTHY…');
    expect(cut.endsWith('\u001b[0m')).toBe(true);
  });

  it('pads to an exact width, left or right', () => {
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('ab', 4, 'right')).toBe('  ab');
    expect(fit('✅', 3)).toBe('✅ ');
  });

  it('turns a multi-line message into one line without control characters', () => {
    expect(singleLine('a\n  b\r\nc\u0007')).toBe('a ⏎ b ⏎ c');
  });

  it('lays out a table in aligned columns', () => {
    expect(formatTable([{ header: 'NAME' }, { header: 'N', align: 'right' }], [['steady', '1'], ['服务', '10']])).toEqual([
      'NAME     N',
      'steady   1',
      '服务    10',
    ]);
  });
});

describe('wrapping', () => {
  it('breaks at spaces, and inside a word only when the word is longer than a line', () => {
    expect(wrap('connection lost: the server exited', 16)).toEqual(['connection lost:', 'the server', 'exited']);
    expect(wrap('spawn /a/very/long/path ENOENT', 8)).toEqual(['spawn', '/a/very/', 'long/pat', 'h ENOENT']);
    expect(wrap('服务服务服务', 5)).toEqual(['服务', '服务', '服务']);
    expect(wrap('', 10)).toEqual(['']);
  });

  it('fits every line and loses no character, whatever the text and the width', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'b', ' ', '服', 'é', '/', '👩‍💻', '🇩🇪') }), fc.integer({ min: 2, max: 40 }), (text, width) => {
        const lines = wrap(text, width);
        for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
        expect(lines.join('').replace(/ /g, '')).toBe(text.replace(/ /g, ''));
      }),
    );
  });
});

describe('counted nouns', () => {
  it('puts the noun in the plural unless the count is 1', () => {
    expect(plural(1, 'service')).toBe('1 service');
    expect(plural(0, 'service')).toBe('0 services');
    expect(plural(3, 'retry', 'retries')).toBe('3 retries');
    expect(plural(1, 'retry', 'retries')).toBe('1 retry');
  });
});

describe('times', () => {
  it('writes spans compactly', () => {
    expect(formatSpan(0)).toBe('0ms');
    expect(formatSpan(850)).toBe('850ms');
    expect(formatSpan(4_250)).toBe('4.2s');
    expect(formatSpan(42_000)).toBe('42s');
    expect(formatSpan(185_000)).toBe('3m05s');
    expect(formatSpan(2 * 3_600_000 + 3 * 60_000)).toBe('2h03m');
    expect(formatSpan(4 * 86_400_000 + 3_600_000)).toBe('4d01h');
    expect(formatSpan(-5)).toBe('0ms');
  });

  it('writes response times in ms below a second, in seconds above', () => {
    expect(formatResponseTime(2.4)).toBe('2 ms');
    expect(formatResponseTime(2104)).toBe('2.10 s');
  });

  it('writes offsets from t+0 with a fixed width and millisecond precision', () => {
    expect(formatOffset(0)).toBe('t+00:00:00.000');
    expect(formatOffset(25_599)).toBe('t+00:00:25.599');
    expect(formatOffset(-1_000)).toBe('t-00:00:01.000');
    expect(formatOffset(3 * 3_600_000 + 61_001)).toBe('t+03:01:01.001');
    expect(formatOffset(86_400_000 + 7_200_000)).toBe('t+1d02:00:00.000');
  });

  it('writes wall-clock times as local HH:MM:SS.mmm', () => {
    const at = new Date(2025, 0, 15, 9, 5, 7, 42).getTime();
    expect(formatClockTime(at)).toBe('09:05:07.042');
  });
});
