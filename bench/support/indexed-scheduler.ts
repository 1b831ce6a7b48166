// A what-if for the bench: XState's scheduler, with its `cancelAll` made O(own events) (src/ may index it too).
// XState 5 runs `system.scheduler.cancelAll(actor)` whenever any actor stops — including every promise
// actor the service chart invokes (each ping) — and it walks every delayed event of the whole actor
// system to find that actor's. With one system for the fleet that is O(N) per health check. Here the
// scheduler's events are also indexed by their source actor; `restore()` puts XState's own back.

import type { AnyActorRef } from 'xstate';

type AnyActorSystem = AnyActorRef['system'];

export function indexScheduler(system: AnyActorSystem): { restore(): void } {
  const scheduler = system.scheduler;
  const original = { schedule: scheduler.schedule, cancelAll: scheduler.cancelAll };
  // Ids of events that have fired stay until their actor stops (cancelling them then is a no-op).
  const bySource = new Map<AnyActorRef, Set<string>>();
  const remember = (source: AnyActorRef, id: string) => {
    let ids = bySource.get(source);
    if (!ids) bySource.set(source, (ids = new Set()));
    ids.add(id);
  };
  // XState's own ground truth; an event that has fired or been cancelled is gone from it.
  const scheduled = system.getSnapshot()._scheduledEvents;
  for (const event of Object.values(scheduled)) remember(event.source, event.id);

  scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
    original.schedule(source, target, event, delay, id);
    remember(source, id);
  };
  scheduler.cancelAll = (actorRef) => {
    const ids = bySource.get(actorRef);
    bySource.delete(actorRef);
    for (const id of ids ?? []) scheduler.cancel(actorRef, id);
  };
  return {
    restore() {
      scheduler.schedule = original.schedule;
      scheduler.cancelAll = original.cancelAll;
    },
  };
}

/** Whether the system's `cancelAll` is still XState's own, which walks every scheduled event. */
export function schedulerWalks(system: AnyActorSystem): boolean {
  return String(system.scheduler.cancelAll).includes('_scheduledEvents');
}
