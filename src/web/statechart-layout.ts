// The service statechart laid out for the dashboard: states and arrows from the machine's own definition
// (`toDiagramJson`), placed by dagre here in Node, once, so the page only draws boxes and polylines.

import dagre from '@dagrejs/dagre';
import { PSEUDO_STATE, toDiagramJson } from '../machines/diagram.js';
import { serviceMachine } from '../machines/service.machine.js';
import type { StatechartLayout } from './wire.js';

// dagre's declarations reach graphlib's through a path the type-aware lint cannot resolve, so dagre is
// typed here by the part of it this file uses.
interface LayoutGraph {
  setGraph(label: { rankdir: string; nodesep: number; ranksep: number; marginx: number; marginy: number }): void;
  setDefaultEdgeLabel(label: () => object): void;
  setNode(name: string, label: { width: number; height: number }): void;
  hasNode(name: string): boolean;
  setEdge(from: string, to: string): void;
  nodes(): string[];
  node(name: string): { x: number; y: number; width: number; height: number };
  edge(from: string, to: string): { points?: { x: number; y: number }[] } | undefined;
  graph(): { width?: number; height?: number };
}

const { graphlib, layout } = dagre as unknown as {
  graphlib: { Graph: new (options: { multigraph: boolean }) => LayoutGraph };
  layout: (graph: LayoutGraph) => void;
};

const MARGIN = 8;
const START = '[start]';
const END = '[end]';

let cached: StatechartLayout | null = null;

/** The layout of the service machine (computed at the first call). */
export function serviceStatechart(): StatechartLayout {
  cached ??= layOut(toDiagramJson(serviceMachine));
  return cached;
}

function layOut(diagram: ReturnType<typeof toDiagramJson>): StatechartLayout {
  const graph = new graphlib.Graph({ multigraph: false });
  graph.setGraph({ rankdir: 'TB', nodesep: 36, ranksep: 56, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  // The pseudo-state `[*]` is two points on the drawing: where the chart starts, and where it ends.
  const id = (state: string, end: boolean) => (state === PSEUDO_STATE ? (end ? END : START) : state);
  for (const state of diagram.states) graph.setNode(state, { width: Math.max(96, state.length * 9 + 24), height: 34 });
  for (const edge of diagram.edges) {
    for (const [state, end] of [[edge.from, false], [edge.to, true]] as const) {
      const node = id(state, end);
      if (!graph.hasNode(node)) graph.setNode(node, { width: 14, height: 14 });
    }
    graph.setEdge(id(edge.from, false), id(edge.to, true));
  }
  layout(graph);
  const nodes = graph.nodes().map((name) => {
    const node = graph.node(name);
    return { id: name, x: node.x - node.width / 2, y: node.y - node.height / 2, width: node.width, height: node.height };
  });
  const edges = diagram.edges.map((edge) => ({
    from: id(edge.from, false),
    to: id(edge.to, true),
    causes: edge.causes,
    points: (graph.edge(id(edge.from, false), id(edge.to, true))?.points ?? []).map(({ x, y }) => ({ x, y })),
  }));
  // Edges routed around the graph may leave dagre's box: the drawing is the box around everything.
  const xs = [...nodes.flatMap((node) => [node.x, node.x + node.width]), ...edges.flatMap((edge) => edge.points.map((point) => point.x))];
  const ys = [...nodes.flatMap((node) => [node.y, node.y + node.height]), ...edges.flatMap((edge) => edge.points.map((point) => point.y))];
  const left = Math.min(...xs) - MARGIN;
  const top = Math.min(...ys) - MARGIN;
  const shift = <T extends { x: number; y: number }>(point: T): T => ({ ...point, x: point.x - left, y: point.y - top });
  return {
    width: Math.ceil(Math.max(...xs) - left + MARGIN),
    height: Math.ceil(Math.max(...ys) - top + MARGIN),
    nodes: nodes.map(shift),
    edges: edges.map((edge) => ({ ...edge, points: edge.points.map(shift) })),
  };
}
