// The service statechart as the server laid it out (dagre, from the machine's definition), drawn as
// boxes and arrows, with the service's current state highlighted.

import type { StatechartLayout } from '../wire.js';

export function StatechartView({ layout, current }: { layout: StatechartLayout; current: string }) {
  return (
    <svg
      class="statechart"
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      role="img"
      aria-label={`Service statechart, current state ${current}`}
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#5a5f66" />
        </marker>
      </defs>
      {layout.edges.map((edge) => (
        <polyline
          key={`${edge.from}-${edge.to}`}
          class={edge.from === current ? 'edge edge-out' : 'edge'}
          points={edge.points.map(({ x, y }) => `${x},${y}`).join(' ')}
          marker-end="url(#arrow)"
        >
          <title>{`${edge.from} → ${edge.to}${edge.causes.length > 0 ? `: ${edge.causes.join(', ')}` : ''}`}</title>
        </polyline>
      ))}
      {layout.nodes.map((node) =>
        node.id.startsWith('[') ? (
          <circle key={node.id} cx={node.x + node.width / 2} cy={node.y + node.height / 2} r={node.width / 2} class={node.id === '[end]' ? 'pseudo end' : 'pseudo'} />
        ) : (
          <g key={node.id} class={node.id === current ? 'state current' : 'state'} data-state={node.id} aria-current={node.id === current ? 'true' : undefined}>
            <rect x={node.x} y={node.y} width={node.width} height={node.height} rx="8" />
            <text x={node.x + node.width / 2} y={node.y + node.height / 2} dominant-baseline="central" text-anchor="middle">
              {node.id}
            </text>
          </g>
        ),
      )}
    </svg>
  );
}
