// Rules across keys of a service's effective lifecycle settings, which may come from different layers
// (`defaults`, a profile, the service). A finding points at the most specific layer that set one of the
// keys involved, so a conflict made in `defaults` is reported once there, not once per service.

import type { LifecycleConfig } from '../machines/defaults.js';
import type { PathSegment } from './errors.js';
import { formatDuration } from './duration.js';
import { camelToSnake } from './keys.js';

export interface Layer {
  /** Where this layer's keys are written; a key's path is `[...path, snake_key]`. */
  path: readonly PathSegment[];
  /** For a layer with no source text (a built-in profile): where to point instead. */
  pointAt?: readonly PathSegment[];
  values: Partial<LifecycleConfig>;
}

export interface Finding {
  severity: 'error' | 'warning';
  path: PathSegment[];
  message: string;
  /** The finding is about the map key at `path` (a name), not its value. */
  atKey?: boolean;
}

type NumericKey = { [K in keyof LifecycleConfig]: LifecycleConfig[K] extends number ? K : never }[keyof LifecycleConfig];

interface OrderRule {
  lower: NumericKey;
  upper: NumericKey;
  /** `strict`: lower must be < upper; otherwise lower ≤ upper. */
  strict: boolean;
  severity: Finding['severity'];
  why: string;
}

const RULES: readonly OrderRule[] = [
  {
    lower: 'warningFailureThreshold',
    upper: 'reconnectingFailureThreshold',
    strict: true,
    severity: 'warning',
    why: 'a failing service goes from HEALTHY straight to RECONNECTING and never shows WARNING',
  },
  { lower: 'healthyThreshold', upper: 'warningThreshold', strict: false, severity: 'error', why: 'health tiers must be in order: healthy ≤ warning ≤ slow' },
  { lower: 'warningThreshold', upper: 'slowThreshold', strict: false, severity: 'error', why: 'health tiers must be in order: healthy ≤ warning ≤ slow' },
  { lower: 'reconnectBaseDelay', upper: 'reconnectMaxDelay', strict: false, severity: 'warning', why: 'every reconnect waits the maximum delay' },
  { lower: 'unreachableBaseDelay', upper: 'unreachableMaxDelay', strict: false, severity: 'warning', why: 'every long-cycle retry waits the maximum delay' },
];

const COUNTS: ReadonlySet<NumericKey> = new Set(['warningFailureThreshold', 'reconnectingFailureThreshold']);

/** Checks the effective settings; `fallback` is where to point when only built-in defaults are involved. */
export function checkLifecycle(
  effective: LifecycleConfig,
  layers: readonly Layer[],
  fallback: readonly PathSegment[],
): Finding[] {
  const findings: Finding[] = [];
  for (const rule of RULES) {
    const lower = effective[rule.lower];
    const upper = effective[rule.upper];
    if (rule.strict ? lower < upper : lower <= upper) continue;
    const show = (key: NumericKey, value: number) =>
      `\`${camelToSnake(key)}\` (${COUNTS.has(key) ? value : formatDuration(value)})`;
    const relation = rule.strict ? '≥' : '>';
    findings.push({
      severity: rule.severity,
      path: locate([rule.lower, rule.upper], layers, fallback),
      message: `${show(rule.lower, lower)} ${relation} ${show(rule.upper, upper)}: ${rule.why}`,
    });
  }
  return findings;
}

/** The path of the most specific layer that sets any of `keys`. */
function locate(keys: readonly NumericKey[], layers: readonly Layer[], fallback: readonly PathSegment[]): PathSegment[] {
  for (const layer of [...layers].reverse()) {
    const key = keys.find((candidate) => layer.values[candidate] !== undefined);
    if (key !== undefined) return [...(layer.pointAt ?? [...layer.path, camelToSnake(key)])];
  }
  return [...fallback];
}
