// Transactions: every movement of credit, newest first (TransactionRow). Filters by category,
// product and date range (UTC days), pages with the API's cursor, and exports the filtered log as
// CSV, as the API writes it.

import { useState } from 'react';
import { CATEGORIES } from '../../../core/entry-types.js';
import { useCsvExport } from '../api/csv-export';
import { type Category, type TransactionFilters, useTransactions } from '../api/queries';
import { useAuth } from '../auth';
import { Alert, Empty, ErrorState, Loading, problemText } from '../components/ui';
import { PRODUCT_NAMES, PRODUCTS, type Product } from '../products';
import { TRANSACTION_COLUMNS, TransactionRow } from './TransactionRow';

interface Chosen {
  category: Category | '';
  product: Product | '';
  from: string;
  to: string;
}

const ALL: Chosen = { category: '', product: '', from: '', to: '' };

/** What the API is asked for: only the filters chosen, the end date as the end of that UTC day. */
function filtersOf({ category, product, from, to }: Chosen): TransactionFilters {
  return {
    ...(category ? { category } : {}),
    ...(product ? { product } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to: `${to}T23:59:59.999Z` } : {}),
  };
}

export function TransactionsCard() {
  const [chosen, setChosen] = useState(ALL);
  // The cursors of the pages seen so far: the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const filters = filtersOf(chosen);
  const page = useTransactions({ ...filters, ...(cursors.at(-1) ? { cursor: cursors.at(-1) } : {}) });
  const { client } = useAuth();
  const csv = useCsvExport(
    () => client.GET('/credits/transactions', { params: { query: { ...filters, format: 'csv' } }, parseAs: 'text' }),
    'io-credits-transactions.csv',
  );
  const choose = (change: Partial<Chosen>) => {
    setChosen({ ...chosen, ...change });
    setCursors([undefined]);
  };
  const filtered = Object.values(chosen).some(Boolean);

  return (
    <section className="card" aria-labelledby="transactions">
      <div className="card-head">
        <h2 id="transactions">Transactions</h2>
        <button type="button" className="btn btn-small" onClick={() => void csv.run()} disabled={csv.busy}>
          {csv.busy ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <Filters chosen={chosen} choose={choose} />
      {csv.error ? (
        <Alert tone="error" title="The export failed">
          {problemText(csv.error)}
        </Alert>
      ) : null}
      {page.isPending ? <Loading label="Loading transactions…" /> : null}
      {page.isError ? <ErrorState error={page.error} retry={() => void page.refetch()} /> : null}
      {page.data && page.data.items.length === 0 ? (
        <Empty>No transactions{filtered ? ' match these filters' : ' yet'}.</Empty>
      ) : null}
      {page.data && page.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="stack transactions" aria-describedby="transactions-page">
            <caption className="visually-hidden">Transactions, newest first</caption>
            <thead>
              <tr>
                {TRANSACTION_COLUMNS.map((name) => (
                  <th key={name} scope="col" className={name === 'Amount' ? 'amount' : undefined}>
                    {name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((tx) => (
                <TransactionRow key={tx.transactionId} tx={tx} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager
        number={cursors.length}
        newer={cursors.length === 1 || page.isFetching ? null : () => setCursors((c) => c.slice(0, -1))}
        older={
          !page.data?.nextCursor || page.isFetching ? null : () => setCursors((c) => [...c, page.data!.nextCursor!])
        }
      />
    </section>
  );
}

function Filters({ chosen, choose }: { chosen: Chosen; choose: (change: Partial<Chosen>) => void }) {
  return (
    <div className="form-row" role="group" aria-label="Filter transactions">
      <Choice
        id="tx-category"
        label="Category"
        value={chosen.category}
        options={[['', 'All categories'], ...CATEGORIES.map((c): [Category, string] => [c, c])]}
        onChange={(category) => choose({ category })}
      />
      <Choice
        id="tx-product"
        label="Product"
        value={chosen.product}
        options={[['', 'All products'], ...PRODUCTS.map((p): [Product, string] => [p, PRODUCT_NAMES[p]])]}
        onChange={(product) => choose({ product })}
      />
      <div className="field">
        <label htmlFor="tx-from">From (UTC)</label>
        <input id="tx-from" type="date" value={chosen.from} onChange={(e) => choose({ from: e.target.value })} />
      </div>
      <div className="field">
        <label htmlFor="tx-to">To (UTC)</label>
        <input id="tx-to" type="date" value={chosen.to} onChange={(e) => choose({ to: e.target.value })} />
      </div>
    </div>
  );
}

/** A labelled select of `options` ([value, what it says]); the value is one of them. */
function Choice<V extends string>(props: {
  id: string;
  label: string;
  value: V;
  options: [V, string][];
  onChange: (value: V) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value as V)}>
        {props.options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

function Pager({ number, newer, older }: { number: number; newer: (() => void) | null; older: (() => void) | null }) {
  return (
    <div className="pager" id="transactions-page">
      <span className="small muted">Page {number}</span>
      <div className="actions">
        <button type="button" className="btn btn-small" disabled={newer === null} onClick={newer ?? undefined}>
          Newer
        </button>
        <button type="button" className="btn btn-small" disabled={older === null} onClick={older ?? undefined}>
          Older
        </button>
      </div>
    </div>
  );
}
