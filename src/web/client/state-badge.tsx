// A lifecycle state as a badge: its name in words (never colour alone), coloured by its family.

export const STATE_ORDER = ['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE', 'DISCONNECTING', 'DISCONNECTED'] as const;

/** The badge colours, also used by the charts (readable on white: contrast ≥ 4.5:1 for the text). */
export const STATE_COLOURS: Record<string, string> = {
  INITIALIZING: '#1d5fa8',
  HEALTHY: '#1a7431',
  WARNING: '#8a5a00',
  RECONNECTING: '#b3420f',
  UNREACHABLE: '#b3141d',
  DISCONNECTING: '#5a5f66',
  DISCONNECTED: '#4a4f55',
  REMOVED: '#4a4f55',
};

export function StateBadge({ state }: { state: string }) {
  return (
    <span class="badge" data-state={state} style={{ background: STATE_COLOURS[state] ?? '#4a4f55' }}>
      {state}
    </span>
  );
}
