// Receipts and credit notes (SPEC §11): issued within the operation that credits a purchase
// (purchases.ts) or reverses it at the provider's word (provider-reversals.ts), so a document and
// the money it documents commit together or not at all, and a number is taken only by a
// transaction that commits: the yearly sequences have no gaps and give no number twice
// (items/receipt.ts). A purchase is credited once (its status is a condition of the credit), so it
// gets one receipt however often its payment event arrives.

import { assert } from '../assert.js';
import { InvalidRequest, NotFound } from '../errors.js';
import { billingProfileFromItem } from '../items/billing-profile.js';
import type { Purchase } from '../items/purchase.js';
import {
  type BillingDocument,
  type CreditNote,
  type DocumentKind,
  documentFromItem,
  documentItems,
  documentNumber,
  type PaymentDetails,
  parseDocumentNumber,
  type Receipt,
  sequenceFromItem,
} from '../items/receipt.js';
import { add, type Micros, ZERO } from '../money.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import type { Item } from '../table/table.js';
import type { Draft } from './draft.js';
import type { Ledger } from './ledger.js';

/**
 * Takes the next `count` numbers of a kind's sequence for the draft's year: the counter is read
 * (consistently) and its advance written with the draft, on condition that nobody moved it since.
 * One call per kind per operation: a transaction may write the counter only once.
 */
async function takeNumbers(ledger: Ledger, draft: Draft, kind: DocumentKind, count: number): Promise<string[]> {
  assert(count >= 1, 'at least one number is taken');
  const year = new Date(draft.nowMs).getUTCFullYear();
  const last = sequenceFromItem(await ledger.table.get(keys.documentSequence(kind, year)));
  draft.write(documentItems.advanced(kind, year, last, count));
  return Array.from({ length: count }, (_, i) => documentNumber(kind, year, last + 1 + i));
}

async function buyerOf(ledger: Ledger, accountId: string) {
  return billingProfileFromItem(await ledger.table.get(keys.billingProfile(accountId)));
}

export interface PaidPurchase {
  purchase: Purchase;
  lotId: string;
  expiresAt: string;
  /** What the provider reported as paid: what was credited. */
  paid: Micros;
  /** The tax the provider reported on top of `paid`; zero when it reported none. */
  tax?: Micros;
  payment?: PaymentDetails;
  invoiceUrl?: string;
}

/** Within the operation that credits a purchase: its receipt, numbered from the year's sequence. */
export async function issueReceipt(ledger: Ledger, draft: Draft, paid: PaidPurchase): Promise<Receipt> {
  const [number] = await takeNumbers(ledger, draft, 'receipt', 1);
  const buyer = await buyerOf(ledger, draft.accountId);
  const { purchase } = paid;
  const receipt: Receipt = {
    kind: 'receipt',
    number: number!,
    accountId: draft.accountId,
    purchaseId: purchase.purchaseId,
    lotId: paid.lotId,
    paidAt: draft.now,
    method: purchase.method,
    ...(purchase.autoTopUp ? { autoTopUp: true as const } : {}),
    ...(paid.payment ? { payment: paid.payment } : {}),
    ...(buyer ? { buyer } : {}),
    expiresAt: paid.expiresAt,
    amount: paid.paid,
    // As the provider reported it (Stripe's total_details.amount_tax), else zero.
    tax: paid.tax ?? ZERO,
    total: add(paid.paid, paid.tax ?? ZERO),
    ...(paid.invoiceUrl ? { invoiceUrl: paid.invoiceUrl } : {}),
  };
  draft.write(documentItems.issued(receipt));
  return receipt;
}

export interface Correction {
  purchase: Purchase;
  reason: 'refund' | 'dispute';
  reference: string;
  /** The credit the reversal took back from the purchase's lot. */
  amount: Micros;
}

/** Within the operation that reverses purchases: a credit note for each correction, in order. */
export async function issueCreditNotes(ledger: Ledger, draft: Draft, corrections: Correction[]): Promise<CreditNote[]> {
  const due = corrections.filter((c) => c.amount > 0);
  if (due.length === 0) return [];
  const numbers = await takeNumbers(ledger, draft, 'credit_note', due.length);
  const buyer = await buyerOf(ledger, draft.accountId);
  return due.map((correction, i) => {
    const note: CreditNote = {
      kind: 'credit_note',
      number: numbers[i]!,
      accountId: draft.accountId,
      purchaseId: correction.purchase.purchaseId,
      ...(correction.purchase.receiptNumber ? { receiptNumber: correction.purchase.receiptNumber } : {}),
      issuedAt: draft.now,
      reason: correction.reason,
      reference: correction.reference,
      ...(buyer ? { buyer } : {}),
      amount: correction.amount,
    };
    draft.write(documentItems.issued(note));
    return note;
  });
}

// ---- reading ----

/** Documents per page of a list, at most. */
export const MAX_DOCUMENTS_PAGE = 100;

/** One of the account's documents by its number; another account's number is not found. */
export async function getDocument(ledger: Ledger, accountId: string, number: string): Promise<BillingDocument> {
  const parsed = parseDocumentNumber(number);
  if (!parsed) throw new InvalidRequest(`${number} is not a receipt or credit note number`);
  const item = await ledger.table.get(keys.billingDocument(accountId, parsed.kind, number));
  if (!item) throw new NotFound(`no ${parsed.kind === 'receipt' ? 'receipt' : 'credit note'} ${number}`);
  const document = documentFromItem(item);
  assert(document.accountId === accountId && document.number === number, `document ${number} is where its key says`);
  return document;
}

/** The account's receipts or credit notes, newest first (numbers sort by year, then sequence). */
export async function listDocuments(
  ledger: Ledger,
  input: { accountId: string; kind: DocumentKind; limit: number; after?: Item },
): Promise<{ items: BillingDocument[]; lastKey?: Item }> {
  assert(input.limit >= 1 && input.limit <= MAX_DOCUMENTS_PAGE, `a page holds 1 to ${MAX_DOCUMENTS_PAGE}`);
  const out = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.accountPk(input.accountId),
      ':prefix': input.kind === 'receipt' ? SK_PREFIX.receipt : SK_PREFIX.creditNote,
    },
    ScanIndexForward: false,
    Limit: input.limit,
    ExclusiveStartKey: input.after,
  });
  return { items: out.items.map(documentFromItem), ...(out.lastKey ? { lastKey: out.lastKey } : {}) };
}
