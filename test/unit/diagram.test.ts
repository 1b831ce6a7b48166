// The lifecycle diagram is derived from the statechart: it must show every edge of MCPStore's
// lifecycle diagram and the edges the lifecycle table adds, and nothing the chart cannot do.

import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { PSEUDO_STATE, toDiagramJson, toMermaid } from '../../src/machines/diagram.js';
import { serviceMachine } from '../../src/machines/service.machine.js';

const mermaid = toMermaid(serviceMachine);
const diagram = toDiagramJson(serviceMachine);

/** The Mermaid line of an edge, with or without a label. */
const arrow = (from: string, to: string) =>
  new RegExp(`^ {4}${from.replace(/[[\]*]/g, '\\$&')} --> ${to.replace(/[[\]*]/g, '\\$&')}(: .*)?$`, 'm');
const causesOf = (from: string, to: string) => diagram.edges.find((edge) => edge.from === from && edge.to === to)?.causes;

/** Every arrow of the diagram in `reference/mcpstore-service-lifecycle.zh.md`. */
const MCPSTORE_EDGES: readonly (readonly [string, string])[] = [
  ['[*]', 'INITIALIZING'],
  ['INITIALIZING', 'HEALTHY'],
  ['INITIALIZING', 'RECONNECTING'],
  ['HEALTHY', 'WARNING'],
  ['HEALTHY', 'RECONNECTING'],
  ['HEALTHY', 'DISCONNECTING'],
  ['WARNING', 'HEALTHY'],
  ['WARNING', 'RECONNECTING'],
  ['RECONNECTING', 'HEALTHY'],
  ['RECONNECTING', 'UNREACHABLE'],
  ['UNREACHABLE', 'RECONNECTING'],
  ['UNREACHABLE', 'DISCONNECTED'],
  ['DISCONNECTING', 'DISCONNECTED'],
  ['DISCONNECTED', '[*]'],
  ['DISCONNECTED', 'INITIALIZING'],
];

const ACTIVE_STATES = ['INITIALIZING', 'HEALTHY', 'WARNING', 'RECONNECTING', 'UNREACHABLE'] as const;

