// The dashboard's actions on one service (check now, reconnect now, restart, stop, start) and their
// guard: with no token configured the dashboard is read-only, so an action is refused with a reason.
// (With a token, the listener has already required it before the request got here.)

import { McpSupervisorError } from '../mcp-supervisor-error.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { ACTIONS, type ActionName, type ActionOutcome } from './wire.js';

/** What the actions need of a supervisor. */
export type ActionTarget = Pick<Supervisor, 'checkHealth' | 'reconnect' | 'restartService' | 'stopService' | 'startService'>;

export const isAction = (name: string): name is ActionName => (ACTIONS as readonly string[]).includes(name);

/** The refusal of every action on a dashboard without a token. */
export const READ_ONLY_REFUSAL =
  'this dashboard is read-only: no token is configured. Set http.token in the config (or MCP_SUPERVISOR_HTTP_TOKEN) and restart the supervisor to enable actions';

/** Runs `action` on `service`; the status is the HTTP status to answer with. */
export async function runAction(target: ActionTarget, service: string, action: ActionName, readOnly: boolean): Promise<ActionOutcome & { status: number }> {
  if (readOnly) return { status: 403, ok: false, message: READ_ONLY_REFUSAL };
  try {
    switch (action) {
      case 'check': {
        const result = await target.checkHealth(service);
        return result.ok
          ? { status: 200, ok: true, message: `${service}: health check passed in ${result.responseTime === null ? '?' : Math.round(result.responseTime)} ms (${result.state})` }
          : { status: 200, ok: false, message: `${service}: health check failed (${result.state}): ${result.error ?? 'no answer'}` };
      }
      case 'reconnect':
        target.reconnect(service);
        return { status: 202, ok: true, message: `${service}: reconnect requested` };
      case 'restart':
        target.restartService(service);
        return { status: 202, ok: true, message: `${service}: restart requested` };
      case 'stop':
        target.stopService(service);
        return { status: 202, ok: true, message: `${service}: stop requested` };
      case 'start':
        return target.startService(service)
          ? { status: 202, ok: true, message: `${service}: start requested` }
          : { status: 409, ok: false, message: `${service} is not stopped: start applies to a DISCONNECTED service (use restart)` };
    }
  } catch (error) {
    if (!(error instanceof McpSupervisorError)) throw error;
    const status = error.code === 'SERVICE_NOT_FOUND' ? 404 : 409;
    return { status, ok: false, message: error.message };
  }
}
