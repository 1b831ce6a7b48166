// The page's requests to the dashboard's API, each with the kept token.

import type { ActionName, ActionOutcome } from '../wire.js';
import { authHeaders } from './token.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path, { headers: { Accept: 'application/json', ...authHeaders() }, cache: 'no-store' });
  const body = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, body.error ?? `the supervisor answered ${response.status}`);
  return body as T;
}

/** Runs an action; a refusal or a failure is an outcome too (ok: false), never a thrown error. */
export async function postAction(service: string, action: ActionName): Promise<ActionOutcome> {
  try {
    const response = await fetch(`/api/services/${encodeURIComponent(service)}/${action}`, { method: 'POST', headers: authHeaders() });
    const body = (await response.json().catch(() => ({}))) as Partial<ActionOutcome> & { error?: string };
    return { ok: response.ok && body.ok === true, message: body.message ?? body.error ?? `the supervisor answered ${response.status}` };
  } catch {
    return { ok: false, message: `${action} ${service}: the supervisor did not answer` };
  }
}
