// The CLI's text primitives: terminal cell widths, cutting and padding, and how times are written.

import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/cli/table.js';
import { displayWidth, fit, singleLine, stripAnsi, truncate } from '../../src/cli/text-width.js';
import { formatClockTime, formatOffset, formatResponseTime, formatSpan } from '../../src/cli/time-format.js';

describe('terminal width', () => {
  it('counts emoji and East Asian wide characters as two cells, marks and colour codes as none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('✅🔄❌🟡💤⏳🔧')).toBe(14);
    expect(displayWidth('服务')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('\u001b[32mok\u001b[0m')).toBe(2);
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
