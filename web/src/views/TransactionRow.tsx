// One entry of the Transactions log: date and time, type, product, deployment, category, signed
// amount, transaction ID. A usage entry's type is a disclosure button: it opens a row below with what
// paid it, each lot by kind and amount, and the part taken on the negative allowance.

import { Fragment, useId, useState } from 'react';
import type { Transaction } from '../api/queries';
import { Amount, DateTime } from '../components/ui';
import { isZero } from '../money';
import { PRODUCT_NAMES } from '../products';

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

/** The table's columns, in order. */
export const TRANSACTION_COLUMNS = [
  'Date and time',
  'Type',
  'Product',
  'Deployment',
  'Category',
  'Amount',
  'Transaction ID',
] as const;

export function TransactionRow({ tx }: { tx: Transaction }) {
  const [open, setOpen] = useState(false);
  const detailId = useId();
  return (
    <Fragment>
      <tr title={tx.description}>
        <td data-label="Date and time">
          <DateTime iso={tx.createdAt} />
        </td>
        <td data-label="Type">
          {tx.paidFrom ? (
            <button
              type="button"
              className="btn-link disclosure"
              aria-expanded={open}
              {...(open ? { 'aria-controls': detailId } : {})}
              onClick={() => setOpen(!open)}
            >
              <span aria-hidden="true">{open ? '▾' : '▸'}</span> {TYPE_NAMES[tx.type] ?? tx.type}
              <span className="visually-hidden"> {tx.transactionId}, paid by</span>
            </button>
          ) : (
            (TYPE_NAMES[tx.type] ?? tx.type)
          )}
        </td>
        <td data-label="Product">{tx.product ? PRODUCT_NAMES[tx.product] : '—'}</td>
        <td data-label="Deployment">
          <div>
            {tx.deploymentId ? <span className="mono">{tx.deploymentId}</span> : '—'}
            {tx.projectId ? <div className="small muted">Project {tx.projectId}</div> : null}
          </div>
        </td>
        <td data-label="Category">{tx.category}</td>
        <td data-label="Amount" className="amount">
          <Amount value={tx.amount} signed colour />
        </td>
        <td data-label="Transaction ID" className="mono">
          {tx.transactionId}
        </td>
      </tr>
      {open && tx.paidFrom ? (
        <tr className="detail-row">
          <td id={detailId} colSpan={TRANSACTION_COLUMNS.length}>
            <p className="paid-by-title">Paid by</p>
            <PaidBy paidFrom={tx.paidFrom} allowance={tx.allowance ?? '0'} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

function PaidBy({ paidFrom, allowance }: { paidFrom: NonNullable<Transaction['paidFrom']>; allowance: string }) {
  return (
    <dl className="paid-by">
      {paidFrom.map((lot) => (
        <div key={lot.lotId}>
          <dt>
            {lot.kind === 'purchased' ? 'Purchased credit' : 'Promotional credit'}{' '}
            <span className="mono muted">{lot.lotId}</span>
          </dt>
          <dd>
            <Amount value={lot.amount} />
          </dd>
        </div>
      ))}
      {paidFrom.length === 0 || !isZero(allowance) ? (
        <div>
          <dt>Negative allowance</dt>
          <dd>
            <Amount value={allowance} />
          </dd>
        </div>
      ) : null}
    </dl>
  );
}
