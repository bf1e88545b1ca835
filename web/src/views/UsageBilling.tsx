// Usage & Billing: Total IO Credits, Credits Usage, Transactions and Withdrawals (SPEC §7), and,
// back from a checkout, the purchase followed until the provider says how it ended.

import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { isId } from '../../../core/ids.js';
import { usePurchase, useRefreshMoney } from '../api/queries';
import { Alert, ErrorState, Loading } from '../components/ui';
import { formatUsd } from '../money';
import { FOLLOWED_PURCHASE, ReceiptLink } from './BuyDialog';
import { LedgerProof } from './LedgerProof';
import { ReceiptsCard } from './Receipts';
import { StatementsCard } from './Statements';
import { TotalCredits } from './TotalCredits';
import { TransactionsCard } from './TransactionsCard';
import { UsageChart } from './UsageChart';
import { WithdrawalsCard } from './Withdrawals';

export function UsageBilling() {
  return (
    <main id="main">
      <div className="page-head">
        <h1>Usage &amp; Billing</h1>
      </div>
      <PurchaseBanner />
      <div className="grid-2">
        <TotalCredits />
        <UsageChart />
      </div>
      <TransactionsCard />
      <WithdrawalsCard />
      <ReceiptsCard />
      <StatementsCard />
      <LedgerProof />
    </main>
  );
}

/** The purchase this tab sent to a checkout (or named in ?purchase=), until it completes or fails. */
function PurchaseBanner() {
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get('purchase');
  const [purchaseId] = useState(() => {
    const id = fromUrl ?? sessionStorage.getItem(FOLLOWED_PURCHASE);
    return isId('pu', id) ? id : null;
  });
  const purchase = usePurchase(purchaseId);
  const refresh = useRefreshMoney();
  const status = purchase.data?.status;

  useEffect(() => {
    if (!status || status === 'pending') return;
    sessionStorage.removeItem(FOLLOWED_PURCHASE);
    if (fromUrl) setParams({}, { replace: true });
    void refresh();
    // Settled once: refresh the balance and the log, and stop following.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status]);

  if (!purchaseId) return null;
  if (purchase.isError) return <ErrorState error={purchase.error} retry={() => void purchase.refetch()} />;
  if (!purchase.data || status === 'pending')
    return (
      <Loading
        label={
          `Waiting for your payment${purchase.data ? ` of ${formatUsd(purchase.data.amount)}` : ''} to be ` +
          `confirmed…`
        }
      />
    );
  if (status === 'completed') {
    return (
      <Alert tone="good" title="Purchase completed">
        {formatUsd(purchase.data.paidAmount ?? purchase.data.amount)} in IO Credits were added to your balance.
        <ReceiptLink number={purchase.data.receiptNumber} />
      </Alert>
    );
  }
  return (
    <Alert tone="error" title={`Purchase ${status}`}>
      {status === 'reversed'
        ? 'The payment was refunded or disputed, so its credit was taken back.'
        : 'The payment did not go through; nothing was charged. You can try again with Buy IO Credits.'}
    </Alert>
  );
}
