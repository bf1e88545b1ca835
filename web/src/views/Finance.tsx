// Finance (credits:admin): the withdrawal review queue, oldest request first, with the address each
// payout goes to (the only one it may go to): approve, reject with a reason, complete with the
// payout's transaction reference. Above the dual-approval threshold a withdrawal needs two
// different members' approvals (SPEC §14): the queue shows who approved and which wait for a
// second one, and nobody is offered an action on their own account's withdrawal. Promotional
// grants (GrantForm) and negative allowances below; the latest daily close and its open items
// (CloseReport) above.

import { type FormEvent, useState } from 'react';
import {
  useFinanceAction,
  useFinanceQueue,
  useSetAllowance,
  type Withdrawal,
  type WithdrawalStatus,
} from '../api/queries';
import { useAuth } from '../auth';
import {
  ActionError,
  Alert,
  Amount,
  DateTime,
  Dialog,
  Empty,
  ErrorState,
  Field,
  Loading,
  problemText,
} from '../components/ui';
import { centsOfInput, decimalOfCents, formatUsd } from '../money';
import { CloseReport } from './CloseReport';
import { FinancePage } from './FinancePage';
import { GrantForm } from './GrantForm';
import { Destination } from './Withdrawals';

const QUEUES: { status: WithdrawalStatus; label: string }[] = [
  { status: 'pending_review', label: 'Pending review' },
  { status: 'approved', label: 'Approved, to pay out' },
  { status: 'completed', label: 'Completed' },
  { status: 'rejected', label: 'Rejected' },
];

export function Finance() {
  return (
    <FinancePage title="Finance">
      <CloseReport />
      <ReviewQueue />
      <div className="grid-2">
        <GrantForm />
        <AllowanceForm />
      </div>
    </FinancePage>
  );
}

/** How many of a withdrawal's approvals it has, and whose; a pending one still short of them says so. */
function Approvals({ withdrawal: w }: { withdrawal: Withdrawal }) {
  if (w.approvals.length === 0 && w.approvalsNeeded === 1) return <span className="muted">—</span>;
  const waiting = w.status === 'pending_review' && w.approvals.length > 0;
  return (
    <div>
      <span className={waiting ? 'badge badge-warn' : 'small'}>
        {w.approvals.length} of {w.approvalsNeeded}
        {waiting ? ': needs a second approver' : ''}
      </span>
      {w.approvals.map((a) => (
        <div key={a.sub} className="small mono">
          {a.sub}
        </div>
      ))}
    </div>
  );
}

/** The actions the signed-in member may take on a withdrawal: none on their own account's. */
function actionsFor(w: Withdrawal, sub: string) {
  const own = w.accountId === sub;
  const approvedByMe = w.approvals.some((a) => a.sub === sub);
  return {
    own,
    approvedByMe,
    approve: !own && !approvedByMe && w.status === 'pending_review',
    complete: !own && w.status === 'approved',
    reject: !own && (w.status === 'pending_review' || w.status === 'approved'),
  };
}

