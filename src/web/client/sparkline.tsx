// A row's recent response times as a small uPlot line (no axes, no legend).

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data = (): uPlot.AlignedData => [values.map((_, index) => index), [...values]];

  useEffect(() => {
    if (host.current === null) return;
    plot.current = new uPlot(
      {
        width: 96,
        height: 24,
        pxAlign: false,
        cursor: { show: false },
        legend: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        scales: { x: { time: false }, y: { range: (_u, min, max) => [0, Math.max(max, min + 1)] } },
        axes: [{ show: false }, { show: false }],
        series: [{}, { stroke: '#1d5fa8', width: 1.5, points: { show: false } }],
      },
      data(),
      host.current,
    );
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => plot.current?.setData(data()), [values]);

  const last = values[values.length - 1];
  return <div class="sparkline" ref={host} role="img" aria-label={values.length === 0 ? `${label}: no response times yet` : `${label}: last ${values.length} response times, latest ${last === undefined ? '?' : Math.round(last)} ms`} />;
}
