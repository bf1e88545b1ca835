// Buying credits. A purchase is created `pending` with a checkout at the payment provider; the
// provider's events settle it. Providers deliver at least once and out of order, so each event
// id takes effect once (its record rides in the ledger transaction), and the purchase's state,
// never the arrival order, decides what an event does:
//
//   pending ──paid────► completed ──refund / dispute──► reversed (in part or whole)
//      │                   ▲
//      ├──failed──► failed ┤  paid after failed or expired: the money arrived, so it is credited
//      └──expired─► expired┘
//
//   paid on completed or reversed: nothing (a purchase is credited once)
//   failed or expired on anything but pending: nothing
//
// The payment is recorded with the credit, so the provider's refunds and disputes find it
// (provider-reversals.ts, which also applies those that arrived first). The end of an automatic
// top-up is auto-top-up.ts's.

import { assert } from '../assert.js';
import { Conflict, InvalidRequest, NotFound } from '../errors.js';
import {
  type PaymentMethod,
  PROVIDER_OF,
  type ProviderName,
  type Purchase,
  type PurchaseStatus,
  purchaseItems,
} from '../items/purchase.js';
import { checkoutLookupFromItem, purchaseFromItem, purchaseLookupFromItem } from '../items/purchase-read.js';
import type { PaymentDetails } from '../items/receipt.js';
import { formatMicros, type Micros } from '../money.js';
import { type PurchaseLimits, withinLimits } from '../purchase-limits.js';
import { keys } from '../table/keys.js';
import { topUpEnded } from './auto-top-up.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import { addPurchasedLot } from './grants.js';
import { fingerprint, type Ledger } from './ledger.js';
import { recordPayment } from './provider-reversals.js';
import { issueReceipt } from './receipts.js';

export { DEFAULT_PURCHASE_LIMITS, type PurchaseLimits } from '../purchase-limits.js';

// ---- creating ----

export async function createPurchase(
  ledger: Ledger,
  input: { accountId: string; amount: Micros; method: PaymentMethod; limits: PurchaseLimits; idempotencyKey?: string },
): Promise<Purchase> {
  const { amount, limits } = input;
  if (!withinLimits(amount, limits)) {
    throw new InvalidRequest(
      `amount must be between ${formatMicros(limits.min)} and ${formatMicros(limits.max)} credits`,
    );
  }
  return run(ledger, {
    name: 'createPurchase',
    accountId: input.accountId,
    idempotency: input.idempotencyKey
      ? { scope: 'purchase-request', key: input.idempotencyKey, fingerprint: fingerprint([amount, input.method]) }
      : undefined,
    plan: (draft): Purchase => {
      const purchase: Purchase = {
        purchaseId: draft.id('pu'),
        accountId: input.accountId,
        status: 'pending',
        amount,
        method: input.method,
        provider: PROVIDER_OF[input.method],
        createdAt: draft.now,
        updatedAt: draft.now,
      };
      draft.write(purchaseItems.created(purchase));
      draft.write(purchaseItems.lookup(purchase));
      return purchase;
    },
  });
}

/**
 * Records the provider's checkout on a purchase. Called again on a retried request, with the
 * same checkout (providers create it idempotently by purchase id), it changes nothing.
 */
export async function attachCheckout(
  ledger: Ledger,
  purchase: Purchase,
  checkout: { checkoutUrl: string; providerRef: string },
): Promise<Purchase> {
  await ledger.table.transact(purchaseItems.checkoutAttached(purchase, checkout).map((write) => write.item));
  return { ...purchase, ...checkout };
}

// ---- reading ----

export async function getPurchase(ledger: Ledger, accountId: string, purchaseId: string): Promise<Purchase> {
  const item = await ledger.table.get(keys.purchase(accountId, purchaseId));
  if (!item) throw new NotFound(`no purchase ${purchaseId}`);
  return purchaseFromItem(item);
}

/** The account a purchase belongs to, from its id alone; undefined when there is no such purchase. */
export async function accountOfPurchase(ledger: Ledger, purchaseId: string): Promise<string | undefined> {
  return purchaseLookupFromItem(await ledger.table.get(keys.purchaseLookup(purchaseId)))?.accountId;
}

/** The purchase a provider checkout (a Spherepay payment link) belongs to. */
export async function purchaseOfCheckout(
  ledger: Ledger,
  provider: ProviderName,
  providerRef: string,
): Promise<{ accountId: string; purchaseId: string } | undefined> {
  return checkoutLookupFromItem(await ledger.table.get(keys.checkoutLookup(provider, providerRef)));
}

// ---- provider events ----

export type PaymentOutcome =
  | {
      kind: 'paid';
      /** What is credited: what the buyer paid, less the tax. */
      amount: Micros;
      /** The tax the provider reports on the payment (beside `amount`), for the receipt. */
      tax?: Micros;
      paymentRef?: string;
      /** How it was paid (card brand and last 4, USDC network and transaction hash), for the receipt. */
      payment?: PaymentDetails;
      /** The provider's hosted invoice, linked from the receipt. */
      invoiceUrl?: string;
      /** The provider's invoice, when the event names it without its page (read from the provider). */
      invoiceRef?: string;
    }
  /** `reason`: the provider's, for the user (a declined card, one that needs authentication). */
  | { kind: 'failed'; reason?: string }
  | { kind: 'expired' };

