// Total IO Credits: the single balance in USD, what can be withdrawn, the debt and the allowance
// in use, the credit that pays some products only, the lots with their scope and expiry dates, and
// a warning for credit expiring within 30 days that says how much of it current usage leaves unused.

import { type Balance, useBalance } from '../api/queries';
import { Alert, Amount, DateTime, Empty, ErrorState, Loading } from '../components/ui';
import { formatUsd, isZero } from '../money';
import { scopeName } from '../products';

export function TotalCredits() {
  const balance = useBalance();
  return (
    <section className="card" aria-labelledby="total-credits">
      <div className="card-head">
        <h2 id="total-credits">Total IO Credits</h2>
        <span className="small muted">1 IO Credit = 1 USD</span>
      </div>
      {balance.isPending ? <Loading label="Loading your balance…" /> : null}
      {balance.isError ? <ErrorState error={balance.error} retry={() => void balance.refetch()} /> : null}
      {balance.data ? <BalanceDetails data={balance.data} /> : null}
    </section>
  );
}

function BalanceDetails({ data }: { data: Balance }) {
  return (
    <>
      <p className="figure-big" data-testid="balance">
        <Amount value={data.balance} />
      </p>
      <dl className="facts">
        <div>
          <dt>Withdrawable</dt>
          <dd>
            <Amount value={data.withdrawable} />
          </dd>
        </div>
        <div>
          <dt>Negative allowance in use</dt>
          <dd>
            <Amount value={data.debt} /> <span className="muted small">of {formatUsd(data.negativeAllowance)}</span>
          </dd>
        </div>
        <div>
          <dt>Pending withdrawals</dt>
          <dd>
            <Amount value={data.pendingWithdrawals} />
          </dd>
        </div>
        {data.scoped.length > 0 ? (
          <div className="facts-wide">
            <dt>For some products only</dt>
            {data.scoped.map((scope) => (
              <dd key={scope.products.join()}>
                <Amount value={scope.remaining} /> <span className="muted small">{scopeName(scope.products)}</span>
              </dd>
            ))}
          </div>
        ) : null}
      </dl>
      <ExpiringSoon lots={data.expiringSoon} />
      {!isZero(data.debt) ? (
        <Alert tone="info" title="Using your negative allowance">
          {formatUsd(data.debt)} of your {formatUsd(data.negativeAllowance)} allowance is in use. Credits you buy pay it
          back first.
        </Alert>
      ) : null}
      <h3>Credit lots</h3>
      <Lots lots={data.lots} />
    </>
  );
}

/** Each lot expiring within 30 days, and what the last 30 days' usage would leave of it at its expiry. */
function ExpiringSoon({ lots }: { lots: Balance['expiringSoon'] }) {
  if (lots.length === 0) return null;
  return (
    <Alert tone="warn" title="Credits expiring within 30 days">
      <ul>
        {lots.map((lot) => (
          <li key={lot.lotId}>
            <Amount value={lot.remaining} /> {lot.kind} credit
            {lot.products?.length ? ` (${scopeName(lot.products)})` : ''} expires on{' '}
            <DateTime iso={lot.expiresAt!} date />
            {isZero(lot.forecastUnused) ? (
              '; at your current usage it will all be used.'
            ) : (
              <>
                ; at your current usage <Amount value={lot.forecastUnused} /> of it will go unused.
              </>
            )}
          </li>
        ))}
      </ul>
      Expired credit has no remaining value and can not be withdrawn, refunded or reinstated.
    </Alert>
  );
}

/** The lots with credit left, in the order charges use them (Total IO Credits, and Finance's Accounts). */
export function Lots({
  lots,
  empty = 'No credit yet. Buy IO Credits to get started.',
}: {
  lots: Balance['lots'];
  empty?: string;
}) {
  if (lots.length === 0) return <Empty>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="stack">
        <caption className="visually-hidden">Credit lots, in the order charges use them</caption>
        <thead>
          <tr>
            <th scope="col">Kind</th>
            <th scope="col" className="amount">
              Remaining
            </th>
            <th scope="col" className="amount">
              Of
            </th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {lots.map((lot) => (
            <tr key={lot.lotId}>
              <td data-label="Kind">
                <div>
                  {lot.kind === 'purchased' ? 'Purchased' : 'Promotional'}
                  {lot.products?.length ? <div className="small muted">{scopeName(lot.products)}</div> : null}
                </div>
              </td>
              <td data-label="Remaining" className="amount">
                <Amount value={lot.remaining} />
              </td>
              <td data-label="Of" className="amount">
                <Amount value={lot.amount} />
              </td>
              <td data-label="Expires">{lot.expiresAt ? <DateTime iso={lot.expiresAt} date /> : 'Never'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
