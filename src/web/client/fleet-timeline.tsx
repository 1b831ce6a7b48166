// Every service's transitions on one time axis (uPlot): one row per service, one coloured point per
// transition by the state entered, so failures that happen together line up vertically.

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TransitionRow } from '../wire.js';
import { STATE_COLOURS, STATE_ORDER } from './state-badge.js';

const PLOTTED = [...STATE_ORDER, 'REMOVED'] as const;

export function FleetTimeline({ transitions, services }: { transitions: readonly TransitionRow[]; services: readonly string[] }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const keys = useRef<string[]>([]);

  const data = (): uPlot.AlignedData => {
    const order = [...services, ...new Set(transitions.map((transition) => transition.service).filter((key) => !services.includes(key)))];
    keys.current = order;
    const index = new Map(order.map((key, position) => [key, position]));
    const sorted = [...transitions].sort((a, b) => a.at - b.at);
    const xs = sorted.map((transition) => transition.at / 1000);
    const series = PLOTTED.map((state) => sorted.map((transition) => (transition.to === state ? (index.get(transition.service) ?? null) : null)));
    return [xs, ...series];
  };

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const height = () => Math.min(600, 80 + Math.max(services.length, 3) * 22);
    plot.current = new uPlot(
      {
        width: element.clientWidth,
        height: height(),
        scales: { y: { range: () => [-0.5, Math.max(keys.current.length, 1) - 0.5] } },
        axes: [
          {},
          {
            size: 140,
            splits: () => keys.current.map((_, position) => position),
            values: (_u, splits) => splits.map((split) => keys.current[split] ?? ''),
          },
        ],
        series: [
          { label: 'time' },
          ...PLOTTED.map((state) => ({ label: state, stroke: STATE_COLOURS[state], paths: () => null, points: { show: true, size: 9, fill: STATE_COLOURS[state] } })),
        ],
      },
      data(),
      element,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height: height() }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [services.length]);

  useEffect(() => plot.current?.setData(data()), [transitions, services]);

  return (
    <section aria-label="Fleet timeline">
      <h2>Fleet timeline</h2>
      <p class="hint">Each point is a service entering a state; points stacked at one time are failures that happened together.</p>
      <div class="timeline" ref={host} />
    </section>
  );
}
