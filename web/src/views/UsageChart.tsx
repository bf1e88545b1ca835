// Credits Usage: usage by product and refunds per UTC day (the last 30 days) or month (the last
// 12), from /credits/usage?groupBy=product: a stacked bar chart (UsageBars) with a legend of the
// products, and the same figures as a table (UsageTable).

import { useCallback, useMemo, useState } from 'react';
import { DAY_MS } from '../../../core/time.js';
import { type Usage, useUsage } from '../api/queries';
import { Amount, Empty, ErrorState, Loading } from '../components/ui';
import { formatUsd, isZero } from '../money';
import { PRODUCT_NAMES, type Product } from '../products';
import { UsageBars } from './UsageBars';
import { UsageTable } from './UsageTable';
import { productsUsed, stackUsage, usageOf } from './usage-series';

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
  const products = useMemo(() => productsUsed(data), [data]);
  const stacked = useMemo(() => stackUsage(data, starts, products), [data, starts, products]);
  if (data.buckets.length === 0)
    return <Empty>No usage in this period. Charges for deployments and their refunds show up here.</Empty>;
  const withRefunds = !isZero(data.total.refunds);
  const names = products.map((p) => PRODUCT_NAMES[p]).join(', ');
  return (
    <>
      <p className="small">
        Used <Amount value={data.total.usage} />, refunded <Amount value={data.total.refunds} />, net{' '}
        <Amount value={data.total.net} /> {granularity === 'day' ? 'in the last 30 days' : 'in the last 12 months'}{' '}
        (UTC).
      </p>
      <Legend data={data} products={products} withRefunds={withRefunds} />
      <UsageBars
        starts={starts}
        products={products}
        stacked={stacked}
        withRefunds={withRefunds}
        label={label}
        description={
          `Bar chart of credits used per ${granularity}, stacked by product (${names})` +
          `${withRefunds ? ', with refunds beside' : ''}; the table below has the same figures`
        }
      />
      <details>
        <summary>Show as a table</summary>
        <UsageTable data={data} granularity={granularity} label={label} />
      </details>
    </>
  );
}

/** What each colour is: the products that used credit in the range, with what each used, and refunds. */
function Legend({ data, products, withRefunds }: { data: Usage; products: Product[]; withRefunds: boolean }) {
  return (
    <ul className="legend" aria-label="Usage by product">
      {products.map((p) => (
        <li key={p}>
          <span className={`swatch swatch-${p}`} aria-hidden="true" />
          {PRODUCT_NAMES[p]} <span className="muted">{formatUsd(usageOf(data.total, p))}</span>
        </li>
      ))}
      {withRefunds ? (
        <li>
          <span className="swatch swatch-refunds" aria-hidden="true" />
          Refunds <span className="muted">{formatUsd(data.total.refunds)}</span>
        </li>
      ) : null}
    </ul>
  );
}