describe('lifecycle diagram', () => {
  it('is a Mermaid stateDiagram-v2', () => {
    expect(mermaid.startsWith('stateDiagram-v2\n')).toBe(true);
  });

  it.each(MCPSTORE_EDGES)("draws MCPStore's lifecycle edge %s --> %s", (from, to) => {
    expect(mermaid).toMatch(arrow(from, to));
  });

  it.each(ACTIVE_STATES)('draws %s --> DISCONNECTING on STOP (any state but DISCONNECTED)', (from) => {
    expect(mermaid).toMatch(arrow(from, 'DISCONNECTING'));
    expect(causesOf(from, 'DISCONNECTING')).toContain('STOP');
  });

  it('draws DISCONNECTING --> DISCONNECTED when the close finishes or disconnect_timeout elapses', () => {
    expect(causesOf('DISCONNECTING', 'DISCONNECTED')).toEqual(
      expect.arrayContaining(['disconnect done', 'disconnect error', 'disconnectTimeout']),
    );
  });

  it('draws DISCONNECTING --> INITIALIZING when a RESTART was requested', () => {
    expect(mermaid).toMatch(arrow('DISCONNECTING', 'INITIALIZING'));
    expect(causesOf('DISCONNECTING', 'INITIALIZING')).toEqual(['restartRequested']);
    for (const from of ACTIVE_STATES) expect(causesOf(from, 'DISCONNECTING')).toContain('RESTART');
  });

  it('draws RECONNECTING --> RECONNECTING: the next attempt after the backoff, or at once on RECONNECT_NOW', () => {
    expect(causesOf('RECONNECTING', 'RECONNECTING')).toEqual(expect.arrayContaining(['reconnectBackoff', 'RECONNECT_NOW']));
  });

  it('draws no other self-edge (health-check loops and tools refreshes stay inside their state)', () => {
    expect(diagram.edges.filter((edge) => edge.from === edge.to).map((edge) => edge.from)).toEqual(['RECONNECTING']);
  });

  it('labels each edge with what causes it: events, guards, actor results and delays', () => {
    expect(causesOf('INITIALIZING', 'HEALTHY')).toEqual(['connect done']);
    expect(causesOf('INITIALIZING', 'RECONNECTING')).toEqual(expect.arrayContaining(['connect error', 'connectTimeout']));
    expect(causesOf('HEALTHY', 'WARNING')).toEqual(['reachedWarningThreshold']);
    expect(causesOf('HEALTHY', 'RECONNECTING')).toEqual(
      expect.arrayContaining(['reachedReconnectingThreshold', 'CONNECTION_LOST']),
    );
    expect(causesOf('WARNING', 'HEALTHY')).toEqual(['reachedRecoveryThreshold']);
    expect(causesOf('RECONNECTING', 'UNREACHABLE')).toEqual(['reconnectAttemptsExhausted']);
    expect(causesOf('UNREACHABLE', 'RECONNECTING')).toEqual(expect.arrayContaining(['unreachableBackoff', 'RECONNECT_NOW']));
    expect(causesOf('UNREACHABLE', 'DISCONNECTED')).toEqual(['unreachableRetriesExhausted']);
    expect(causesOf('DISCONNECTED', 'INITIALIZING')).toEqual(['RESTART']);
    expect(causesOf('DISCONNECTED', PSEUDO_STATE)).toEqual(['REMOVE']);
    expect(mermaid).toContain('    INITIALIZING --> RECONNECTING: connect error, connectTimeout\n');
  });

  it('draws only the edges the chart has: every Mermaid arrow is one JSON edge, each pair once', () => {
    const arrows = mermaid.split('\n').filter((line) => line.includes(' --> '));
    expect(arrows).toHaveLength(diagram.edges.length);
    const pairs = diagram.edges.map((edge) => `${edge.from}->${edge.to}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    for (const edge of diagram.edges) expect(mermaid).toMatch(arrow(edge.from, edge.to));
  });

  it('lists the seven lifecycle states; the final REMOVED is drawn as [*]', () => {
    expect(diagram.states).toEqual([
      'INITIALIZING',
      'HEALTHY',
      'WARNING',
      'RECONNECTING',
      'UNREACHABLE',
      'DISCONNECTING',
      'DISCONNECTED',
    ]);
    expect(mermaid).not.toContain('REMOVED');
  });
});

describe('toDiagramJson on any machine', () => {
  it('resolves nested and root transitions to top-level edges, with numeric delays and final states', () => {
    const machine = createMachine({
      id: 'm',
      initial: 'idle',
      on: { RESET: '.idle' },
      states: {
        idle: { on: { GO: 'busy' }, after: { 500: 'done' } },
        busy: {
          initial: 'first',
          states: {
            first: { on: { NEXT: 'second' } },
            second: { on: { AGAIN: 'first', FINISH: '#m.done' } },
          },
        },
        lonely: {},
        done: { type: 'final' },
      },
    });
    expect(toDiagramJson(machine)).toEqual({
      states: ['idle', 'busy', 'lonely'],
      edges: [
        { from: '[*]', to: 'idle', causes: [] },
        { from: 'idle', to: 'busy', causes: ['GO'] },
        { from: 'idle', to: '[*]', causes: ['after 500 ms'] },
        { from: 'busy', to: 'idle', causes: ['RESET'] },
        { from: 'busy', to: 'busy', causes: ['AGAIN'] },
        { from: 'busy', to: '[*]', causes: ['FINISH'] },
        { from: 'lonely', to: 'idle', causes: ['RESET'] },
      ],
    });
    expect(toMermaid(machine)).toBe(
      [
        'stateDiagram-v2',
        '    [*] --> idle',
        '    idle --> busy: GO',
        '    idle --> [*]: after 500 ms',
        '    busy --> idle: RESET',
        '    busy --> busy: AGAIN',
        '    busy --> [*]: FINISH',
        '    lonely --> idle: RESET',
        '',
      ].join('\n'),
    );
  });

  it('still lists a state no transition reaches', () => {
    const machine = createMachine({ initial: 'a', states: { a: { on: { GO: 'b' } }, b: {}, orphan: {} } });
    expect(toMermaid(machine)).toBe(['stateDiagram-v2', '    orphan', '    [*] --> a', '    a --> b: GO', ''].join('\n'));
  });
});
