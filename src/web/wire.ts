// What the dashboard's server sends the page: one row per service, the transitions, the statechart's
// layout and the outcome of an action. Plain JSON types, shared by the server and the page's code.

/** One service as the fleet table shows it. */
export interface ServiceRow {
  key: string;
  name: string;
  agent: string | null;
  state: string;
  available: boolean;
  priority: string;
  /** When it entered its state (epoch ms). */
  stateSince: number;
  consecutiveFailures: number;
  /** Failed health checks and connect attempts since the supervisor started (they survive recoveries and restarts). */
  totalFailures: number;
  /** Reconnect attempts since the supervisor started. */
  reconnects: number;
  /** Times its actor crashed. */
  crashes: number;
  /** How often its server process was restarted. */
  processRestarts: number;
  /** Time available over time known, %; null before any time passed. */
  availability: number | null;
  /** The last failure, loss or crash. */
  lastIncident: { at: number; kind: string; message: string } | null;
  /** The recent response times, ms, oldest first (the sparkline). */
  recentResponseTimes: number[];
  /** Response time of the last successful probe, ms. */
  responseTime: number | null;
  /** When the last health check finished (epoch ms). */
  lastHealthCheck: number | null;
  healthTier: string | null;
  /** When the next reconnect attempt is due (epoch ms). */
  nextRetry: number | null;
  /** The last failure (secrets redacted). */
  error: string | null;
  toolCount: number;
}

/** One lifecycle transition. */
export interface TransitionRow {
  service: string;
  from: string | null;
  to: string;
  at: number;
  cause: string;
  reason: string;
}

/** One message of the live stream (`GET /api/events`, text/event-stream, one JSON per `data:`). */
export type StreamMessage =
  | {
      type: 'fleet';
      /** Every service, in the order they were added. */
      rows: ServiceRow[];
      /** The recent transitions, oldest first. */
      transitions: TransitionRow[];
      /** No token is configured: actions are refused. */
      readOnly: boolean;
      /** The server's clock, to show times in state against. */
      now: number;
    }
  | { type: 'changes'; rows: ServiceRow[]; removed: string[]; transitions: TransitionRow[]; now: number };

/** The statechart laid out: boxes and polylines in one coordinate space (px). */
export interface StatechartLayout {
  width: number;
  height: number;
  nodes: { id: string; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; causes: string[]; points: { x: number; y: number }[] }[];
}

/** The actions of the dashboard, as `POST /api/services/<key>/<action>`. */
export const ACTIONS = ['check', 'reconnect', 'restart', 'stop', 'start'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** What an action answered. */
export interface ActionOutcome {
  ok: boolean;
  message: string;
}
