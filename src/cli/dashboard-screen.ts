// Puts the dashboard on a terminal: redraws in place (cursor home, each line cleared to its end, the
// rest of the screen cleared) whenever something changed, at most `maxRedrawsPerSecond`, plus a slow
// tick that refreshes relative times. Never clears the screen on a poll: no flicker, no scroll spam.

/** The terminal side: process.stdout, or a test double. */
export interface Terminal {
  write(text: string): unknown;
  readonly columns?: number;
  readonly rows?: number;
}

export interface ScreenOptions {
  /** Draws a frame for the terminal's current size. */
  render(size: { width: number; height: number | undefined }): string;
  maxRedrawsPerSecond?: number;
  /** Period of the refresh of relative times ("in state 12s") when nothing else changed. */
  tickMs?: number;
}

const ESC = '\u001b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_SCREEN = `${ESC}2J`;
const HOME = `${ESC}H`;
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_SCREEN_END = `${ESC}J`;
const FALLBACK_WIDTH = 80;

export class DashboardScreen {
  private readonly minIntervalMs: number;
  private readonly tickMs: number;
  private lastDraw = -Infinity;
  private pending: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private active = false;
  /** The frame on screen, so an unchanged one is not written again. */
  private shown: string | null = null;

  constructor(
    private readonly terminal: Terminal,
    private readonly options: ScreenOptions,
  ) {
    this.minIntervalMs = 1000 / (options.maxRedrawsPerSecond ?? 10);
    this.tickMs = options.tickMs ?? 1000;
  }

  /** Takes over the screen: hides the cursor, clears once, draws, and starts the tick. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.terminal.write(HIDE_CURSOR + CLEAR_SCREEN);
    this.shown = null;
    this.draw();
    this.ticker = setInterval(() => this.invalidate(), this.tickMs);
  }

  /** Something changed: redraw now, or as soon as the redraw budget allows. */
  invalidate(): void {
    if (!this.active || this.pending) return;
    const wait = this.lastDraw + this.minIntervalMs - Date.now();
    if (wait <= 0) this.draw();
    else this.pending = setTimeout(() => this.draw(), wait);
  }

  /** After a resize the old frame may have wrapped: clear it all once. */
  resized(): void {
    if (!this.active) return;
    this.terminal.write(CLEAR_SCREEN);
    this.shown = null;
    this.draw();
  }

  /** Draws the last frame, leaves it on screen with the cursor below it, and gives the terminal back. */
  stop(): void {
    if (!this.active) return;
    this.draw();
    this.active = false;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.terminal.write(SHOW_CURSOR);
  }

  private draw(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    this.lastDraw = Date.now();
    const width = this.terminal.columns || FALLBACK_WIDTH;
    const height = this.terminal.rows || undefined;
    let lines = this.options.render({ width, height }).replace(/\n$/, '').split('\n');
    // A frame taller than the screen would scroll, and cursor-home could no longer reach its top.
    if (height !== undefined && lines.length > height - 1) lines = lines.slice(0, Math.max(1, height - 1));
    const frame = `${HOME}${lines.map((line) => line + CLEAR_LINE_END).join('\n')}\n${CLEAR_SCREEN_END}`;
    if (frame === this.shown) return;
    this.shown = frame;
    this.terminal.write(frame);
  }
}
