// The last lines a server wrote to stderr, kept for diagnosis (why did it exit on start?). Memory is
// bounded: a fixed number of lines, each cut to a fixed length.

const MAX_LINE_LENGTH = 1000;

export class StderrTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly maxLines = 20) {}

  append(chunk: string): void {
    const pieces = (this.partial + chunk).split(/\r?\n/);
    // The last piece has no newline yet; keep it (bounded) until the rest arrives.
    this.partial = (pieces.pop() ?? '').slice(0, MAX_LINE_LENGTH);
    for (const line of pieces) this.push(line);
  }

  /** The kept lines, oldest first, including an unfinished last line. */
  snapshot(): string[] {
    const lines = this.partial ? [...this.lines, this.partial] : [...this.lines];
    return lines.slice(-this.maxLines);
  }

  private push(line: string): void {
    if (line.trim() === '') return;
    this.lines.push(line.slice(0, MAX_LINE_LENGTH));
    if (this.lines.length > this.maxLines) this.lines.shift();
  }
}
