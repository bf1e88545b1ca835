// Request Withdrawal: purchased credit back as USDC, after a review by the finance team. The form
// checks the address for its network with the same module the API checks it with
// (core/destination.ts); the list shows each withdrawal, cancellable while pending review. An
// account that never paid for credits sees why it can not withdraw.

import { type FormEvent, useState } from 'react';
import { destinationProblem, NETWORK_NAMES, PAYOUT_NETWORKS, type PayoutNetwork } from '../../../core/destination.js';
import { addBusinessDays } from '../../../core/time.js';
import { useActionKey } from '../api/action-key';
import { useBalance, useCancelWithdrawal, useRequestWithdrawal, useWithdrawals, type Withdrawal } from '../api/queries';
import {
  ActionError,
  Alert,
  Amount,
  AmountField,
  DateTime,
  Dialog,
  Empty,
  ErrorState,
  Field,
  Loading,
  StatusBadge,
  TextField,
} from '../components/ui';
import { centsOfInput, decimalOfCents, formatUsd, microsOf } from '../money';

const REVIEW_BUSINESS_DAYS = 7;

export function WithdrawalsCard() {
  const balance = useBalance();
  const withdrawals = useWithdrawals();
  const cancel = useCancelWithdrawal();
  const [requesting, setRequesting] = useState(false);
  const neverPurchased = balance.data ? !balance.data.hasPurchased : false;
  return (
    <section className="card" aria-labelledby="withdrawals">
      <div className="card-head">
        <h2 id="withdrawals">Withdrawals</h2>
        <button
          type="button"
          className="btn btn-primary"
          disabled={!balance.data || neverPurchased}
          aria-describedby={neverPurchased ? 'withdraw-why' : undefined}
          onClick={() => setRequesting(true)}
        >
          Request Withdrawal
        </button>
      </div>
      {neverPurchased ? (
        <p id="withdraw-why" className="muted">
          Withdrawals are available only for purchased credits. This account has not paid for any; promotional credit
          can be spent on compute but never withdrawn.
        </p>
      ) : (
        <p className="muted small">
          Purchased credit can be withdrawn as USDC. Requests are reviewed by the finance team and typically processed
          within three to seven business days.
        </p>
      )}
      {withdrawals.isPending ? <Loading label="Loading withdrawals…" /> : null}
      {withdrawals.isError ? <ErrorState error={withdrawals.error} retry={() => void withdrawals.refetch()} /> : null}
      <ActionError action={cancel} title="The withdrawal could not be cancelled" />
      {withdrawals.data && withdrawals.data.items.length === 0 ? <Empty>No withdrawals yet.</Empty> : null}
      {withdrawals.data && withdrawals.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="stack">
            <caption className="visually-hidden">Your withdrawals, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Requested</th>
                <th scope="col" className="amount">
                  Amount
                </th>
                <th scope="col">To</th>
                <th scope="col">Status</th>
                <th scope="col">Expected by</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {withdrawals.data.items.map((w) => (
                <WithdrawalRow
                  key={w.withdrawalId}
                  withdrawal={w}
                  onCancel={() => cancel.mutate(w.withdrawalId)}
                  cancelling={cancel.isPending && cancel.variables === w.withdrawalId}
                />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Dialog open={requesting} title="Request Withdrawal" onClose={() => setRequesting(false)}>
        {balance.data ? (
          <WithdrawalForm withdrawable={balance.data.withdrawable} onDone={() => setRequesting(false)} />
        ) : null}
      </Dialog>
    </section>
  );
}

function WithdrawalRow({
  withdrawal: w,
  onCancel,
  cancelling,
}: {
  withdrawal: Withdrawal;
  onCancel: () => void;
  cancelling: boolean;
}) {
  return (
    <tr>
      <td data-label="Requested">
        <DateTime iso={w.requestedAt} />
      </td>
      <td data-label="Amount" className="amount">
        <Amount value={w.amount} />
      </td>
      <td data-label="To">
        {w.destination ? (
          <Destination network={w.destination.network} address={w.destination.address} />
        ) : (
          <span className="muted">—</span>
        )}
      </td>
      <td data-label="Status">
        <StatusBadge status={w.status} />
        {w.reason ? <div className="small muted">{w.reason}</div> : null}
        {w.payoutReference ? <div className="small mono">{w.payoutReference}</div> : null}
      </td>
      <td data-label="Expected by">
        <DateTime iso={w.expectedBy} date />
      </td>
      <td data-label="Actions">
        {w.status === 'pending_review' ? (
          <button type="button" className="btn btn-small btn-danger" onClick={onCancel} disabled={cancelling}>
            Cancel<span className="visually-hidden"> withdrawal of {formatUsd(w.amount)}</span>
          </button>
        ) : null}
      </td>
    </tr>
  );
}

/** A destination as a person checks it: the network, and the address with its middle shortened (all of it on hover). */
export function Destination({
  network,
  address,
  full = false,
}: {
  network: PayoutNetwork;
  address: string;
  full?: boolean;
}) {
  const short = full || address.length <= 16 ? address : `${address.slice(0, 8)}…${address.slice(-6)}`;
  return (
    <span>
      <span className="badge">{NETWORK_NAMES[network]}</span>{' '}
      <span className="mono" title={address}>
        {short}
      </span>
    </span>
  );
}

function WithdrawalForm({ withdrawable, onDone }: { withdrawable: string; onDone: () => void }) {
  const [amount, setAmount] = useState('');
  const [network, setNetwork] = useState<PayoutNetwork>('solana');
  const [address, setAddress] = useState('');
  const [touched, setTouched] = useState(false);
  const cents = centsOfInput(amount);
  const amountError =
    cents === null || cents === 0n
      ? 'Enter an amount in dollars and cents, like 50 or 49.99.'
      : cents * 10_000n > microsOf(withdrawable)
        ? `At most ${formatUsd(withdrawable)} can be withdrawn.`
        : null;
  const addressError =
    address === '' ? 'Enter the address the USDC should go to.' : destinationProblem(network, address);
  const body = { amount: cents === null ? amount : decimalOfCents(cents), network, address };
  // One key per withdrawal meant: asked for again after a lost answer, even from a dialog opened
  // anew, it is one withdrawal; another amount or address is another request, with its own key.
  const action = useActionKey('withdraw', body);
  const request = useRequestWithdrawal(action);
  const expectedBy = new Date(addBusinessDays(Date.now(), REVIEW_BUSINESS_DAYS)).toISOString();

  if (request.data) return <WithdrawalRequested withdrawal={request.data} onDone={onDone} />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (amountError || addressError) return;
    request.mutate({ ...body, key: action.key });
  };

  return (
    <form className="stack-form" onSubmit={submit} noValidate>
      <p>
        Withdrawable now:{' '}
        <strong>
          <Amount value={withdrawable} />
        </strong>{' '}
        <span className="muted small">(purchased credit only)</span>
      </p>
      <AmountField label="Amount (USD)" error={touched ? amountError : null} value={amount} onChange={setAmount} />
      <DestinationFields
        network={network}
        onNetwork={setNetwork}
        address={address}
        onAddress={setAddress}
        error={touched || address ? addressError : null}
      />
      <Alert tone="info">
        Withdrawal requests are reviewed by the finance team and typically processed within three to seven business
        days. Expected by <DateTime iso={expectedBy} date />. The credit is set aside now and comes back if the request
        is rejected or you cancel it.
      </Alert>
      <ActionError action={request} title="The withdrawal was not requested" />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={request.isPending}>
          {request.isPending ? 'Requesting…' : 'Request Withdrawal'}
        </button>
      </div>
    </form>
  );
}

function DestinationFields({
  network,
  onNetwork,
  address,
  onAddress,
  error,
}: {
  network: PayoutNetwork;
  onNetwork: (network: PayoutNetwork) => void;
  address: string;
  onAddress: (address: string) => void;
  error: string | null;
}) {
  return (
    <>
      <Field label="Network">
        {(props) => (
          <select {...props} value={network} onChange={(e) => onNetwork(e.target.value as PayoutNetwork)}>
            {PAYOUT_NETWORKS.map((n) => (
              <option key={n} value={n}>
                {NETWORK_NAMES[n]} (USDC)
              </option>
            ))}
          </select>
        )}
      </Field>
      <TextField
        label="USDC address"
        hint={
          network === 'solana' ? 'A Solana wallet address' : `An ${NETWORK_NAMES[network]} address starting with 0x`
        }
        error={error}
        className="mono"
        spellCheck={false}
        autoComplete="off"
        value={address}
        onChange={onAddress}
      />
    </>
  );
}

function WithdrawalRequested({ withdrawal, onDone }: { withdrawal: Withdrawal; onDone: () => void }) {
  return (
    <div className="stack-form">
      <Alert tone="good" title="Withdrawal requested">
        {formatUsd(withdrawal.amount)} to your {NETWORK_NAMES[withdrawal.destination!.network]} address is now with the
        finance team, expected by <DateTime iso={withdrawal.expectedBy} date />.
      </Alert>
      <div className="actions">
        <button type="button" className="btn btn-primary" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
