// XState 5.33 cancels a stopping actor's delayed events by walking every delayed event of the whole
// actor system (`system.scheduler.cancelAll`). Health checks stop no actor any more (one connection
// actor lives as long as the service is available), but every connect, tools refresh and stop still
// runs a promise actor that stops when it settles: without this index, bringing 10,000 services up
// costs 2.5× the CPU (bench/RESULTS.md, "scheduler with and without the index"). This indexes the
// system's delayed events by their source actor, making `cancelAll` O(that actor's own events).
// Installed on the supervisor's system before it starts; XState's `schedule`/`cancel` still do the work
// and keep its snapshot of scheduled events (the ground truth) exactly as before.

import type { AnyActorRef } from 'xstate';

type ActorSystem = AnyActorRef['system'];

const INSTALLED = Symbol('mcp-supervisor.schedulerIndex');

/** Whether `system`'s scheduler has the index (the supervisor installs it on its own system). */
export function isSchedulerIndexed(system: ActorSystem): boolean {
  return (system.scheduler as ActorSystem['scheduler'] & { [INSTALLED]?: true })[INSTALLED] === true;
}

export function indexSchedulerBySource(system: ActorSystem): void {
  const scheduler = system.scheduler as ActorSystem['scheduler'] & { [INSTALLED]?: true };
  if (scheduler[INSTALLED]) return;
  const schedule = scheduler.schedule.bind(scheduler);
  // Ids of events that have fired stay until their actor stops: cancelling them then is a no-op, and
  // delayed transitions reuse their ids, so each actor's set stays as small as its chart.
  const bySource = new Map<AnyActorRef, Set<string>>();
  const remember = (source: AnyActorRef, id: string) => {
    let ids = bySource.get(source);
    if (!ids) bySource.set(source, (ids = new Set()));
    ids.add(id);
  };
  for (const event of Object.values(system.getSnapshot()._scheduledEvents)) remember(event.source, event.id);

  scheduler.schedule = (source, target, event, delay, id = Math.random().toString(36).slice(2)) => {
    schedule(source, target, event, delay, id);
    remember(source, id);
  };
  scheduler.cancelAll = (actorRef) => {
    const ids = bySource.get(actorRef);
    bySource.delete(actorRef);
    for (const id of ids ?? []) scheduler.cancel(actorRef, id);
  };
  scheduler[INSTALLED] = true;
}
