// Waiting for one service to reach a condition (`waitForService`, `checkHealth`): settled by the
// service's next matching snapshot, its removal, the supervisor stopping, a timeout on the supervisor's
// clock, or the caller's signal — whichever comes first, with nothing left behind.

import { abortReason } from '../actors/abort-reason.js';
import { ServiceNotFoundError, SupervisorStoppedError } from './errors.js';
import type { FleetStreams } from './fleet-streams.js';
import type { ServiceSnapshot } from './service-snapshot.js';
import type { SupervisorClock } from './supervisor-clock.js';

export interface WaitBounds {
  timeoutMs: number;
  signal?: AbortSignal;
  /** What did not happen in time, for the service as it is when the wait runs out. */
  onTimeout: (snapshot: ServiceSnapshot) => Error;
}

/** Resolves with the service's snapshot once `done` holds (at once if it already does). */
export function waitForSnapshot(
  streams: FleetStreams,
  clock: SupervisorClock,
  key: string,
  done: (snapshot: ServiceSnapshot) => boolean,
  { timeoutMs, signal, onTimeout }: WaitBounds,
): Promise<ServiceSnapshot> {
  return new Promise((resolve, reject) => {
    let finished = false;
    let unwatch = (): void => undefined;
    const finish = (settle: () => void) => {
      if (finished) return;
      finished = true;
      unwatch();
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    const check = () => {
      const snapshot = streams.get(key);
      if (!snapshot) finish(() => reject(new ServiceNotFoundError(key)));
      else if (done(snapshot)) finish(() => resolve(snapshot));
    };
    const onAbort = () => finish(() => reject(abortReason(signal)));
    const timer = clock.setTimeout(() => {
      const snapshot = streams.get(key);
      finish(() => reject(snapshot ? onTimeout(snapshot) : new ServiceNotFoundError(key)));
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    unwatch = streams.watch(key, {
      changed: check,
      ended: () => finish(() => reject(new SupervisorStoppedError(`wait for service '${key}'`))),
    });
    if (finished) unwatch();
    else if (signal?.aborted) onAbort();
    else check();
  });
}
