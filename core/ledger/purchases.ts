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
// A refund or dispute can arrive before the payment it is about. It is then held on the payment's
// lookup item, and the event that credits the purchase applies every held report in its own
// transaction, in arrival order, each with its own idempotency record, so it is never dropped and
// never applied twice; a condition on the lookup item makes holding and crediting race safely:
//
//   refund ──payment known?──yes──► reverse now
//               └─no──► hold on PAYMENT#… (only while it has no lotId) ──┐
//   payment ──credit the lot, apply what is held, set lotId (only if the held list is as read)

import { MAX_TOP_UP_FAILURES } from '../account.js';
import { assert } from '../assert.js';
import { Conflict, ContentionExhausted, InvalidRequest, NotFound } from '../errors.js';
import { idempotencyItem } from '../items/idempotency.js';
import { type LotRecord, lotFromItem } from '../items/lot.js';
import {
  checkoutLookupFromItem,
  type HeldReport,
  type PaymentLookup,
  type PaymentMethod,
  PROVIDER_OF,
  type ProviderName,
  type Purchase,
  type PurchaseStatus,
  paymentLookupFromItem,
  purchaseFromItem,
  purchaseItems,
  purchaseLookupFromItem,
  type ReversalReport,
} from '../items/purchase.js';
import { formatMicros, type Micros, max, micros, ZERO } from '../money.js';
import { keys } from '../table/keys.js';
import { type Draft, itemIsNew } from './draft.js';
import { addPurchasedLot } from './grants.js';
import { fingerprint, type Ledger, run } from './ledger.js';
import { reverseLot } from './reversal.js';

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
  | { kind: 'paid'; amount: Micros; paymentRef?: string }
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
}

