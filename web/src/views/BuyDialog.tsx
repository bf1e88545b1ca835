// Buy IO Credits: an amount (within the deployment's limits, GET /credits/limits; whole cents) and a
// method, then on to the
// provider's checkout. From the navigation bar the tab goes there and, back in the app, the
// purchase is followed until it is completed or failed (PurchaseBanner). From a checkout whose
// deployment waits for credit, the provider opens in a new tab so the countdown keeps running,
// and the dialog follows the purchase itself.

import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useActionKey } from '../api/action-key';
import { useDocumentPdf } from '../api/billing';
import { type Limits, useBuy, useLimits, usePurchase, useRefreshMoney } from '../api/queries';
import { ActionError, Alert, AmountField, Dialog, ErrorState, Loading, problemText } from '../components/ui';
import { centsOfInput, centsRange, decimalOfCents, formatUsd } from '../money';

export const FOLLOWED_PURCHASE = 'io-credits:purchase';

export function BuyDialog({
  open,
  onClose,
  suggested,
  newTab = false,
}: {
  open: boolean;
  onClose: () => void;
  suggested?: string | undefined;
  newTab?: boolean;
}) {
  const [followed, setFollowed] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      title="Buy IO Credits"
      onClose={() => {
        setFollowed(null);
        onClose();
      }}
    >
      {followed ? (
        <FollowPurchase purchaseId={followed} />
      ) : (
        <WithLimits>
          {(limits) => <BuyForm limits={limits} suggested={suggested} newTab={newTab} onOpened={setFollowed} />}
        </WithLimits>
      )}
    </Dialog>
  );
}

/** The purchase paid in another tab, until the provider reports it; then the money views refresh. */
function FollowPurchase({ purchaseId }: { purchaseId: string }) {
  const purchase = usePurchase(purchaseId);
  const refresh = useRefreshMoney();
  const status = purchase.data?.status;
  useEffect(() => {
    if (status && status !== 'pending') void refresh();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status]);
  if (purchase.isError)
    return (
      <Alert tone="error" title="The purchase could not be followed">
        {problemText(purchase.error)}
      </Alert>
    );
  if (!purchase.data || status === 'pending') return <Loading label="Waiting for your payment in the other tab…" />;
  if (status === 'completed')
    return (
      <Alert tone="good" title="Credits added">
        {formatUsd(purchase.data.paidAmount ?? purchase.data.amount)} in IO Credits were added to your balance.
        <ReceiptLink number={purchase.data.receiptNumber} />
      </Alert>
    );
  return (
    <Alert tone="error" title={`Purchase ${status}`}>
      The payment did not go through; nothing was charged.
    </Alert>
  );
}

/** A completed purchase's receipt, as a PDF download: "Receipt IOC-2026-000123 (PDF)". */
export function ReceiptLink({ number }: { number: string | undefined }) {
  const pdf = useDocumentPdf();
  if (!number) return null;
  return (
    <span className="receipt-link">
      {' '}
      <button
        type="button"
        className="btn-link"
        disabled={pdf.busy === number}
        onClick={() => void pdf.download(number)}
      >
        Receipt {number} (PDF)
      </button>
      {pdf.error ? <span className="error"> {problemText(pdf.error)}</span> : null}
    </span>
  );
}

/** Renders `children` once the deployment's limits are known. */
export function WithLimits({ children }: { children: (limits: Limits) => ReactNode }) {
  const limits = useLimits();
  if (limits.isPending) return <Loading label="Loading…" />;
  if (limits.isError) return <ErrorState error={limits.error} retry={() => void limits.refetch()} />;
  return <>{children(limits.data)}</>;
}

function BuyForm({
  limits,
  suggested,
  newTab,
  onOpened,
}: {
  limits: Limits;
  suggested?: string | undefined;
  newTab: boolean;
  onOpened: (purchaseId: string) => void;
}) {
  const [amount, setAmount] = useState(suggested ?? '25.00');
  const [method, setMethod] = useState<PaymentMethod>('card');
  const [touched, setTouched] = useState(false);
  const cents = centsOfInput(amount);
  const range = centsRange(limits.purchase);
  const error = purchaseAmountProblem(cents, range);
  const body = { amount: cents === null ? amount : decimalOfCents(cents), method };
  // One key per purchase meant: a double submit, or a retry after a lost answer, makes one purchase.
  const action = useActionKey('buy', body);
  const buy = useBuy(action);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (error) return;
    const purchase = await buy.mutateAsync({ ...body, key: action.key });
    if (newTab) {
      window.open(purchase.checkoutUrl, '_blank', 'noopener');
      onOpened(purchase.purchaseId);
      return;
    }
    sessionStorage.setItem(FOLLOWED_PURCHASE, purchase.purchaseId);
    window.location.assign(purchase.checkoutUrl);
  };

  return (
    <form onSubmit={(event) => void submit(event).catch(() => undefined)} noValidate className="stack-form">
      <p className="muted">
        1 IO Credit = 1 USD. Credits you buy can be used across io.net Cloud and expire twelve months after purchase.
      </p>
      <AmountField
        label="Amount (USD)"
        hint={`From ${formatUsd(limits.purchase.min)} to ${formatUsd(limits.purchase.max)}`}
        error={touched ? error : null}
        value={amount}
        onChange={setAmount}
        onBlur={() => setTouched(true)}
      />
      <MethodChoice method={method} onChange={setMethod} />
      <ActionError action={buy} title="The checkout could not be opened" />
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={buy.isPending}>
          {buy.isPending
            ? 'Opening checkout…'
            : `Continue to ${method === 'card' ? 'Stripe' : 'Spherepay'}${newTab ? ' (new tab)' : ''}`}
        </button>
      </div>
    </form>
  );
}

const METHODS = [
  { method: 'usdc', label: 'USDC', via: 'via Spherepay' },
  { method: 'card', label: 'USD (Credit/Debit Card)', via: 'via Stripe' },
] as const;

type PaymentMethod = (typeof METHODS)[number]['method'];

function purchaseAmountProblem(cents: bigint | null, range: { min: bigint; max: bigint }): string | null {
  if (cents === null) return 'Enter an amount in dollars and cents, like 25 or 25.50.';
  if (cents < range.min) return `The smallest purchase is ${formatUsd(decimalOfCents(range.min))}.`;
  if (cents > range.max) return `The largest purchase is ${formatUsd(decimalOfCents(range.max))}.`;
  return null;
}

function MethodChoice({ method, onChange }: { method: PaymentMethod; onChange: (method: PaymentMethod) => void }) {
  return (
    <fieldset className="field">
      <legend>Payment method</legend>
      <div className="choices">
        {METHODS.map((choice) => (
          <label key={choice.method} className="choice">
            <input
              type="radio"
              name="method"
              value={choice.method}
              checked={method === choice.method}
              onChange={() => onChange(choice.method)}
            />
            {choice.label}
            <span className="small muted">{choice.via}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
