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

import { Conflict, InvalidRequest, NotFound } from '../errors.js';
import { formatMicros, type Micros, micros, ZERO } from '../money.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { type Draft, itemIsNew } from './draft.js';
import { addPurchasedLot } from './grants.js';
import { fingerprint, type Ledger, run } from './ledger.js';
import { reverseLot } from './reversal.js';

export type PurchaseStatus = 'pending' | 'completed' | 'failed' | 'expired' | 'reversed';
export type PaymentMethod = 'card' | 'usdc';
export type ProviderName = 'stripe' | 'spherepay';

export const PROVIDER_OF: Record<PaymentMethod, ProviderName> = { card: 'stripe', usdc: 'spherepay' };

export interface Purchase {
  purchaseId: string;
  accountId: string;
  status: PurchaseStatus;
  /** What the user asked to buy. */
  amount: Micros;
  method: PaymentMethod;
  provider: ProviderName;
  createdAt: string;
  updatedAt: string;
  checkoutUrl?: string;
  /** The provider's id of the checkout (a Stripe Checkout Session, a Spherepay payment link). */
  providerRef?: string;
  /** The provider's id of the payment (a Stripe PaymentIntent), once paid. */
  paymentRef?: string;
  lotId?: string;
  /** What the provider reported as paid, and so what was credited. */
  paidAmount?: Micros;
  /** Taken back by provider refunds and disputes. */
  reversedAmount?: Micros;
  /** The provider's running total of refunds, as its refund events report it. */
  providerRefunded?: Micros;
}

export interface PurchaseLimits {
  min: Micros;
  max: Micros;
}

export const DEFAULT_PURCHASE_LIMITS: PurchaseLimits = { min: micros(5_000_000), max: micros(10_000_000_000) };

// ---- creating ----

export async function createPurchase(
  ledger: Ledger,
  input: { accountId: string; amount: Micros; method: PaymentMethod; limits: PurchaseLimits; idempotencyKey?: string },
): Promise<Purchase> {
  const { amount, limits } = input;
  if (amount < limits.min || amount > limits.max) {
    throw new InvalidRequest(`amount must be between ${formatMicros(limits.min)} and ${formatMicros(limits.max)} credits`);
  }
  return run(ledger, {
    name: 'createPurchase',
    accountId: input.accountId,
    idempotency: input.idempotencyKey ? { scope: 'purchase-request', key: input.idempotencyKey, fingerprint: fingerprint([amount, input.method]) } : undefined,
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
      draft.put({ ...keys.purchase(input.accountId, purchase.purchaseId), itemType: 'purchase', ...purchase }, itemIsNew);
      draft.put({ ...keys.purchaseLookup(purchase.purchaseId), itemType: 'purchaseLookup', accountId: input.accountId }, itemIsNew);
      return purchase;
    },
  });
}

/**
 * Records the provider's checkout on a purchase. Called again on a retried request, with the
 * same checkout (providers create it idempotently by purchase id), it changes nothing.
 */
export async function attachCheckout(ledger: Ledger, purchase: Purchase, checkout: { checkoutUrl: string; providerRef: string }): Promise<Purchase> {
  await ledger.table.transact([
    {
      Update: {
        Key: keys.purchase(purchase.accountId, purchase.purchaseId),
        UpdateExpression: 'SET checkoutUrl = :url, providerRef = :ref',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(providerRef) OR providerRef = :ref)',
        ExpressionAttributeValues: { ':url': checkout.checkoutUrl, ':ref': checkout.providerRef },
      },
    },
    {
      Put: {
        Item: { ...keys.checkoutLookup(purchase.provider, checkout.providerRef), itemType: 'checkoutLookup', accountId: purchase.accountId, purchaseId: purchase.purchaseId },
      },
    },
  ]);
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
  const lookup = await ledger.table.get(keys.purchaseLookup(purchaseId));
  return lookup?.accountId as string | undefined;
}

/** The purchase a provider checkout (a Spherepay payment link) belongs to. */
export async function purchaseOfCheckout(ledger: Ledger, provider: ProviderName, providerRef: string): Promise<{ accountId: string; purchaseId: string } | undefined> {
  const lookup = await ledger.table.get(keys.checkoutLookup(provider, providerRef));
  return lookup ? { accountId: lookup.accountId as string, purchaseId: lookup.purchaseId as string } : undefined;
}

// ---- provider events ----

export type PaymentOutcome =
  | { kind: 'paid'; amount: Micros; paymentRef?: string }
  | { kind: 'failed' }
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
}

