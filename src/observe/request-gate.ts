// Who may use the operators' listener: a bearer token on every path but `/healthz` when one is set
// (compared in constant time), and, on a loopback listener, only requests addressed to loopback from
// a loopback page, so no web site the operator visits can read it (DNS rebinding, cross-site fetches).
// A page may also call the listener that served it (its Origin is the Host it addressed): the dashboard.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isLoopbackHost } from '../config/listen-address.js';

export interface GateSettings {
  /** The bearer token; null for none. */
  token: string | null;
  /** The listener is bound to loopback: Host and Origin must be loopback too. */
  loopback: boolean;
}

export interface Refusal {
  status: 401 | 403 | 421;
  message: string;
}

/** Why `request` is refused (null: let it through). `needsToken` is false for `/healthz`. */
export function refusal(request: IncomingMessage, settings: GateSettings, needsToken: boolean): Refusal | null {
  if (settings.loopback) {
    const host = hostnameOf(request.headers.host);
    if (host !== null && !isLoopbackHost(host)) {
      return { status: 421, message: 'this listener answers requests addressed to this machine only (Host must be localhost or a loopback address)' };
    }
  }
  const origin = request.headers.origin;
  // Same-origin is safe even after a DNS rebinding: the rebound page holds no token, and none is sent for it.
  if (origin !== undefined && !isLoopbackOrigin(origin) && !isOriginOf(origin, request.headers.host)) {
    return { status: 403, message: 'requests from web pages of other sites are refused' };
  }
  if (needsToken && settings.token !== null && !bearerMatches(request.headers.authorization, settings.token)) {
    return { status: 401, message: 'a valid token is required: send "Authorization: Bearer <token>"' };
  }
  return null;
}

/** Equal tokens, compared in time that does not depend on where they differ (digests have one length). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected) && match !== null;
}

function hostnameOf(host: string | undefined): string | null {
  if (host === undefined || host === '') return null;
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return host;
  }
}

function isOriginOf(origin: string, host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).hostname);
  } catch {
    return false;
  }
}
