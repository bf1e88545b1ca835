// Receipts and credit notes (SPEC §11), and the yearly sequences that number them. A document is
// written once, in the transaction that credits the purchase (a receipt) or reverses it at the
// provider's word (a credit note), and never changed. Its number comes from one counter per kind
// and UTC year, shared by every account and method: the transaction advances the counter from the
// value its plan read, so a number is taken only by a transaction that commits, and two
// transactions can never take the same one:
//
//   plan reads SEQ#receipt / 2026 = {last: 41} ──► transaction: counter 41 → 42 (only if still 41)
//                                                  + receipt IOC-2026-000042 (only if new)
//                                                  + the purchase credited (only if still pending)
//   another purchase took 42 first ──► the counter's condition fails, nothing is written, plan again

import * as z from 'zod';
import { assert } from '../assert.js';
import type { Micros } from '../money.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { type BillingProfile, billingProfileShape } from './billing-profile.js';
import { type ItemWrite, isoField, microsField, readItem } from './fields.js';
import { type PaymentDetails, paymentDetailsShape } from './payment-details.js';

export type { PaymentDetails } from './payment-details.js';

export const DOCUMENT_KINDS = ['receipt', 'credit_note'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Numbers per kind and year: six digits, as the format promises. */
export const MAX_DOCUMENTS_PER_YEAR = 999_999;

const PREFIX: Record<DocumentKind, string> = { receipt: 'IOC-', credit_note: 'IOC-CN-' };
const NUMBER = /^IOC-(CN-)?(\d{4})-(\d{6})$/;

/** `IOC-2026-000042` or `IOC-CN-2026-000007`. */
export function documentNumber(kind: DocumentKind, year: number, sequence: number): string {
  assert(Number.isInteger(year) && year >= 1970 && year <= 9999, `year ${year} has four digits`);
  assert(
    Number.isInteger(sequence) && sequence >= 1 && sequence <= MAX_DOCUMENTS_PER_YEAR,
    `sequence ${sequence} fits in six digits`,
  );
  return `${PREFIX[kind]}${year}-${String(sequence).padStart(6, '0')}`;
}

/** What a document number names, or undefined when it is not one. */
export function parseDocumentNumber(text: string): { kind: DocumentKind; year: number; sequence: number } | undefined {
  const match = NUMBER.exec(text);
  if (!match) return undefined;
  const sequence = Number(match[3]);
  if (sequence === 0) return undefined;
  return { kind: match[1] ? 'credit_note' : 'receipt', year: Number(match[2]), sequence };
}

export interface Receipt {
  kind: 'receipt';
  number: string;
  accountId: string;
  purchaseId: string;
  lotId: string;
  /** When the purchase was credited: the date paid. */
  paidAt: string;
  method: 'card' | 'usdc';
  autoTopUp?: true;
  payment?: PaymentDetails;
  /** The buyer's billing profile as it was when the purchase was paid; absent when there was none. */
  buyer?: BillingProfile;
  /** The lot's expiry: the receipt's line says when the credit expires. */
  expiresAt: string;
  amount: Micros;
  /** As the provider reported it, else zero. */
  tax: Micros;
  total: Micros;
  /** The provider's hosted invoice (Stripe, with STRIPE_INVOICES=true). */
  invoiceUrl?: string;
}

export interface CreditNote {
  kind: 'credit_note';
  number: string;
  accountId: string;
  purchaseId: string;
  /** The receipt it corrects; absent for a purchase credited before receipts were numbered. */
  receiptNumber?: string;
  issuedAt: string;
  reason: 'refund' | 'dispute';
  /** The provider's reference of the refund or dispute. */
  reference: string;
  buyer?: BillingProfile;
  /** The part of the receipt's total the provider gave back. */
  amount: Micros;
}

export type BillingDocument = Receipt | CreditNote;

const receiptShape = z.object({
  kind: z.literal('receipt'),
  number: z.string().regex(NUMBER),
  accountId: z.string(),
  purchaseId: z.string(),
  lotId: z.string(),
  paidAt: isoField,
  method: z.enum(['card', 'usdc']),
  autoTopUp: z.literal(true).optional(),
  payment: paymentDetailsShape.optional(),
  buyer: billingProfileShape.optional(),
  expiresAt: isoField,
  amount: microsField,
  tax: microsField,
  total: microsField,
  invoiceUrl: z.string().optional(),
}) satisfies z.ZodType<Receipt, unknown>;

const creditNoteShape = z.object({
  kind: z.literal('credit_note'),
  number: z.string().regex(NUMBER),
  accountId: z.string(),
  purchaseId: z.string(),
  receiptNumber: z.string().regex(NUMBER).optional(),
  issuedAt: isoField,
  reason: z.enum(['refund', 'dispute']),
  reference: z.string(),
  buyer: billingProfileShape.optional(),
  amount: microsField,
}) satisfies z.ZodType<CreditNote, unknown>;

const documentShape = z.discriminatedUnion('kind', [receiptShape, creditNoteShape]);

export function documentFromItem(item: Item): BillingDocument {
  const document = readItem('billing document', documentShape, item);
  assert(document.amount > 0, `document ${document.number} is for a positive amount`);
  return document;
}

/** The last number a sequence gave, read back (0 when it has given none). */
export function sequenceFromItem(item: Item | undefined): number {
  if (!item) return 0;
  return readItem('document sequence', z.object({ last: z.number().int().min(1) }), item).last;
}

export const documentItems = {
  /** A new document; its number is new by construction, the condition says so. */
  issued(document: BillingDocument): ItemWrite {
    assert(document.amount > 0, `document ${document.number} is for a positive amount`);
    return {
      item: {
        Put: {
          Item: {
            ...keys.billingDocument(document.accountId, document.kind, document.number),
            itemType: document.kind,
            ...document,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
  },

  /**
   * The sequence moves from `read` to `read + count`, only if no other transaction moved it since
   * the plan read it; otherwise the operation plans again with the new value.
   */
  advanced(kind: DocumentKind, year: number, read: number, count: number): ItemWrite {
    assert(Number.isInteger(count) && count >= 1, 'a sequence advances by a whole number of documents');
    assert(read + count <= MAX_DOCUMENTS_PER_YEAR, `${kind} numbers of ${year} are used up`);
    const key = keys.documentSequence(kind, year);
    if (read === 0)
      return {
        item: {
          Put: {
            Item: { ...key, itemType: 'documentSequence', last: count },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: 'retry',
      };
    return {
      item: {
        Update: {
          Key: key,
          UpdateExpression: 'SET #last = :next',
          ConditionExpression: '#last = :read',
          ExpressionAttributeNames: { '#last': 'last' },
          ExpressionAttributeValues: { ':read': read, ':next': read + count },
        },
      },
      onConditionFailed: 'retry',
    };
  },
};
