// Credits Usage drawn with uPlot: a bar per bucket stacked by product (each layer drawn from zero to
// its top, the top layer first, so the ones below cover it up to their own tops) and, when the range
// had refunds, a narrower bar of refunds beside it. No edges: a day's bar is a few pixels wide on a
// phone, and an edge would take most of it.

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { PRODUCT_NAMES, type Product } from '../products';
import { layerColour, type StackedUsage } from './usage-series';

const HEIGHT_PX = 240;
const AXIS = '#4b5563';
const GRID = '#e5e7eb';

interface BarsProps {
  starts: number[];
  products: Product[];
  stacked: StackedUsage;
  withRefunds: boolean;
  label: (ms: number) => string;
  description: string;
}

export function UsageBars({ starts, products, stacked, withRefunds, label, description }: BarsProps) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const plot = new uPlot(
      options(element, { starts, products, withRefunds, label }),
      [starts.map((_, i) => i), ...[...stacked.tops].reverse(), ...(withRefunds ? [stacked.refunds] : [])],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: HEIGHT_PX }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [starts, products, stacked, withRefunds, label]);
  return <div ref={container} className="chart" role="img" aria-label={description} />;
}

function options(
  element: HTMLElement,
  { starts, products, withRefunds, label }: Omit<BarsProps, 'stacked' | 'description'>,
): uPlot.Options {
  // Side by side when there are refunds to show (usage ending at its day, refunds starting there);
  // otherwise the usage bar sits on its day.
  const usageBars = uPlot.paths.bars!({ size: withRefunds ? [0.6, 32] : [0.7, 48], align: withRefunds ? -1 : 0 });
  const bar = (name: string, colour: string, paths: uPlot.Series.PathBuilder): uPlot.Series => ({
    label: name,
    fill: colour,
    stroke: colour,
    width: 0,
    paths,
    points: { show: false },
  });
  return {
    width: element.clientWidth,
    height: HEIGHT_PX,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    // Half a bucket of room at each end, so the first and last bars are drawn whole.
    scales: { x: { time: false, range: [-0.5, starts.length - 0.5] } },
    axes: [
      {
        values: (_u, ticks) =>
          ticks.map((t) => (Number.isInteger(t) && starts[t] !== undefined ? label(starts[t]!) : '')),
        stroke: AXIS,
        grid: { show: false },
      },
      { values: (_u, ticks) => ticks.map((t) => `$${t}`), stroke: AXIS, grid: { stroke: GRID } },
    ],
    series: [
      {},
      ...[...products].reverse().map((p) => bar(PRODUCT_NAMES[p], layerColour(element, p), usageBars)),
      ...(withRefunds
        ? [bar('Refunds', layerColour(element, 'refunds'), uPlot.paths.bars!({ size: [0.3, 16], align: 1 }))]
        : []),
    ],
  };
}