export interface PaymentEvent {
  provider: ProviderName;
  /** The provider's event id: each takes effect once. */
  eventId: string;
  accountId: string;
  purchaseId: string;
  outcome: PaymentOutcome;
}

export interface PaymentEventResult {
  purchaseId: string;
  status: PurchaseStatus;
  /** What this event did: `credited`, `failed`, `expired`, or `none` when the state made it moot. */
  effect: 'credited' | 'failed' | 'expired' | 'none';
  credited?: Micros;
  lotId?: string;
  /** The receipt of the purchase this event credited. */
  receiptNumber?: string;
}

function expiryOf(lot: { lotId: string; expiresAt: string | null }): string {
  assert(lot.expiresAt !== null, `purchased lot ${lot.lotId} expires`);
  return lot.expiresAt;
}

/**
 * What identifies a provider event's request, for its idempotency record: the payment's details
 * (read from the provider when the event is handled) are not part of it, so a redelivery whose
 * details read differently still replays rather than being refused.
 */
function requestOf(outcome: PaymentOutcome): unknown {
  if (outcome.kind !== 'paid') return outcome;
  return { kind: outcome.kind, amount: outcome.amount, paymentRef: outcome.paymentRef };
}

export async function applyPaymentEvent(ledger: Ledger, event: PaymentEvent): Promise<PaymentEventResult> {
  if (event.outcome.kind === 'paid' && event.outcome.amount <= 0)
    throw new InvalidRequest('a payment must be of a positive amount');
  return run(ledger, {
    name: 'applyPaymentEvent',
    accountId: event.accountId,
    ...(event.outcome.kind === 'paid' ? { sequenced: true as const } : {}),
    idempotency: {
      scope: 'provider-event',
      key: `${event.provider}:${event.eventId}`,
      fingerprint: fingerprint([event.purchaseId, requestOf(event.outcome)]),
      permanent: true,
    },
    plan: async (draft): Promise<PaymentEventResult> => {
      const purchase = await getPurchase(ledger, event.accountId, event.purchaseId);
      if (purchase.provider !== event.provider)
        throw new Conflict(
          `purchase ${purchase.purchaseId} is paid through ${purchase.provider}, not ${event.provider}`,
        );
      const { outcome } = event;
      const none = (): PaymentEventResult => ({
        purchaseId: purchase.purchaseId,
        status: purchase.status,
        effect: 'none',
      });

      if (outcome.kind === 'paid') {
        if (purchase.status === 'completed' || purchase.status === 'reversed') return none();
        return credit(ledger, draft, purchase, event.provider, outcome);
      }
      if (purchase.status !== 'pending') return none();
      const status = outcome.kind === 'failed' ? 'failed' : 'expired';
      draft.write(purchaseItems.changed(purchase, { ...purchase, status }, draft.now));
      if (purchase.autoTopUp)
        topUpEnded(draft, purchase, { paid: false, reason: outcome.kind === 'failed' ? outcome.reason : undefined });
      return { purchaseId: purchase.purchaseId, status, effect: status };
    },
  });
}

/**
 * A payment credits its purchase, in one transaction: the lot, the receipt with the next number
 * of the year (receipts.ts), the payment recorded (and the refunds and disputes held for it
 * applied), the purchase completed on condition that its status is still the one read.
 */
async function credit(
  ledger: Ledger,
  draft: Draft,
  purchase: Purchase,
  provider: ProviderName,
  outcome: Extract<PaymentOutcome, { kind: 'paid' }>,
): Promise<PaymentEventResult> {
  const lot = addPurchasedLot(draft, {
    amount: outcome.amount,
    source: provider,
    purchaseId: purchase.purchaseId,
    ...(purchase.autoTopUp ? { description: `Auto top-up of ${formatMicros(outcome.amount)} credits` } : {}),
  });
  const receipt = await issueReceipt(ledger, draft, {
    purchase,
    lotId: lot.lotId,
    expiresAt: expiryOf(lot),
    paid: outcome.amount,
    ...(outcome.tax ? { tax: outcome.tax } : {}),
    ...(outcome.payment ? { payment: outcome.payment } : {}),
    ...(outcome.invoiceUrl ? { invoiceUrl: outcome.invoiceUrl } : {}),
  });
  let after: Purchase = {
    ...purchase,
    status: 'completed',
    lotId: lot.lotId,
    paidAmount: outcome.amount,
    ...(outcome.tax ? { paidTax: outcome.tax } : {}),
    receiptNumber: receipt.number,
    ...(outcome.payment ? { payment: outcome.payment } : {}),
    ...(outcome.paymentRef ? { paymentRef: outcome.paymentRef } : {}),
  };
  if (outcome.paymentRef) after = await recordPayment(ledger, draft, after, provider, outcome.paymentRef);
  draft.write(purchaseItems.changed(purchase, after, draft.now));
  if (purchase.autoTopUp) topUpEnded(draft, purchase, { paid: true });
  return {
    purchaseId: purchase.purchaseId,
    status: after.status,
    effect: 'credited',
    credited: outcome.amount,
    lotId: lot.lotId,
    receiptNumber: receipt.number,
  };
}
