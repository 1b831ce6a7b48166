// The dashboard's terminal writer: redraws in place on change, at most 10 times a second, refreshes
// relative times on a slow tick, and gives the terminal back (cursor shown, last frame kept).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DashboardScreen, type Terminal } from '../../src/cli/dashboard-screen.js';

const HOME = '\u001b[H';
const CLEAR_LINE_END = '\u001b[K';
const CLEAR_SCREEN_END = '\u001b[J';

class FakeTerminal implements Terminal {
  readonly writes: string[] = [];
  constructor(
    public columns = 80,
    public rows = 24,
  ) {}
  write(text: string) {
    this.writes.push(text);
    return true;
  }
  /** The frames drawn (each write that starts at cursor home). */
  get frames() {
    return this.writes.filter((text) => text.startsWith(HOME));
  }
}

describe('DashboardScreen', () => {
  let frame = 0;
  const render = vi.fn(({ width }: { width: number; height: number | undefined }) => `frame ${++frame} at width ${width}\nsecond line\n`);

  beforeEach(() => {
    vi.useFakeTimers();
    frame = 0;
    render.mockClear();
  });
  afterEach(() => vi.useRealTimers());

  it('clears the screen once, then redraws in place: cursor home, each line cleared to its end, the rest cleared', () => {
    const terminal = new FakeTerminal();
    const screen = new DashboardScreen(terminal, { render });
    screen.start();
    expect(terminal.writes[0]).toBe('\u001b[?25l\u001b[2J');
    expect(terminal.frames).toEqual([`${HOME}frame 1 at width 80${CLEAR_LINE_END}\nsecond line${CLEAR_LINE_END}\n${CLEAR_SCREEN_END}`]);
    screen.stop();
  });

  it('redraws on change, at most 10 times a second, and always shows the latest state', () => {
    const terminal = new FakeTerminal();
    const screen = new DashboardScreen(terminal, { render });
    screen.start();
    for (let i = 0; i < 50; i++) screen.invalidate(); // a burst of changes
    expect(terminal.frames).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(terminal.frames).toHaveLength(2); // the burst is drawn once, as soon as the budget allows
    for (let ms = 0; ms < 1000; ms += 5) {
      screen.invalidate();
      vi.advanceTimersByTime(5);
    }
    expect(terminal.frames.length).toBeLessThanOrEqual(2 + 10 + 1);
    expect(terminal.frames.length).toBeGreaterThanOrEqual(2 + 9);
    screen.stop();
  });

  it('does not redraw when nothing changed, except on the 1 s tick that refreshes relative times', () => {
    const terminal = new FakeTerminal();
    const screen = new DashboardScreen(terminal, { render });
    screen.start();
    vi.advanceTimersByTime(999);
    expect(terminal.frames).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(terminal.frames).toHaveLength(2);
    vi.advanceTimersByTime(3000);
    expect(terminal.frames).toHaveLength(5);
    screen.stop();
  });

  it('does not write a frame identical to the one on screen', () => {
    const terminal = new FakeTerminal();
    const screen = new DashboardScreen(terminal, { render: () => 'the same\n' });
    screen.start();
    vi.advanceTimersByTime(5000);
    screen.invalidate();
    vi.advanceTimersByTime(100);
    expect(terminal.frames).toHaveLength(1);
    screen.resized(); // a cleared screen gets the frame again
    expect(terminal.frames).toHaveLength(2);
    screen.stop();
  });

  it('renders for the terminal’s current size, and clears everything once after a resize', () => {
    const terminal = new FakeTerminal(100, 30);
    const screen = new DashboardScreen(terminal, { render });
    screen.start();
    expect(render).toHaveBeenLastCalledWith({ width: 100, height: 30 });
    terminal.columns = 50;
    screen.resized();
    expect(terminal.writes.at(-2)).toBe('\u001b[2J');
    expect(render).toHaveBeenLastCalledWith({ width: 50, height: 30 });
    screen.stop();
  });

  it('never draws more lines than the screen has (a taller frame would scroll out of reach)', () => {
    const terminal = new FakeTerminal(80, 5);
    const screen = new DashboardScreen(terminal, { render: () => 'a\nb\nc\nd\ne\nf\ng\n' });
    screen.start();
    expect(terminal.frames[0]?.split('\n')).toHaveLength(5); // 4 lines + the final clear
    screen.stop();
  });

  it('on stop draws the last frame, shows the cursor, and stops ticking', () => {
    const terminal = new FakeTerminal();
    const screen = new DashboardScreen(terminal, { render });
    screen.start();
    screen.stop();
    expect(terminal.frames).toHaveLength(2);
    expect(terminal.writes.at(-1)).toBe('\u001b[?25h');
    screen.invalidate();
    vi.advanceTimersByTime(5000);
    expect(terminal.frames).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