export async function applyPaymentEvent(ledger: Ledger, event: PaymentEvent): Promise<PaymentEventResult> {
  if (event.outcome.kind === 'paid' && event.outcome.amount <= 0)
    throw new InvalidRequest('a payment must be of a positive amount');
  return run(ledger, {
    name: 'applyPaymentEvent',
    accountId: event.accountId,
    idempotency: {
      scope: 'provider-event',
      key: `${event.provider}:${event.eventId}`,
      fingerprint: fingerprint([event.purchaseId, event.outcome]),
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
        const lot = addPurchasedLot(draft, {
          amount: outcome.amount,
          source: event.provider,
          purchaseId: purchase.purchaseId,
          ...(purchase.autoTopUp ? { description: `Auto top-up of ${formatMicros(outcome.amount)} credits` } : {}),
        });
        let after: Purchase = {
          ...purchase,
          status: 'completed',
          lotId: lot.lotId,
          paidAmount: outcome.amount,
          ...(outcome.paymentRef ? { paymentRef: outcome.paymentRef } : {}),
        };
        if (outcome.paymentRef) after = await recordPayment(ledger, draft, after, event.provider, outcome.paymentRef);
        draft.write(purchaseItems.changed(purchase, after, draft.now));
        if (purchase.autoTopUp) topUpEnded(draft, purchase, { paid: true });
        return {
          purchaseId: purchase.purchaseId,
          status: after.status,
          effect: 'credited',
          credited: outcome.amount,
          lotId: lot.lotId,
        };
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
 * An automatic top-up ended (SPEC §8): it is no longer in flight; a success clears the failures,
 * a failure tells the user why, gives its amount back to the month's limit, and the third in a row
 * turns auto top-up off. After a failure no new top-up starts in the same transaction.
 */
function topUpEnded(draft: Draft, purchase: Purchase, end: { paid: true } | { paid: false; reason?: string }): void {
  const settings = draft.state.autoTopUp;
  if (!settings) return;
  const wasInFlight = settings.inFlight === purchase.purchaseId;
  const amount = formatMicros(purchase.amount);
  if (end.paid) {
    draft.state.autoTopUp = { ...settings, failures: 0, inFlight: wasInFlight ? null : settings.inFlight };
    draft.event('auto_top_up.succeeded', { purchaseId: purchase.purchaseId, amount });
    return;
  }
  const failures = settings.failures + 1;
  const sameMonth = settings.month === purchase.createdAt.slice(0, 7);
  const turnedOff = failures >= MAX_TOP_UP_FAILURES;
  draft.state.autoTopUp = {
    ...settings,
    failures,
    enabled: settings.enabled && !turnedOff,
    inFlight: wasInFlight ? null : settings.inFlight,
    spent: sameMonth ? max(ZERO, micros(settings.spent - purchase.amount)) : settings.spent,
  };
  draft.holdTopUps = true;
  const why = end.reason ? ` (${end.reason.replace(/_/g, ' ')})` : '';
  draft.event('auto_top_up.failed', {
    purchaseId: purchase.purchaseId,
    amount,
    reason: end.reason ?? null,
    failuresInARow: failures,
    turnedOff,
  });
  draft.notify('top_up_failed', `The automatic top-up of ${amount} credits failed${why}: the card was not charged.`);
  if (turnedOff)
    draft.notify(
      'auto_top_up_disabled',
      `Auto top-up is off: ${failures} top-ups in a row failed${why}. Update your card and turn it on again.`,
    );
}

/** The most refunds and disputes held for one payment not yet recorded. */
export const MAX_HELD_REPORTS = 20;

/**
 * Within the operation that credits a purchase: records its payment (so refunds and disputes find
 * it) and applies the reports held for it, in arrival order. The lookup item is written only if it
 * is as the plan read it; a report held meanwhile makes the operation plan again.
 */
async function recordPayment(
  ledger: Ledger,
  draft: Draft,
  purchase: Purchase,
  provider: ProviderName,
  paymentRef: string,
): Promise<Purchase> {
  const key = keys.paymentLookup(provider, paymentRef);
  const stored = await ledger.table.get(key);
  const lookup = paymentLookupFromItem(stored);
  if (lookup?.lotId !== undefined)
    throw new Conflict(`payment ${paymentRef} is already recorded for purchase ${String(lookup.purchaseId)}`);
  const held = lookup?.held ?? [];
  const lotId = purchase.lotId;
  assert(lotId !== undefined, 'a credited purchase has its lot');
  let after = purchase;
  for (const { eventId, report } of held) {
    // The lot as this transaction puts it, with what earlier held reports reversed of it.
    const planned = draft.plannedPut(keys.lot(draft.accountId, lotId));
    assert(planned !== undefined, "the purchase's lot is put in this transaction");
    const applied = applyReport(draft, after, lotFromItem(planned), provider, paymentRef, report);
    after = applied.purchase;
    const idempotency = {
      scope: 'provider-event',
      key: `${provider}:${eventId}`,
      fingerprint: reportFingerprint(paymentRef, report),
      permanent: true,
    };
    draft.put(
      idempotencyItem(draft.accountId, idempotency, draft.nowMs, draft.config.idempotencyTtlMs, applied.result),
      itemIsNew,
    );
  }
  draft.put(
    {
      ...stored,
      ...key,
      itemType: 'paymentLookup',
      accountId: draft.accountId,
      purchaseId: purchase.purchaseId,
      lotId: purchase.lotId,
    },
    lookup
      ? {
          expression: 'attribute_not_exists(lotId) AND size(held) = :held',
          values: { ':held': held.length },
          onFailed: 'retry',
        }
      : { expression: 'attribute_not_exists(pk)', onFailed: 'retry' },
  );
  return after;
}

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

export type PaymentReversalOutcome = { applied: PaymentReversalResult } | { held: true };

const reportFingerprint = (paymentRef: string, report: ReversalReport) => fingerprint([paymentRef, report]);

/**
 * A card refund or dispute reported by the provider: reverses the unspent part of the purchase's
 * lot and turns the spent part into debt, and flags the account. A report about a payment not yet
 * recorded (the provider sent it first, or it is another product's payment on the same provider
 * account) is held until that payment is credited.
 */
export async function reversePayment(ledger: Ledger, input: PaymentReversal): Promise<PaymentReversalOutcome> {
  for (let round = 0; round < HOLD_ROUNDS; round += 1) {
    const lookup = paymentLookupFromItem(await ledger.table.get(keys.paymentLookup(input.provider, input.paymentRef)));
    if (lookup?.lotId !== undefined) return { applied: await reverseRecordedPayment(ledger, input, lookup) };
    if (await holdReport(ledger, input)) return { held: true };
  }
  throw new ContentionExhausted(
    `payment ${input.paymentRef} changed ${HOLD_ROUNDS} times while a report about it was held; retry`,
  );
}

/** Rounds of "recorded? else hold" one report tries; each lost round means the payment was just recorded. */
const HOLD_ROUNDS = 3;

async function reverseRecordedPayment(
  ledger: Ledger,
  input: PaymentReversal,
  lookup: PaymentLookup,
): Promise<PaymentReversalResult> {
  const { accountId, purchaseId, lotId } = lookup;
  assert(
    accountId !== undefined && purchaseId !== undefined && lotId !== undefined,
    'a recorded payment names its purchase',
  );
  return run(ledger, {
    name: 'reversePayment',
    accountId,
    idempotency: {
      scope: 'provider-event',
      key: `${input.provider}:${input.eventId}`,
      fingerprint: reportFingerprint(input.paymentRef, input.report),
      permanent: true,
    },
    plan: async (draft): Promise<PaymentReversalResult> => {
      const purchase = await getPurchase(ledger, accountId, purchaseId);
      const lotItem = await ledger.table.get(keys.lot(accountId, lotId));
      if (!lotItem) throw new NotFound(`no lot ${lotId} for purchase ${purchaseId}`);
      const applied = applyReport(
        draft,
        purchase,
        lotFromItem(lotItem),
        input.provider,
        input.paymentRef,
        input.report,
      );
      if (applied.purchase !== purchase) draft.write(purchaseItems.changed(purchase, applied.purchase, draft.now));
      return applied.result;
    },
  });
}

/**
 * Holds a report on the payment's lookup item while the payment is not recorded. True when it is
 * held (now or by an earlier delivery of the same event); false when the payment was recorded
 * meanwhile, so the report must be applied instead.
 */
async function holdReport(ledger: Ledger, input: PaymentReversal): Promise<boolean> {
  const key = keys.paymentLookup(input.provider, input.paymentRef);
  const held: HeldReport = { eventId: input.eventId, report: input.report };
  const stored = await ledger.table.update({
    Key: key,
    UpdateExpression:
      'SET itemType = :type, held = list_append(if_not_exists(held, :none), :held), heldAt = ' +
      'if_not_exists(heldAt, :now) ADD heldEventIds :ids',
    ConditionExpression:
      'attribute_not_exists(lotId) AND (attribute_not_exists(heldEventIds) OR NOT contains(heldEventIds, ' +
      ':eventId)) AND (attribute_not_exists(held) OR size(held) < :max)',
    ExpressionAttributeValues: {
      ':type': 'paymentLookup',
      ':none': [],
      ':held': [held],
      ':now': new Date(ledger.nowMs()).toISOString(),
      ':ids': new Set([input.eventId]),
      ':eventId': input.eventId,
      ':max': MAX_HELD_REPORTS,
    },
  });
  if (stored) return true;
  const lookup = paymentLookupFromItem(await ledger.table.get(key));
  if (lookup?.lotId !== undefined) return false;
  if (lookup?.heldEventIds.has(input.eventId)) return true;
  if ((lookup?.held.length ?? 0) >= MAX_HELD_REPORTS)
    throw new Conflict(
      `${MAX_HELD_REPORTS} reports are already held for payment ${input.paymentRef}, which was never credited`,
    );
  return false;
}

/**
 * What one refund or dispute report does to a credited purchase, within an operation: the part
 * not reversed yet comes back from its lot (reversal.reverseLot). Refund reports carry the
 * provider's running total, so an older one arriving after a newer one asks for nothing.
 */
function applyReport(
  draft: Draft,
  purchase: Purchase,
  lot: LotRecord,
  provider: ProviderName,
  paymentRef: string,
  report: ReversalReport,
): { purchase: Purchase; result: PaymentReversalResult } {
  const refundedBefore = purchase.providerRefunded ?? ZERO;
  const asked = report.kind === 'refund' ? micros(report.totalRefunded - refundedBefore) : report.amount;
  const nothing: PaymentReversalResult = {
    purchaseId: purchase.purchaseId,
    reversed: ZERO,
    debtCreated: ZERO,
    balance: draft.balance(),
  };
  if (asked <= 0) return { purchase, result: nothing };
  const reference =
    report.kind === 'refund'
      ? `${provider}:refund:${paymentRef}:${report.totalRefunded}`
      : `${provider}:dispute:${report.disputeId}`;
  const reversal = reverseLot(draft, lot, { lotId: lot.lotId, amount: asked, kind: report.kind, reference });
  return {
    purchase: {
      ...purchase,
      ...(reversal.reversed > 0 ? { status: 'reversed' as const } : {}),
      reversedAmount: micros((purchase.reversedAmount ?? 0) + reversal.reversed),
      ...(report.kind === 'refund' ? { providerRefunded: report.totalRefunded } : {}),
    },
    result: {
      purchaseId: purchase.purchaseId,
      reversed: reversal.reversed,
      debtCreated: reversal.debtCreated,
      balance: reversal.balance,
    },
  };
}
