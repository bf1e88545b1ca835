// Total IO Credits: the single balance in USD, what can be withdrawn, the debt and the allowance
// in use, the lots with their expiry dates, and a warning for credit expiring within 30 days.

import { useBalance } from '../api/queries';
import { Alert, Amount, DateTime, Empty, ErrorState, Loading } from '../components/ui';
import { formatUsd, isZero } from '../money';

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

function BalanceDetails({ data }: { data: NonNullable<ReturnType<typeof useBalance>['data']> }) {
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
      </dl>
      {data.expiringSoon.length > 0 ? (
        <Alert tone="warn" title="Credits expiring within 30 days">
          <ul>
            {data.expiringSoon.map((lot) => (
              <li key={lot.lotId}>
                <Amount value={lot.remaining} /> {lot.kind} credit expires on <DateTime iso={lot.expiresAt!} date />
              </li>
            ))}
          </ul>
          Expired credit has no remaining value and can not be withdrawn, refunded or reinstated.
        </Alert>
      ) : null}
      {!isZero(data.debt) ? (
        <Alert tone="info" title="Using your negative allowance">
          {formatUsd(data.debt)} of your {formatUsd(data.negativeAllowance)} allowance is in use. Credits you buy pay it
          back first.
        </Alert>
      ) : null}
      <h3>Credit lots</h3>
      {data.lots.length === 0 ? (
        <Empty>No credit yet. Buy IO Credits to get started.</Empty>
      ) : (
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
              {data.lots.map((lot) => (
                <tr key={lot.lotId}>
                  <td data-label="Kind">{lot.kind === 'purchased' ? 'Purchased' : 'Promotional'}</td>
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
      )}
    </>
  );
}
