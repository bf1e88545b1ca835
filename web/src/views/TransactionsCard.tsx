// Transactions: every movement of credit, newest first: type, category, signed amount, date and
// time, transaction ID. Filters by category and date range (UTC days), pages with the API's
// cursor, and exports the filtered log as CSV, as the API writes it.

import { useState } from 'react';
import { CATEGORIES } from '../../../core/entry-types.js';
import { ApiError, NetworkError } from '../api/client';
import { type Category, type TransactionFilters, useTransactions } from '../api/queries';
import { useAuth } from '../auth';
import { Alert, Amount, DateTime, Empty, ErrorState, Loading, problemText } from '../components/ui';

const TYPE_NAMES: Record<string, string> = {
  purchase: 'Purchase',
  promotional_grant: 'Promotional credit',
  usage: 'Usage',
  refund: 'Refund',
  expiry: 'Expiry',
  withdrawal: 'Withdrawal',
  withdrawal_reversal: 'Withdrawal returned',
  reversal: 'Card refund or dispute',
  adjustment: 'Adjustment',
};

export function TransactionsCard() {
  const { client } = useAuth();
  const [category, setCategory] = useState<Category | ''>('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  // The cursors of the pages seen so far: the first page has none.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const filters: TransactionFilters = {
    ...(category ? { category } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to: `${to}T23:59:59.999Z` } : {}),
  };
  const page = useTransactions({ ...filters, ...(cursors.at(-1) ? { cursor: cursors.at(-1) } : {}) });
  const [exporting, setExporting] = useState<'idle' | 'busy' | Error>('idle');

  const changeFilter = (set: (value: string) => void) => (value: string) => {
    set(value);
    setCursors([undefined]);
  };

  const exportCsv = async () => {
    setExporting('busy');
    try {
      const result = await client
        .GET('/credits/transactions', { params: { query: { ...filters, format: 'csv' } }, parseAs: 'text' })
        .catch((error: unknown) => {
          throw new NetworkError('IO Credits could not be reached. Check your connection and try again.', {
            cause: error,
          });
        });
      if (!result.response.ok)
        throw new ApiError(
          typeof result.error === 'object' && result.error
            ? (result.error as ApiError['problem'])
            : {
                title: 'Export failed',
                status: result.response.status,
                detail: `The export failed with status ${result.response.status}.`,
                code: 'unknown',
              },
        );
      // parseAs: 'text' hands the CSV over as text; the generated types describe the JSON answer.
      const url = URL.createObjectURL(new Blob([result.data as unknown as string], { type: 'text/csv' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = 'io-credits-transactions.csv';
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExporting('idle');
    } catch (error) {
      setExporting(error instanceof Error ? error : new Error(String(error)));
    }
  };

  return (
    <section className="card" aria-labelledby="transactions">
      <div className="card-head">
        <h2 id="transactions">Transactions</h2>
        <button
          type="button"
          className="btn btn-small"
          onClick={() => void exportCsv()}
          disabled={exporting === 'busy'}
        >
          {exporting === 'busy' ? 'Exporting…' : 'Export CSV'}
        </button>
      </div>
      <div className="form-row" role="group" aria-label="Filter transactions">
        <div className="field">
          <label htmlFor="tx-category">Category</label>
          <select
            id="tx-category"
            value={category}
            onChange={(e) => changeFilter((v) => setCategory(v as Category | ''))(e.target.value)}
          >
            <option value="">All categories</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tx-from">From (UTC)</label>
          <input id="tx-from" type="date" value={from} onChange={(e) => changeFilter(setFrom)(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="tx-to">To (UTC)</label>
          <input id="tx-to" type="date" value={to} onChange={(e) => changeFilter(setTo)(e.target.value)} />
        </div>
      </div>
      {exporting instanceof Error ? (
        <Alert tone="error" title="The export failed">
          {problemText(exporting)}
        </Alert>
      ) : null}
      {page.isPending ? <Loading label="Loading transactions…" /> : null}
      {page.isError ? <ErrorState error={page.error} retry={() => void page.refetch()} /> : null}
      {page.data && page.data.items.length === 0 ? (
        <Empty>No transactions{category || from || to ? ' match these filters' : ' yet'}.</Empty>
      ) : null}
      {page.data && page.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="stack" aria-describedby="transactions-page">
            <caption className="visually-hidden">Transactions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date and time</th>
                <th scope="col">Type</th>
                <th scope="col">Category</th>
                <th scope="col" className="amount">
                  Amount
                </th>
                <th scope="col">Transaction ID</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((tx) => (
                <tr key={tx.transactionId} title={tx.description}>
                  <td data-label="Date and time">
                    <DateTime iso={tx.createdAt} />
                  </td>
                  <td data-label="Type">{TYPE_NAMES[tx.type] ?? tx.type}</td>
                  <td data-label="Category">{tx.category}</td>
                  <td data-label="Amount" className="amount">
                    <Amount value={tx.amount} signed colour />
                  </td>
                  <td data-label="Transaction ID" className="mono">
                    {tx.transactionId}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="pager" id="transactions-page">
        <span className="small muted">Page {cursors.length}</span>
        <div className="actions">
          <button
            type="button"
            className="btn btn-small"
            disabled={cursors.length === 1 || page.isFetching}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Newer
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={!page.data?.nextCursor || page.isFetching}
            onClick={() => setCursors((c) => [...c, page.data!.nextCursor!])}
          >
            Older
          </button>
        </div>
      </div>
    </section>
  );
}
