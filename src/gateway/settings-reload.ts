// Hot reload of the `gateway:` section: what a running gateway takes live (names, `expose`, mode,
// `call_wait`) and what waits for a restart (who may connect over HTTP: the token and the allowed
// origins, checked by a handler built once at start).

import { isDeepStrictEqual } from 'node:util';
import type { GatewayConfig } from '../config/gateway-section.js';
import type { Gateway } from './gateway.js';

const LIVE = { namespace: 'namespace', separator: 'separator', expose: 'expose', mode: 'mode', callWait: 'call_wait' } as const;
const AT_RESTART = { authToken: 'auth_token', allowedOrigins: 'allowed_origins' } as const;

export interface GatewaySettingsReload {
  /** The settings now in effect: the live ones from the edit, the others as they were. */
  running: GatewayConfig;
  /** The `gateway.<key>` names applied live. */
  applied: string[];
  /** The `gateway.<key>` names changed in the file that apply only at the next start. */
  needRestart: string[];
}

/** Applies `next` to `gateway` (running with `running`) as far as it can change live. */
export function reloadGatewaySettings(gateway: Gateway, running: GatewayConfig, next: GatewayConfig): GatewaySettingsReload {
  const changed = <K extends keyof GatewayConfig>(keys: Record<K, string>) =>
    (Object.keys(keys) as K[]).filter((key) => !isDeepStrictEqual(running[key], next[key]));
  const live = changed(LIVE);
  const later = changed(AT_RESTART);
  const result: GatewayConfig = { ...next, authToken: running.authToken, allowedOrigins: running.allowedOrigins };
  if (live.length > 0) {
    gateway.reconfigure({
      ...(result.namespace === null ? {} : { namespace: result.namespace }),
      separator: result.separator,
      callWait: result.callWait,
      mode: result.mode,
      expose: result.expose,
    });
  }
  return { running: result, applied: live.map((key) => `gateway.${LIVE[key]}`), needRestart: later.map((key) => `gateway.${AT_RESTART[key]}`) };
}
