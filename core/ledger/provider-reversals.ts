// Card refunds and disputes reported by the payment provider (SPEC §4): the unspent part of the
// purchase's lot is taken back and the spent part becomes debt (reversal.reverseLot), once per
// provider event. Reports carry the provider's payment id, which the crediting event records with
// the purchase (recordPayment). A refund or dispute can arrive before the payment it is about: it
// is then held on the payment's lookup item, and the event that credits the purchase applies every
// held report in its own transaction, in arrival order, each with its own idempotency record, so it
// is never dropped and never applied twice; a condition on the lookup item makes holding and
// crediting race safely:
//
//   refund ──payment known?──yes──► reverse now
//               └─no──► hold on PAYMENT#… (only while it has no lotId) ──┐
//   payment ──credit the lot, apply what is held, set lotId (only if the held list is as read)

import { assert } from '../assert.js';
import { Conflict, ContentionExhausted, NotFound } from '../errors.js';
import { idempotencyItem } from '../items/idempotency.js';
import { type LotRecord } from '../items/lot.js';
import { lotFromItem } from '../items/lot-read.js';
import {
  type HeldReport,
  type PaymentLookup,
  paymentLookupFromItem,
  type ReversalReport,
} from '../items/payment-lookup.js';
import { type ProviderName, type Purchase, purchaseItems } from '../items/purchase.js';
import { purchaseFromItem } from '../items/purchase-read.js';
import { type Micros, micros, ZERO } from '../money.js';
import { keys } from '../table/keys.js';
import { run } from './commit.js';
import { type Draft, itemIsNew } from './draft.js';
import { fingerprint, type Ledger } from './ledger.js';
import { type Correction, issueCreditNotes } from './receipts.js';
import { reverseLot } from './reversal.js';

/** The most refunds and disputes held for one payment not yet recorded. */
export const MAX_HELD_REPORTS = 20;

/**
 * Within the operation that credits a purchase: records its payment (so refunds and disputes find
 * it) and applies the reports held for it, in arrival order. The lookup item is written only if it
 * is as the plan read it; a report held meanwhile makes the operation plan again.
 */
export async function recordPayment(
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
  const corrections: Correction[] = [];
  for (const { eventId, report } of held) {
    // The lot as this transaction puts it, with what earlier held reports reversed of it.
    const planned = draft.plannedPut(keys.lot(draft.accountId, lotId));
    assert(planned !== undefined, "the purchase's lot is put in this transaction");
    const applied = applyReport(draft, after, lotFromItem(planned), provider, paymentRef, report);
    after = applied.purchase;
    if (applied.correction) corrections.push(applied.correction);
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
  await issueCreditNotes(ledger, draft, corrections);
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
  /** The credit note issued for what this report reversed (SPEC §11). */
  creditNoteNumber?: string;
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
    sequenced: true,
    idempotency: {
      scope: 'provider-event',
      key: `${input.provider}:${input.eventId}`,
      fingerprint: reportFingerprint(input.paymentRef, input.report),
      permanent: true,
    },
    plan: async (draft): Promise<PaymentReversalResult> => {
      const purchaseItem = await ledger.table.get(keys.purchase(accountId, purchaseId));
      if (!purchaseItem) throw new NotFound(`no purchase ${purchaseId}`);
      const purchase = purchaseFromItem(purchaseItem);
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
      const [note] = await issueCreditNotes(ledger, draft, applied.correction ? [applied.correction] : []);
      return { ...applied.result, ...(note ? { creditNoteNumber: note.number } : {}) };
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
): { purchase: Purchase; result: PaymentReversalResult; correction?: Correction } {
  const refundedBefore = purchase.providerRefunded ?? ZERO;
  // Refunds in parts of the running total, so that the parts add up to exactly the credit bought.
  const asked =
    report.kind === 'refund'
      ? micros(creditPartOf(purchase, report.totalRefunded) - creditPartOf(purchase, refundedBefore))
      : creditPartOf(purchase, report.amount);
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
  const correction: Correction | undefined =
    reversal.reversed > 0 ? { purchase, reason: report.kind, reference, amount: reversal.reversed } : undefined;
  return {
    ...(correction ? { correction } : {}),
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

/**
 * The credit a provider's refund or dispute of `taken` reverses: all of it, unless tax was paid on
 * top of the credit, then the part the credit is of what was paid (rounded down, to the user).
 * A refund of the whole payment reverses exactly the credit bought.
 */
export function creditPartOf(purchase: Purchase, taken: Micros): Micros {
  const tax = purchase.paidTax ?? ZERO;
  const paid = purchase.paidAmount;
  if (tax <= 0 || paid === undefined || taken <= 0) return taken;
  return micros(Number((BigInt(taken) * BigInt(paid)) / BigInt(paid + tax)));
}
