// Splits a stdio server's output into lines at the cost of what arrives, whatever the server does. A
// line longer than the limit is skipped as it streams, keeping only its first and last bytes, so a
// server that never ends a line costs no more than reading it (the SDK's buffer re-copies itself on
// every chunk, which stalls the event loop for seconds on a 10 MB line).

const NEWLINE = 0x0a;
/** Bytes kept from each end of an over-long line: enough to find a JSON-RPC response's `id`. */
const EDGE_BYTES = 512;

/** A line that went over the limit: its size, and its first and last bytes. */
export interface OversizedLine {
  bytes: number;
  head: string;
  tail: string;
}

export interface LineSink {
  line(text: string): void;
  oversized(line: OversizedLine): void;
}

interface Skipped {
  bytes: number;
  head: Buffer;
  tail: Buffer;
}

export class LineBuffer {
  private pieces: Buffer[] = [];
  private length = 0;
  private skipped: Skipped | null = null;

  constructor(readonly maxLineBytes: number) {}

  /** Feeds one chunk of output; `sink` hears of every line it completes. */
  push(chunk: Buffer, sink: LineSink): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      this.take(chunk.subarray(start, newline === -1 ? chunk.length : newline));
      if (newline === -1) return;
      this.endLine(sink);
      start = newline + 1;
    }
  }

  /** Forgets a partial line (the server is gone). */
  clear(): void {
    this.pieces = [];
    this.length = 0;
    this.skipped = null;
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.skipped) {
      this.skipped.bytes += piece.length;
      this.skipped.tail = lastBytes(Buffer.concat([this.skipped.tail, lastBytes(piece, EDGE_BYTES)]), EDGE_BYTES);
      return;
    }
    if (this.length + piece.length <= this.maxLineBytes) {
      this.pieces.push(piece);
      this.length += piece.length;
      return;
    }
    const parts = [...this.pieces, piece];
    this.skipped = {
      bytes: this.length + piece.length,
      head: firstBytes(parts, EDGE_BYTES),
      tail: lastBytes(Buffer.concat(parts.slice(-2).map((part) => lastBytes(part, EDGE_BYTES))), EDGE_BYTES),
    };
    this.pieces = [];
    this.length = 0;
  }

  private endLine(sink: LineSink): void {
    const skipped = this.skipped;
    if (skipped) {
      this.skipped = null;
      sink.oversized({ bytes: skipped.bytes, head: skipped.head.toString('utf8'), tail: skipped.tail.toString('utf8') });
      return;
    }
    const text = Buffer.concat(this.pieces, this.length).toString('utf8');
    this.pieces = [];
    this.length = 0;
    sink.line(text.endsWith('\r') ? text.slice(0, -1) : text);
  }
}

function firstBytes(parts: readonly Buffer[], count: number): Buffer {
  const taken: Buffer[] = [];
  let length = 0;
  for (const part of parts) {
    if (length >= count) break;
    taken.push(part.subarray(0, count - length));
    length += taken.at(-1)?.length ?? 0;
  }
  return Buffer.concat(taken, length);
}

function lastBytes(buffer: Buffer, count: number): Buffer {
  return buffer.length <= count ? buffer : buffer.subarray(buffer.length - count);
}
