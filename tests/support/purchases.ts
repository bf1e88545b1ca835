// Credit bought the way production buys it: a purchase created, then the provider's payment event
// applied (ledger/purchases.ts). Tests and benchmarks use these instead of a shortcut that writes
// the lot directly, so what they measure and check is the path a real payment takes.

import { assert } from '../../core/assert.js';
import { lotFromItem } from '../../core/items/lot-read.js';
import type { PaymentMethod, ProviderName } from '../../core/items/purchase.js';
import type { Ledger } from '../../core/ledger/ledger.js';
import { type PaymentReversalResult, reversePayment } from '../../core/ledger/provider-reversals.js';
import { applyPaymentEvent, createPurchase, type PurchaseLimits } from '../../core/ledger/purchases.js';
import { getBalance } from '../../core/ledger/queries.js';
import { type Micros, micros } from '../../core/money.js';
import { keys } from '../../core/table/keys.js';

/** Any positive amount: tests buy odd sizes (a cent, a USDC amount with six decimals). */
const ANY_AMOUNT: PurchaseLimits = { min: micros(1), max: micros(Number.MAX_SAFE_INTEGER) };

const METHOD: Record<ProviderName, PaymentMethod> = { stripe: 'card', spherepay: 'usdc' };

export interface Bought {
  accountId: string;
  purchaseId: string;
  lotId: string;
  provider: ProviderName;
  /** The provider's payment id, which its refunds and disputes name. */
  paymentRef: string;
  expiresAt: string | null;
  /** What the lot has left once the new credit repaid debt and settled pending charges. */
  remaining: Micros;
}

/** Buys `amount` credits: the purchase, then its provider's payment event. */
export async function buyCredits(
  ledger: Ledger,
  accountId: string,
  amount: Micros,
  provider: ProviderName = 'stripe',
): Promise<Bought> {
  const purchase = await createPurchase(ledger, { accountId, amount, method: METHOD[provider], limits: ANY_AMOUNT });
  const paymentRef = `pi_${purchase.purchaseId}`;
  const paid = await applyPaymentEvent(ledger, {
    provider,
    eventId: `evt_paid_${purchase.purchaseId}`,
    accountId,
    purchaseId: purchase.purchaseId,
    outcome: { kind: 'paid', amount, paymentRef },
  });
  const { lotId } = paid;
  assert(lotId !== undefined, `purchase ${purchase.purchaseId} was not credited`);
  const stored = await ledger.table.get(keys.lot(accountId, lotId));
  assert(stored !== undefined, `lot ${lotId} is stored`);
  const live = (await getBalance(ledger, accountId)).lots.find((lot) => lot.lotId === lotId);
  return {
    accountId,
    purchaseId: purchase.purchaseId,
    lotId,
    provider,
    paymentRef,
    expiresAt: lotFromItem(stored).expiresAt,
    remaining: live?.remaining ?? micros(0),
  };
}

let reportSeq = 0;

/** The provider disputes `amount` of a bought payment; returns what the ledger applied. */
export async function providerDisputes(
  ledger: Ledger,
  bought: Bought,
  amount: Micros,
  disputeId = `dp_${++reportSeq}`,
): Promise<PaymentReversalResult> {
  return applied(
    await reversePayment(ledger, {
      provider: bought.provider,
      eventId: `evt_${disputeId}`,
      paymentRef: bought.paymentRef,
      report: { kind: 'dispute', amount, disputeId },
    }),
  );
}

/** The provider reports refunds of a bought payment totalling `totalRefunded`. */
export async function providerRefunds(
  ledger: Ledger,
  bought: Bought,
  totalRefunded: Micros,
): Promise<PaymentReversalResult> {
  return applied(
    await reversePayment(ledger, {
      provider: bought.provider,
      eventId: `evt_refund_${bought.paymentRef}_${totalRefunded}`,
      paymentRef: bought.paymentRef,
      report: { kind: 'refund', totalRefunded },
    }),
  );
}

function applied(outcome: Awaited<ReturnType<typeof reversePayment>>): PaymentReversalResult {
  assert('applied' in outcome, 'a report about a credited payment is applied, not held');
  return outcome.applied;
}

/** Stripe's paid event for a purchase (its Checkout Session completed), as a provider delivers it. */
export function paidEvent(
  purchase: { accountId: string; purchaseId: string },
  amount: Micros,
): Parameters<typeof applyPaymentEvent>[1] {
  return {
    provider: 'stripe',
    eventId: `evt_${purchase.purchaseId}`,
    accountId: purchase.accountId,
    purchaseId: purchase.purchaseId,
    outcome: { kind: 'paid', amount, paymentRef: `pi_${purchase.purchaseId}` },
  };
}
