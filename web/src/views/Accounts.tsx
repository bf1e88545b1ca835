// Finance's Accounts (SPEC §14): look up an IO ID when a customer writes in, and see what they see
// and more: the balance and its lots, the negative allowance and debt, auto top-up, the low-balance
// alert, webhook endpoints (never their secrets), how many charges, purchases and withdrawals are
// in each status, and the staff actions on the account. Grants and the allowance are made here in
// the account's context.

import { type FormEvent, useState } from 'react';
import { type AccountOverview, useAccountOverview } from '../api/queries';
import { Amount, ErrorState, Loading, StatusBadge, TextField } from '../components/ui';
import { AuditTable } from './AuditLog';
import { AllowanceForm } from './Finance';
import { FinancePage } from './FinancePage';
import { GrantForm } from './GrantForm';
import { Lots } from './TotalCredits';

export function Accounts() {
  const [typed, setTyped] = useState('');
  const [accountId, setAccountId] = useState('');
  const overview = useAccountOverview(accountId);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAccountId(typed.trim());
  };
  return (
    <FinancePage title="Accounts">
      <section className="card" aria-labelledby="lookup">
        <h2 id="lookup">Look up an account</h2>
        <form className="stack-form inline-form" onSubmit={submit} noValidate>
          <TextField label="IO ID" className="mono" value={typed} onChange={setTyped} />
          <div className="actions">
            <button type="submit" className="btn btn-primary" disabled={!typed.trim()}>
              Look up
            </button>
          </div>
        </form>
      </section>
      {overview.isFetching && !overview.data ? <Loading label="Loading the account…" /> : null}
      {overview.isError ? <ErrorState error={overview.error} retry={() => void overview.refetch()} /> : null}
      {overview.data ? <Overview account={overview.data} /> : null}
    </FinancePage>
  );
}

function Overview({ account }: { account: AccountOverview }) {
  const { balance } = account;
  return (
    <>
      <section className="card" aria-labelledby="account-balance">
        <h2 id="account-balance">
          <span className="mono">{account.accountId}</span>
        </h2>
        <dl className="facts">
          <Figure label="Balance" value={balance.balance} />
          <Figure label="Withdrawable" value={balance.withdrawable} />
          <Figure label="Negative allowance" value={balance.negativeAllowance} />
          <Figure label="Debt" value={balance.debt} />
          <Figure label="Pending withdrawals" value={balance.pendingWithdrawals} />
        </dl>
        {balance.hasPurchased ? null : <p className="small muted">Has never paid for credits: may not withdraw.</p>}
        <Lots lots={balance.lots} empty="No credit left in any lot." />
      </section>
      <div className="grid-2">
        <Settings account={account} />
        <Counts account={account} />
      </div>
      <div className="grid-2">
        <GrantForm accountId={account.accountId} />
        <AllowanceForm accountId={account.accountId} current={balance.negativeAllowance} />
      </div>
      <section className="card" aria-labelledby="account-audit">
        <h2 id="account-audit">Staff actions on this account</h2>
        <AuditTable filters={{ accountId: account.accountId }} />
      </section>
    </>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>
        <Amount value={value} />
      </dd>
    </div>
  );
}

function Settings({ account }: { account: AccountOverview }) {
  const { autoTopUp, alerts, webhookEndpoints } = account;
  return (
    <section className="card" aria-labelledby="account-settings">
      <h2 id="account-settings">Settings</h2>
      <dl className="facts">
        <div className="facts-wide">
          <dt>Auto top-up</dt>
          <dd>
            {autoTopUp.enabled
              ? `On: ${autoTopUp.amount} when below ${autoTopUp.threshold}, up to ${autoTopUp.monthlyLimit} a month`
              : 'Off'}
            {autoTopUp.card ? <div className="small muted">Card: {autoTopUp.card}</div> : null}
            {autoTopUp.failuresInARow > 0 ? (
              <div className="small">Failures in a row: {autoTopUp.failuresInARow}</div>
            ) : null}
          </dd>
        </div>
        <div className="facts-wide">
          <dt>Low-balance alert</dt>
          <dd>{alerts.lowBalanceThreshold === null ? 'Off' : `Below ${alerts.lowBalanceThreshold}`}</dd>
        </div>
        <div className="facts-wide">
          <dt>Webhook endpoints</dt>
          <dd>
            {webhookEndpoints.length === 0 ? 'None' : null}
            {webhookEndpoints.map((e) => (
              <div key={e.endpointId} className="small">
                <span className="mono break">{e.url}</span> <span className="muted">({e.events.join(', ')})</span>
              </div>
            ))}
          </dd>
        </div>
      </dl>
    </section>
  );
}

const KINDS = ['charges', 'purchases', 'withdrawals'] as const;

function Counts({ account }: { account: AccountOverview }) {
  return (
    <section className="card" aria-labelledby="account-counts">
      <h2 id="account-counts">By status</h2>
      {KINDS.map((kind) => (
        <div key={kind} className="counts">
          <h3>
            {kind[0]!.toUpperCase() + kind.slice(1)}
            {account[kind].complete ? null : <span className="small muted"> (the newest 5,000)</span>}
          </h3>
          <ul className="count-list" aria-label={kind}>
            {Object.entries(account[kind].byStatus).map(([status, count]) => (
              <li key={status}>
                <StatusBadge status={status} /> {count}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}