export async function applyPaymentEvent(ledger: Ledger, event: PaymentEvent): Promise<PaymentEventResult> {
  if (event.outcome.kind === 'paid' && event.outcome.amount <= 0) throw new InvalidRequest('a payment must be of a positive amount');
  return run(ledger, {
    name: 'applyPaymentEvent',
    accountId: event.accountId,
    idempotency: { scope: 'provider-event', key: `${event.provider}:${event.eventId}`, fingerprint: fingerprint([event.purchaseId, event.outcome]), permanent: true },
    plan: async (draft): Promise<PaymentEventResult> => {
      const purchase = await getPurchase(ledger, event.accountId, event.purchaseId);
      if (purchase.provider !== event.provider) throw new Conflict(`purchase ${purchase.purchaseId} is paid through ${purchase.provider}, not ${event.provider}`);
      const { outcome } = event;
      const none = (): PaymentEventResult => ({ purchaseId: purchase.purchaseId, status: purchase.status, effect: 'none' });

      if (outcome.kind === 'paid') {
        if (purchase.status === 'completed' || purchase.status === 'reversed') return none();
        const lot = addPurchasedLot(draft, { amount: outcome.amount, source: event.provider, purchaseId: purchase.purchaseId });
        updatePurchase(draft, purchase, { status: 'completed', lotId: lot.lotId, paidAmount: outcome.amount, ...(outcome.paymentRef ? { paymentRef: outcome.paymentRef } : {}) });
        if (outcome.paymentRef) {
          draft.put({ ...keys.paymentLookup(event.provider, outcome.paymentRef), itemType: 'paymentLookup', accountId: event.accountId, purchaseId: purchase.purchaseId, lotId: lot.lotId });
        }
        return { purchaseId: purchase.purchaseId, status: 'completed', effect: 'credited', credited: outcome.amount, lotId: lot.lotId };
      }
      if (purchase.status !== 'pending') return none();
      const status = outcome.kind === 'failed' ? 'failed' : 'expired';
      updatePurchase(draft, purchase, { status });
      return { purchaseId: purchase.purchaseId, status, effect: status };
    },
  });
}

export type ReversalReport =
  | { kind: 'refund'; /** The provider's running total refunded on this payment. */ totalRefunded: Micros }
  | { kind: 'dispute'; amount: Micros; disputeId: string };

export interface PaymentReversal {
  provider: ProviderName;
  eventId: string;
  /** The provider's payment the refund or dispute is about. */
  paymentRef: string;
  report: ReversalReport;
}

export interface PaymentReversalResult {
  purchaseId: string;
  reversed: Micros;
  debtCreated: Micros;
  balance: Micros;
}

/**
 * A card refund or dispute reported by the provider: reverses the unspent part of the purchase's
 * lot and turns the spent part into debt, and flags the account. Undefined when the payment is
 * not one of ours (another product on the same provider account).
 */
export async function reversePayment(ledger: Ledger, input: PaymentReversal): Promise<PaymentReversalResult | undefined> {
  const lookup = await ledger.table.get(keys.paymentLookup(input.provider, input.paymentRef));
  if (!lookup) return undefined;
  const accountId = lookup.accountId as string;
  const purchaseId = lookup.purchaseId as string;
  const lotId = lookup.lotId as string;
  return run(ledger, {
    name: 'reversePayment',
    accountId,
    idempotency: { scope: 'provider-event', key: `${input.provider}:${input.eventId}`, fingerprint: fingerprint([input.paymentRef, input.report]), permanent: true },
    plan: async (draft): Promise<PaymentReversalResult> => {
      const purchase = await getPurchase(ledger, accountId, purchaseId);
      const lotItem = await ledger.table.get(keys.lot(accountId, lotId));
      if (!lotItem) throw new NotFound(`no lot ${lotId} for purchase ${purchaseId}`);
      const { report } = input;
      const refundedBefore = purchase.providerRefunded ?? ZERO;
      const asked = report.kind === 'refund' ? micros(report.totalRefunded - refundedBefore) : report.amount;
      if (asked <= 0) return { purchaseId, reversed: ZERO, debtCreated: ZERO, balance: draft.balance() };
      const reference = report.kind === 'refund' ? `${input.provider}:refund:${input.paymentRef}:${report.totalRefunded}` : `${input.provider}:dispute:${report.disputeId}`;
      const result = reverseLot(draft, lotItem, { lotId, amount: asked, kind: report.kind, reference });
      updatePurchase(draft, purchase, {
        ...(result.reversed > 0 ? { status: 'reversed' as const } : {}),
        reversedAmount: micros((purchase.reversedAmount ?? 0) + result.reversed),
        ...(report.kind === 'refund' ? { providerRefunded: report.totalRefunded } : {}),
      });
      draft.touch();
      return { purchaseId, reversed: result.reversed, debtCreated: result.debtCreated, balance: result.balance };
    },
  });
}

// ---- items ----

function updatePurchase(draft: Draft, purchase: Purchase, changes: Partial<Purchase>): void {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':before': purchase.status, ':now': draft.now };
  const sets = ['updatedAt = :now'];
  for (const [field, value] of Object.entries(changes)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  draft.write(
    {
      Update: {
        Key: keys.purchase(purchase.accountId, purchase.purchaseId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#status = :before',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    () => new Conflict(`purchase ${purchase.purchaseId} changed concurrently`),
  );
}

export function purchaseFromItem(item: Item): Purchase {
  const optional = <K extends keyof Purchase>(key: K) => (item[key] === undefined ? {} : { [key]: item[key] as Purchase[K] });
  return {
    purchaseId: item.purchaseId as string,
    accountId: item.accountId as string,
    status: item.status as PurchaseStatus,
    amount: micros(item.amount as number),
    method: item.method as PaymentMethod,
    provider: item.provider as ProviderName,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    ...optional('checkoutUrl'),
    ...optional('providerRef'),
    ...optional('paymentRef'),
    ...optional('lotId'),
    ...optional('paidAmount'),
    ...optional('reversedAmount'),
    ...optional('providerRefunded'),
  };
}