function ReviewQueue() {
  const [status, setStatus] = useState<WithdrawalStatus>('pending_review');
  const queue = useFinanceQueue(status);
  const act = useFinanceAction();
  const sub = useAuth().session?.sub ?? '';
  const secondWanted = (queue.data?.items ?? []).filter(
    (w) => w.status === 'pending_review' && w.approvals.length > 0 && w.approvals.length < w.approvalsNeeded,
  );
  const [rejecting, setRejecting] = useState<Withdrawal | null>(null);
  const [completing, setCompleting] = useState<Withdrawal | null>(null);
  return (
    <section className="card" aria-labelledby="review">
      <div className="card-head">
        <h2 id="review">Withdrawals</h2>
        <div role="group" aria-label="Show withdrawals" className="actions">
          {QUEUES.map((q) => (
            <button
              key={q.status}
              type="button"
              className="btn btn-small"
              aria-pressed={status === q.status}
              onClick={() => setStatus(q.status)}
            >
              {q.label}
            </button>
          ))}
        </div>
      </div>
      <ActionError action={act} title="That did not go through" />
      {secondWanted.length > 0 ? (
        <Alert tone="warn" title="Waiting for a second approval">
          {secondWanted.length === 1 ? '1 withdrawal' : `${secondWanted.length} withdrawals`} over the dual-approval
          threshold {secondWanted.length === 1 ? 'has' : 'have'} one approval and{' '}
          {secondWanted.length === 1 ? 'needs' : 'need'} a different member of staff to approve.
        </Alert>
      ) : null}
      {queue.isPending ? <Loading label="Loading the queue…" /> : null}
      {queue.isError ? <ErrorState error={queue.error} retry={() => void queue.refetch()} /> : null}
      {queue.data && queue.data.items.length === 0 ? <Empty>Nothing here.</Empty> : null}
      {queue.data && queue.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <caption className="visually-hidden">Withdrawals {status.replace('_', ' ')}, oldest request first</caption>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col">Account</th>
                <th scope="col" className="amount">
                  Amount
                </th>
                <th scope="col">Pay to</th>
                <th scope="col">Approvals</th>
                <th scope="col">Expected by</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.data.items.map((w) => (
                <QueueRow
                  key={w.withdrawalId}
                  withdrawal={w}
                  sub={sub}
                  busy={act.isPending}
                  onApprove={() => act.mutate({ kind: 'approve', id: w.withdrawalId })}
                  onComplete={() => setCompleting(w)}
                  onReject={() => setRejecting(w)}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={rejecting !== null} title="Reject withdrawal" onClose={() => setRejecting(null)}>
        {rejecting ? (
          <ReasonForm
            withdrawal={rejecting}
            onSubmit={async (reason) => (
              await act.mutateAsync({ kind: 'reject', id: rejecting.withdrawalId, reason }), setRejecting(null)
            )}
          />
        ) : null}
      </Dialog>
      <Dialog open={completing !== null} title="Complete withdrawal" onClose={() => setCompleting(null)}>
        {completing ? (
          <PayoutForm
            withdrawal={completing}
            onSubmit={async (payoutReference) => (
              await act.mutateAsync({ kind: 'complete', id: completing.withdrawalId, payoutReference }),
              setCompleting(null)
            )}
          />
        ) : null}
      </Dialog>
    </section>
  );
}

/** One withdrawal of the queue, with what the signed-in member may do to it. */
function QueueRow({
  withdrawal: w,
  sub,
  busy,
  onApprove,
  onComplete,
  onReject,
}: {
  withdrawal: Withdrawal;
  sub: string;
  busy: boolean;
  onApprove: () => void;
  onComplete: () => void;
  onReject: () => void;
}) {
  const may = actionsFor(w, sub);
  return (
    <tr>
      <td data-label="Requested">
        <DateTime iso={w.requestedAt} />
      </td>
      <td data-label="Account" className="mono">
        {w.accountId}
      </td>
      <td data-label="Amount" className="amount">
        <Amount value={w.amount} />
      </td>
      <td data-label="Pay to">
        {w.destination ? (
          <Destination network={w.destination.network} address={w.destination.address} full />
        ) : (
          <span className="muted">No address: reject</span>
        )}
      </td>
      <td data-label="Approvals">
        <Approvals withdrawal={w} />
      </td>
      <td data-label="Expected by">
        <DateTime iso={w.expectedBy} date />
        {w.reason ? <div className="small muted">{w.reason}</div> : null}
        {w.payoutReference ? <div className="small mono">{w.payoutReference}</div> : null}
      </td>
      <td data-label="Actions">
        <div className="actions">
          {may.own ? <span className="small muted">Your own account: another member acts on it</span> : null}
          {may.approvedByMe && w.status === 'pending_review' ? (
            <span className="small muted">You approved it</span>
          ) : null}
          {may.approve ? (
            <RowAction label="Approve" tone="primary" withdrawal={w} disabled={busy} onClick={onApprove} />
          ) : null}
          {may.complete ? (
            <RowAction label="Complete" tone="primary" withdrawal={w} disabled={busy} onClick={onComplete} />
          ) : null}
          {may.reject ? (
            <RowAction label="Reject" tone="danger" withdrawal={w} disabled={busy} onClick={onReject} />
          ) : null}
        </div>
      </td>
    </tr>
  );
}

function ReasonForm({ withdrawal, onSubmit }: { withdrawal: Withdrawal; onSubmit: (reason: string) => Promise<void> }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setError('Say why, so the account holder knows.');
    onSubmit(reason.trim()).catch((e: unknown) => setError(problemText(e)));
  };
  return (
    <form className="stack-form" onSubmit={submit} noValidate>
      <p>
        {formatUsd(withdrawal.amount)} for <span className="mono">{withdrawal.accountId}</span> goes back to their
        balance.
      </p>
      <Field label="Reason" error={error}>
        {(props) => <textarea {...props} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-danger">
          Reject withdrawal
        </button>
      </div>
    </form>
  );
}

function PayoutForm({
  withdrawal,
  onSubmit,
}: {
  withdrawal: Withdrawal;
  onSubmit: (reference: string) => Promise<void>;
}) {
  const [reference, setReference] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reference.trim()) return setError('Enter the payout transaction, so it can be traced.');
    onSubmit(reference.trim()).catch((e: unknown) => setError(problemText(e)));
  };
  return (
    <form className="stack-form" onSubmit={submit} noValidate>
      <p>
        Pay {formatUsd(withdrawal.amount)} in USDC to{' '}
        {withdrawal.destination ? (
          <Destination network={withdrawal.destination.network} address={withdrawal.destination.address} full />
        ) : (
          'no address'
        )}
        , then record the transaction here.
      </p>
      <Field label="Payout transaction" hint="The transaction hash on that network" error={error}>
        {(props) => (
          <input
            {...props}
            className="mono"
            spellCheck={false}
            value={reference}
            onChange={(e) => setReference(e.target.value)}
          />
        )}
      </Field>
      <div className="actions">
        <button type="submit" className="btn btn-primary">
          Mark completed
        </button>
      </div>
    </form>
  );
}

/** `accountId`: for that account only (Accounts), with its `current` allowance to start from. */
export function AllowanceForm({ accountId: fixed, current }: { accountId?: string; current?: string }) {
  const set = useSetAllowance();
  const [typed, setAccountId] = useState('');
  const accountId = fixed ?? typed;
  const [amount, setAmount] = useState(current ?? '10.00');
  const cents = centsOfInput(amount);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!accountId.trim() || cents === null) return;
    set.mutate({ accountId: accountId.trim(), amount: decimalOfCents(cents) });
  };
  return (
    <section className="card" aria-labelledby="allowance">
      <h2 id="allowance">Negative allowance</h2>
      <p className="small muted">
        How far below zero an account may go to pay a deployment. It can not be set below what the account already owes
        on charges.
      </p>
      <form className="stack-form" onSubmit={submit} noValidate>
        {fixed === undefined ? (
          <Field label="Account (IO ID)">
            {(props) => (
              <input {...props} className="mono" value={accountId} onChange={(e) => setAccountId(e.target.value)} />
            )}
          </Field>
        ) : null}
        <Field label="Allowance (USD)" error={cents === null ? 'Whole cents, like 10 or 25.50.' : null}>
          {(props) => (
            <input {...props} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />
          )}
        </Field>
        <ActionError action={set} title="Not set" />
        {set.data ? (
          <Alert tone="good" title="Set">
            {set.data.accountId} may now go {formatUsd(set.data.negativeAllowance)} below zero; it owes{' '}
            {formatUsd(set.data.debt)}.
          </Alert>
        ) : null}
        <div className="actions">
          <button
            type="submit"
            className="btn btn-primary"
            disabled={set.isPending || !accountId.trim() || cents === null}
          >
            Set allowance
          </button>
        </div>
      </form>
    </section>
  );
}

/** A finance action on one withdrawal; a screen reader hears which amount and account it acts on. */
function RowAction({
  label,
  tone,
  withdrawal,
  disabled,
  onClick,
}: {
  label: string;
  tone: 'primary' | 'danger';
  withdrawal: { amount: string; accountId: string };
  disabled: boolean;
  onClick: () => void;
}) {
  return (
    <button type="button" className={`btn btn-small btn-${tone}`} disabled={disabled} onClick={onClick}>
      {label}
      <span className="visually-hidden">
        {' '}
        {formatUsd(withdrawal.amount)} for {withdrawal.accountId}
      </span>
    </button>
  );
}
