// The lifecycle diagram, derived from a machine's definition rather than drawn by hand, so the picture
// can never drift from the chart. `toDiagramJson` is the one derivation; `toMermaid` renders it.

import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';

/** The diagram's pseudo-state: where the chart starts, and what a final state (the actor's end) becomes. */
export const PSEUDO_STATE = '[*]';

/**
 * A transition as the diagram reads it. XState types the event type of a machine whose events it does
 * not know (`AnyStateMachine`) as `any`; it is always a string.
 */
type Transition = Omit<AnyTransitionDefinition, 'eventType'> & { eventType: string };

/** One arrow between top-level states, with every cause that can take it (events, guards, delays). */
export interface DiagramEdge {
  /** The state the arrow leaves (`[*]` for the start). */
  from: string;
  /** The state the arrow enters (`[*]` for the end). */
  to: string;
  /** What can take the arrow: event types, guard names and delay names. */
  causes: string[];
}

/** The lifecycle diagram as data: what `mcp-supervisor diagram --format json` prints. */
export interface DiagramJson {
  /** The machine's top-level states in document order (final states are drawn as `[*]`). */
  states: string[];
  /** One arrow per pair of states, start first and end last. */
  edges: DiagramEdge[];
}

/**
 * The chart seen from its top level: each transition of any state node, nested ones included, becomes
 * an edge between the top-level states that hold its source and its target; edges are collapsed to one
 * per (from, to) pair. A transition that stays inside one top-level state is drawn only when it starts
 * that state over (re-enters its initial sub-state, e.g. RECONNECTING's next attempt after the backoff).
 */
export function toDiagramJson(machine: AnyStateMachine): DiagramJson {
  const root = machine.root;
  const tops = Object.values(root.states);
  const name = (top: AnyStateNode) => (top.type === 'final' ? PSEUDO_STATE : top.key);
  const states = tops.filter((top) => top.type !== 'final').map((top) => top.key);

  const edges = new Map<string, DiagramEdge>();
  const add = (from: string, to: string, causes: readonly string[]) => {
    const key = `${from}\u0000${to}`;
    const edge = edges.get(key) ?? { from, to, causes: [] };
    edges.set(key, edge);
    for (const cause of causes) if (!edge.causes.includes(cause)) edge.causes.push(cause);
  };

  for (const target of root.initial?.target ?? []) {
    const top = topLevelOf(target);
    if (top) add(PSEUDO_STATE, name(top), []);
  }
  for (const node of [root, ...descendantsOf(root)]) {
    for (const transition of transitionsOf(node)) {
      // A transition declared on the root leaves from every running state that does not handle its
      // event itself (DISCONNECTING and DISCONNECTED override STOP and RESTART).
      const sources =
        node === root
          ? tops.filter((top) => top.type !== 'final' && !handles(top, transition.eventType))
          : [topLevelOf(node)];
      for (const target of transition.target ?? []) {
        const to = topLevelOf(target);
        for (const from of sources) {
          if (!from || !to) continue;
          if (from === to && !startsOver(transition, target, to)) continue;
          add(name(from), name(to), causesOf(transition, from));
        }
      }
    }
  }

  const order = (state: string, end: number) => (state === PSEUDO_STATE ? end : states.indexOf(state));
  const sorted = [...edges.values()].sort(
    (a, b) => order(a.from, -1) - order(b.from, -1) || order(a.to, states.length) - order(b.to, states.length),
  );
  return { states, edges: sorted };
}

/** The chart as a Mermaid `stateDiagram-v2`, one labelled arrow per edge of `toDiagramJson`. */
export function toMermaid(machine: AnyStateMachine): string {
  const { states, edges } = toDiagramJson(machine);
  const connected = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const lines = [
    'stateDiagram-v2',
    ...states.filter((state) => !connected.has(state)).map((state) => `    ${state}`),
    ...edges.map((edge) => `    ${edge.from} --> ${edge.to}${edge.causes.length > 0 ? `: ${edge.causes.join(', ')}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

function descendantsOf(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states).flatMap((child) => [child, ...descendantsOf(child)]);
}

/** `top` or a state inside it has a transition of its own for `eventType`. */
function handles(top: AnyStateNode, eventType: string): boolean {
  return [top, ...descendantsOf(top)].some((node) => node.transitions.has(eventType));
}

/** The top-level state holding `node` (itself when it is one); undefined for the root. */
function topLevelOf(node: AnyStateNode): AnyStateNode | undefined {
  let current: AnyStateNode = node;
  while (current.parent && current.parent.parent) current = current.parent;
  return current.parent ? current : undefined;
}

/** Every transition of one node: `on`, `after`, invoke `onDone`/`onError` (all in `transitions`), `always`. */
function transitionsOf(node: AnyStateNode): Transition[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])];
}

/** A transition inside `top` starts it over when it re-enters `top` or `top`'s initial sub-state. */
function startsOver(transition: Transition, target: AnyStateNode, top: AnyStateNode): boolean {
  if (target === top) return transition.reenter;
  return target.parent === top && (top.initial?.target ?? []).includes(target);
}

/**
 * Why a transition is taken: its guard when it has one (the threshold is the interesting part), else
 * its event. An unguarded eventless transition fires because its source was just entered, so it
 * inherits the causes of the transitions (within the same top-level state) that enter its source.
 */
function causesOf(transition: Transition, top: AnyStateNode, visited = new Set<AnyStateNode>()): string[] {
  const guard = guardName(transition.guard);
  if (guard) return [guard];
  if (transition.eventType !== '') return [eventLabel(transition)];
  const source = transition.source;
  if (visited.has(source)) return [];
  visited.add(source);
  return [top, ...descendantsOf(top)]
    .flatMap(transitionsOf)
    .filter((entering) => (entering.target ?? []).includes(source))
    .flatMap((entering) => causesOf(entering, top, visited));
}

function guardName(guard: Transition['guard']): string | undefined {
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name || 'guard';
  return guard.type;
}

/** `STOP` stays `STOP`; XState's internal events read as what happened: `connect done`, `reconnectBackoff`. */
function eventLabel(transition: Transition): string {
  const type = transition.eventType;
  const delay: unknown = (transition as { delay?: unknown }).delay;
  if (type.startsWith('xstate.after.')) return typeof delay === 'number' ? `after ${delay} ms` : String(delay);
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (actor) return `${actor[2]} ${actor[1]}`;
  if (type.startsWith('xstate.done.state.')) return `${transition.source.key} done`;
  return type;
}
