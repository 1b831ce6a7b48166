import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineBuffer, type OversizedLine } from '../../src/actors/line-buffer.js';

function collect(buffer: LineBuffer, chunks: (string | Buffer)[]) {
  const lines: string[] = [];
  const oversized: OversizedLine[] = [];
  for (const chunk of chunks) {
    buffer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, { line: (text) => lines.push(text), oversized: (line) => oversized.push(line) });
  }
  return { lines, oversized };
}

/** Bytes Buffer.concat copies while `run` runs. */
function bytesCopied(run: () => void): number {
  const concat = Buffer.concat.bind(Buffer);
  let copied = 0;
  const spy = vi.spyOn(Buffer, 'concat').mockImplementation((list, length) => {
    const result = concat(list, length);
    copied += result.length;
    return result;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return copied;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('LineBuffer', () => {
  it('splits lines across and within chunks, dropping a trailing carriage return', () => {
    const { lines } = collect(new LineBuffer(1024), ['{"a":1}\n{"b"', ':2}\r\n', '\n{"c":3}\n{"d"']);
    expect(lines).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
  });

  it('keeps multi-byte characters split across chunks whole', () => {
    const bytes = Buffer.from('"héllo ✓"\n');
    const { lines } = collect(new LineBuffer(1024), [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)]);
    expect(lines).toEqual(['"héllo ✓"']);
  });

  it('skips a line over the limit, reporting its size with its first and last bytes, and reads the next one', () => {
    const long = `{"result":{"text":"${'x'.repeat(5_000)}"},"jsonrpc":"2.0","id":7}`;
    const chunks = long.match(/[\s\S]{1,700}/g) ?? [];
    const { lines, oversized } = collect(new LineBuffer(1_000), ['{"ok":1}\n', ...chunks, '\n{"ok":2}\n']);
    expect(lines).toEqual(['{"ok":1}', '{"ok":2}']);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]?.bytes).toBe(long.length);
    expect(oversized[0]?.head.startsWith('{"result":{"text":"xxx')).toBe(true);
    expect(oversized[0]?.tail.endsWith('"jsonrpc":"2.0","id":7}')).toBe(true);
  });

  it('reads a line that never ends at a cost linear in what arrives (the SDK buffer re-copies itself per chunk)', () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunks = 160; // 10 MiB
    const limit = 10 * 1024 * 1024;
    const ours = new LineBuffer(limit);
    const oursCopied = bytesCopied(() => {
      for (let index = 0; index < chunks; index += 1) ours.push(chunk, { line: () => undefined, oversized: () => undefined });
    });
    const sdk = new ReadBuffer();
    const sdkCopied = bytesCopied(() => {
      for (let index = 0; index < chunks; index += 1) sdk.append(chunk);
    });
    const received = chunk.length * chunks;
    expect(oursCopied).toBeLessThanOrEqual(received);
    expect(sdkCopied).toBeGreaterThan(50 * received);
  });
});
