// An operators' listen address, `HOST:PORT` as users write it (`127.0.0.1:9464`, `[::1]:0`,
// `localhost:9464`, or a port alone for loopback), and whether it stays on this machine.

import { isIP } from 'node:net';

export interface ListenAddress {
  /** A hostname or an IP address (IPv6 without brackets). */
  host: string;
  /** 0 picks a free port. */
  port: number;
}

export type ListenAddressResult = { ok: true; address: ListenAddress } | { ok: false; message: string };

const HINT = 'expected HOST:PORT, e.g. 127.0.0.1:9464 ([::1]:9464 for IPv6; port 0 picks a free one)';

/** The loopback host a port alone binds to. */
export const DEFAULT_LISTEN_HOST = '127.0.0.1';

export function parseListenAddress(text: string): ListenAddressResult {
  const value = text.trim();
  const portOnly = /^\d{1,5}$/.test(value);
  const match = portOnly ? null : /^(?:\[([^\]]*)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(value);
  if (!portOnly && !match) return { ok: false, message: `${HINT}, got "${text}"` };
  const bracketed = match?.[1];
  const host = bracketed ?? (match?.[2] || DEFAULT_LISTEN_HOST);
  const port = Number(portOnly ? value : match?.[3]);
  if (port > 65_535) return { ok: false, message: `the port must be from 0 to 65535, got ${port}` };
  if (bracketed !== undefined && isIP(bracketed) !== 6) return { ok: false, message: `[${bracketed}] is not an IPv6 address` };
  return { ok: true, address: { host, port } };
}

/** Whether connections to `host` can only come from this machine. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name);
  return false;
}

/** `host:port`, with brackets around an IPv6 host. */
export function formatListenAddress({ host, port }: ListenAddress): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
