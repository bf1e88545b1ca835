// What stored items are checked against when they are read back (core/items/*): amounts are safe
// integers of micro-credits, times are ISO strings, a lot's take is an Allocation. An item that
// does not match is a bug or a corrupted table, never a request to refuse: readItem says which
// item and which field, as a fault.

import * as z from 'zod';
import type { Allocation } from '../account.js';
import { assert, isRecord } from '../assert.js';
import type { IoCreditsError } from '../errors.js';
import { micros } from '../money.js';
import type { TransactItem } from '../table/table.js';

/**
 * One write of an operation's transaction, and what a failed condition on it means: an error for
 * the caller, or `retry` when the item changed since the plan read it and the operation should
 * plan again; absent for unconditional writes.
 */
export interface ItemWrite {
  item: TransactItem;
  onConditionFailed?: (() => IoCreditsError) | 'retry';
}

const safeInteger = z.number().refine(Number.isSafeInteger, 'an amount is a safe integer of micro-credits');

export const microsField = safeInteger.transform(micros);

/** An amount that is never below zero: what a lot holds, what is waiting to be paid out. */
export const nonNegativeMicrosField = safeInteger.min(0, 'this amount is never below zero').transform(micros);

/** An amount above zero: a debt, a charge waiting for credit. */
export const positiveMicrosField = safeInteger.min(1, 'this amount is above zero').transform(micros);

export const isoField = z.string().min(20);

export const lotKindField = z.enum(['purchased', 'promotional']);

export const allocationField = z.object({
  lotId: z.string(),
  kind: lotKindField,
  lotAmount: microsField,
  expiresAtMs: z.number().nullable(),
  taken: microsField,
  restored: microsField,
}) satisfies z.ZodType<Allocation, unknown>;

/** `item` read with `schema`; a mismatch is a fault that names the item kind and the field. */
export function readItem<T extends z.ZodType>(kind: string, schema: T, item: unknown): z.output<T> {
  const parsed = schema.safeParse(item);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = isRecord(item) ? `${String(item.pk)} ${String(item.sk)}` : '';
    assert(
      false,
      `stored ${kind} ${key} does not read back at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
