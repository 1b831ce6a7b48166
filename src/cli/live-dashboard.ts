// The run command's terminal view: keeps what the dashboard shows (the latest snapshots, the tallies
// since start, recent transitions, notices) and redraws it through a DashboardScreen whenever any of
// it changes.

import type { Subscription } from 'rxjs';
import type { ServiceTallies } from '../observe/service-tallies.js';
import { collectFleetMetrics } from '../supervisor/fleet-metrics.js';
import type { ServiceSnapshot } from '../supervisor/service-snapshot.js';
import type { Transition } from '../supervisor/transition.js';
import { renderDashboard } from './dashboard.js';
import { DashboardScreen, type Terminal } from './dashboard-screen.js';

const RECENT_KEPT = 20;
const NOTICES_KEPT = 4;

export class LiveDashboard {
  private services: ReadonlyMap<string, ServiceSnapshot> = new Map();
  private readonly recent: Transition[] = [];
  /** Shown until the end: the inspector URL and the like. */
  private readonly pinned: string[] = [];
  private notices: string[] = [];
  private hint = '';
  private readonly screen: DashboardScreen;
  private readonly tallied: Subscription | null;

  constructor(
    terminal: Terminal,
    private readonly options: { source: string; color: boolean; now?: () => number; tallies?: Pick<ServiceTallies, 'all' | 'changes$'> },
  ) {
    const { tallies } = options;
    this.screen = new DashboardScreen(terminal, {
      render: ({ width, height }) =>
        renderDashboard({
          services: this.services.values(),
          metrics: collectFleetMetrics(this.services.values()),
          tallies: tallies ? new Map(tallies.all().map((tally) => [tally.service, tally])) : undefined,
          now: (this.options.now ?? Date.now)(),
          width,
          height,
          recent: this.recent,
          notices: [...this.pinned, ...this.notices],
          source: this.options.source,
          hint: this.hint,
          color: this.options.color,
        }),
    });
    this.tallied = tallies?.changes$.subscribe(() => this.screen.invalidate()) ?? null;
  }

  start(): void {
    this.screen.start();
  }

  showServices(services: ReadonlyMap<string, ServiceSnapshot>): void {
    this.services = services;
    this.screen.invalidate();
  }

  showTransition(transition: Transition): void {
    this.recent.push(transition);
    if (this.recent.length > RECENT_KEPT) this.recent.shift();
    this.screen.invalidate();
  }

  /** A message for the bottom of the screen; `pin` keeps it there, others scroll out. */
  notice(text: string, options: { pin?: boolean } = {}): void {
    const lines = text.split('\n');
    if (options.pin) this.pinned.push(...lines);
    else this.notices = [...this.notices, ...lines].slice(-NOTICES_KEPT);
    this.screen.invalidate();
  }

  /** The bottom line: what the user can do now. */
  setHint(text: string): void {
    this.hint = text;
    this.screen.invalidate();
  }

  resized(): void {
    this.screen.resized();
  }

  /** Draws the last frame and leaves it on screen. */
  stop(): void {
    this.tallied?.unsubscribe();
    this.screen.stop();
  }
}
