// An intent: a charge whose writer lost the account item to another writer and, instead of
// competing for it again, left the charge for whichever writer commits next on the account
// (ledger/commit.ts, ledger/intents.ts). That writer applies it in its own transaction, writing the charge's
// idempotency record (its result) and deleting the intent; the waiting writer reads the result
// there. An intent refused on its own (a charge the account cannot take) is answered in place: the
// intent stays, holding the error, until its writer reads it. An intent nobody applied within
// INTENT_LIFETIME_MS is deleted unapplied (its writer gave up, or died); DynamoDB's TTL removes
// any left on an account nobody writes to again.

import * as z from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import type { Micros } from '../money.js';
import { DEFAULT_PRODUCT, PRODUCTS, type Product } from '../products.js';
import { keys } from '../table/keys.js';
import { TTL_ATTRIBUTE } from '../table/schema.js';
import type { Item, TransactItem } from '../table/table.js';
import { microsField, readItem } from './fields.js';

/** After this long an intent is deleted unapplied; its writer gives up (503) well before. */
export const INTENT_LIFETIME_MS = 10_000;

/** A charge as its idempotency record and an intent remember it: enough to plan it in any process. */
export interface ChargeRequest {
  accountId: string;
  deploymentId: string;
  product: Product;
  projectId?: string;
  amount: Micros;
  description: string;
  idempotencyKey: string;
}

export interface ChargeIntent extends ChargeRequest {
  intentId: string;
  createdAtMs: number;
  /** The charge request's fingerprint, for its idempotency record. */
  fingerprint: string;
  /** Set when the intent was refused on its own: what its writer answers. */
  error?: { code: ErrorCode; message: string };
}

export function intentItem(intent: ChargeIntent): Item {
  return {
    ...keys.intent(intent.accountId, intent.intentId),
    itemType: 'intent',
    kind: 'charge',
    intentId: intent.intentId,
    accountId: intent.accountId,
    createdAtMs: intent.createdAtMs,
    deploymentId: intent.deploymentId,
    ...(intent.product === DEFAULT_PRODUCT ? {} : { product: intent.product }),
    ...(intent.projectId ? { projectId: intent.projectId } : {}),
    amount: intent.amount,
    description: intent.description,
    idempotencyKey: intent.idempotencyKey,
    fingerprint: intent.fingerprint,
    ...(intent.error ? { error: intent.error } : {}),
    [TTL_ATTRIBUTE]: Math.floor((intent.createdAtMs + 86_400_000) / 1000),
  };
}

const shape = z.object({
  itemType: z.literal('intent'),
  kind: z.literal('charge'),
  intentId: z.string(),
  accountId: z.string(),
  createdAtMs: z.number(),
  deploymentId: z.string(),
  product: z.enum(PRODUCTS).optional(),
  projectId: z.string().optional(),
  amount: microsField,
  description: z.string(),
  idempotencyKey: z.string(),
  fingerprint: z.string(),
  error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }).optional(),
});

export function intentFromItem(item: Item): ChargeIntent {
  const read = readItem('intent', shape, item);
  return {
    intentId: read.intentId,
    accountId: read.accountId,
    createdAtMs: read.createdAtMs,
    deploymentId: read.deploymentId,
    product: read.product ?? DEFAULT_PRODUCT,
    ...(read.projectId ? { projectId: read.projectId } : {}),
    amount: read.amount,
    description: read.description,
    idempotencyKey: read.idempotencyKey,
    fingerprint: read.fingerprint,
    ...(read.error ? { error: { code: read.error.code, message: read.error.message } } : {}),
  };
}

const exists = 'attribute_exists(pk)';

export const intentWrites = {
  /** A new intent; its id is a fresh ULID, so it never overwrites another. */
  left: (intent: ChargeIntent) => ({ Item: intentItem(intent), ConditionExpression: 'attribute_not_exists(pk)' }),
  /** Applied, or dropped unapplied: only if it is still there (nobody applied or withdrew it). */
  taken: (intent: Pick<ChargeIntent, 'accountId' | 'intentId'>): TransactItem => ({
    Delete: { Key: keys.intent(intent.accountId, intent.intentId), ConditionExpression: exists },
  }),
  /** Refused on its own: the intent keeps the answer for its writer. */
  refused: (intent: ChargeIntent, error: { code: ErrorCode; message: string }): TransactItem => ({
    Put: { Item: intentItem({ ...intent, error }), ConditionExpression: exists },
  }),
};
