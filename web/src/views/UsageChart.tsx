// Credits Usage: usage and refunds per UTC day (the last 30 days) or month (the last 12), from
// /credits/usage, drawn with uPlot; the same figures as a table for screen readers and for anyone
// who would rather read numbers.

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { DAY_MS } from '../../../core/time.js';
import { type Usage, useUsage } from '../api/queries';
import { Amount, Empty, ErrorState, Loading } from '../components/ui';
import { chartValue, formatUsd, isZero } from '../money';

const COLOURS = { usage: '#3730a3', refunds: '#059669' };

type Granularity = 'day' | 'month';

/** The range a granularity shows, ending today (UTC), and the start of every bucket in it. */
function rangeOf(granularity: Granularity, nowMs: number): { from: string; to: string; starts: number[] } {
  const today = Date.UTC(new Date(nowMs).getUTCFullYear(), new Date(nowMs).getUTCMonth(), new Date(nowMs).getUTCDate());
  if (granularity === 'day') {
    const starts = Array.from({ length: 30 }, (_, i) => today - (29 - i) * DAY_MS);
    return { from: new Date(starts[0]!).toISOString(), to: new Date(today + DAY_MS - 1).toISOString(), starts };
  }
  const now = new Date(today);
  const starts = Array.from({ length: 12 }, (_, i) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11 + i, 1));
  return { from: new Date(starts[0]!).toISOString(), to: new Date(today + DAY_MS - 1).toISOString(), starts };
}

export function UsageChart() {
  const [granularity, setGranularity] = useState<Granularity>('day');
  // The range is fixed when the card opens, so the query key does not change every render.
  const range = useMemo(() => rangeOf(granularity, Date.now()), [granularity]);
  const usage = useUsage(granularity, range.from, range.to);
  return (
    <section className="card" aria-labelledby="credits-usage">
      <div className="card-head">
        <h2 id="credits-usage">Credits Usage</h2>
        <div role="group" aria-label="Show usage per" className="actions">
          {(['day', 'month'] as const).map((g) => (
            <button
              key={g}
              type="button"
              className="btn btn-small"
              aria-pressed={granularity === g}
              onClick={() => setGranularity(g)}
            >
              {g === 'day' ? 'Daily' : 'Monthly'}
            </button>
          ))}
        </div>
      </div>
      {usage.isPending ? <Loading label="Loading usage…" /> : null}
      {usage.isError ? <ErrorState error={usage.error} retry={() => void usage.refetch()} /> : null}
      {usage.data ? <UsageFigures data={usage.data} starts={range.starts} granularity={granularity} /> : null}
    </section>
  );
}

function UsageFigures({ data, starts, granularity }: { data: Usage; starts: number[]; granularity: Granularity }) {
  const label = useCallback(
    (ms: number) =>
      new Date(ms).toLocaleDateString(
        undefined,
        granularity === 'day'
          ? { month: 'short', day: 'numeric', timeZone: 'UTC' }
          : { month: 'short', year: 'numeric', timeZone: 'UTC' },
      ),
    [granularity],
  );
  const series = useMemo(() => {
    const byStart = new Map(data.buckets.map((b) => [Date.parse(b.start), b]));
    return {
      usage: starts.map((s) => chartValue(byStart.get(s)?.usage ?? '0')),
      refunds: starts.map((s) => chartValue(byStart.get(s)?.refunds ?? '0')),
    };
  }, [data, starts]);
  if (data.buckets.length === 0)
    return <Empty>No usage in this period. Charges for deployments and their refunds show up here.</Empty>;
  return (
    <>
      <p className="small">
        Used <Amount value={data.total.usage} />, refunded <Amount value={data.total.refunds} />, net{' '}
        <Amount value={data.total.net} /> {granularity === 'day' ? 'in the last 30 days' : 'in the last 12 months'}{' '}
        (UTC).
      </p>
      <div className="legend" aria-hidden="true">
        <span>
          <span className="swatch swatch-usage" />
          Usage
        </span>
        <span>
          <span className="swatch swatch-refunds" />
          Refunds
        </span>
      </div>
      <Bars starts={starts} usage={series.usage} refunds={series.refunds} label={label} />
      <details>
        <summary>Show as a table</summary>
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Usage and refunds per {granularity}</caption>
            <thead>
              <tr>
                <th scope="col">{granularity === 'day' ? 'Day' : 'Month'}</th>
                <th scope="col" className="amount">
                  Usage
                </th>
                <th scope="col" className="amount">
                  Refunds
                </th>
                <th scope="col" className="amount">
                  Net
                </th>
              </tr>
            </thead>
            <tbody>
              {data.buckets.map((b) => (
                <tr key={b.start}>
                  <td>{label(Date.parse(b.start))}</td>
                  <td className="amount">{formatUsd(b.usage)}</td>
                  <td className="amount">{isZero(b.refunds) ? '—' : formatUsd(b.refunds)}</td>
                  <td className="amount">{formatUsd(b.net)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

function Bars({
  starts,
  usage,
  refunds,
  label,
}: {
  starts: number[];
  usage: number[];
  refunds: number[];
  label: (ms: number) => string;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const bars = uPlot.paths.bars!({ size: [0.7, 48], align: 0 });
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: 240,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // Half a bucket of room at each end, so the first and last bars are drawn whole.
        scales: { x: { time: false, range: [-0.5, starts.length - 0.5] } },
        axes: [
          {
            values: (_u, ticks) =>
              ticks.map((t) => (Number.isInteger(t) && starts[t] !== undefined ? label(starts[t]!) : '')),
            stroke: '#4b5563',
            grid: { show: false },
          },
          { values: (_u, ticks) => ticks.map((t) => `$${t}`), stroke: '#4b5563', grid: { stroke: '#e5e7eb' } },
        ],
        series: [
          {},
          {
            label: 'Usage',
            fill: COLOURS.usage,
            stroke: COLOURS.usage,
            width: 0,
            paths: bars,
            points: { show: false },
          },
          {
            label: 'Refunds',
            fill: COLOURS.refunds,
            stroke: COLOURS.refunds,
            width: 0,
            paths: uPlot.paths.bars!({ size: [0.35, 24], align: 1 }),
            points: { show: false },
          },
        ],
      },
      [starts.map((_, i) => i), usage, refunds],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 240 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [starts, usage, refunds, label]);
  return (
    <div
      ref={container}
      className="chart"
      role="img"
      aria-label="Bar chart of credits used and refunded per period; the table below has the same figures"
    />
  );
}
