// Credits Usage as a table, for screen readers and for anyone who would rather read numbers: the
// figures the chart draws, a row for each product in each bucket (what it used, what was refunded,
// net), and the range's total. On a phone each row becomes a card, like every table here.

import type { Usage } from '../api/queries';
import { formatUsd, isZero } from '../money';
import { PRODUCT_NAMES, PRODUCTS } from '../products';

type Figures = Usage['total'];

interface UsageTableProps {
  data: Usage;
  granularity: 'day' | 'month';
  label: (ms: number) => string;
}

const COLUMNS = ['Product', 'Usage', 'Refunds', 'Net'] as const;

export function UsageTable({ data, granularity, label }: UsageTableProps) {
  const period = granularity === 'day' ? 'Day' : 'Month';
  return (
    <div className="table-wrap">
      <table className="stack">
        <caption className="visually-hidden">Usage, refunds and net by product, per {granularity}</caption>
        <thead>
          <tr>
            {[period, ...COLUMNS].map((name) => (
              <th key={name} scope="col" className={name === 'Product' || name === period ? undefined : 'amount'}>
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.buckets.flatMap((bucket) =>
            PRODUCTS.filter((p) => bucket.byProduct?.[p]).map((p) => (
              <Row
                key={`${bucket.start}-${p}`}
                period={[period, label(Date.parse(bucket.start))]}
                product={PRODUCT_NAMES[p]}
                figures={bucket.byProduct![p]!}
              />
            )),
          )}
        </tbody>
        <tfoot>
          <Row period={[period, 'Total']} product="All products" figures={data.total} />
        </tfoot>
      </table>
    </div>
  );
}

function Row({ period, product, figures }: { period: [string, string]; product: string; figures: Figures }) {
  return (
    <tr>
      <th scope="row" data-label={period[0]}>
        {period[1]}
      </th>
      <td data-label="Product">{product}</td>
      <td data-label="Usage" className="amount">
        {formatUsd(figures.usage)}
      </td>
      <td data-label="Refunds" className="amount">
        {isZero(figures.refunds) ? '—' : formatUsd(figures.refunds)}
      </td>
      <td data-label="Net" className="amount">
        {formatUsd(figures.net)}
      </td>
    </tr>
  );
}
