// What stored items are checked against when they are read back (core/items/*): amounts are safe
// integers of micro-credits, times are ISO strings, a lot's take is an Allocation. An item that
// does not match is a bug or a corrupted table, never a request to refuse: readItem says which
// item and which field, as a fault.

import * as z from 'zod';
import type { Allocation } from '../account.js';
import { assert } from '../assert.js';
import type { IoCreditsError } from '../errors.js';
import type { Micros } from '../money.js';
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

export const microsField = z
  .number()
  .refine(Number.isSafeInteger, 'an amount is a safe integer of micro-credits')
  .transform((value) => value as Micros);

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
    const key =
      item && typeof item === 'object'
        ? `${String((item as { pk?: unknown }).pk)} ${String((item as { sk?: unknown }).sk)}`
        : '';
    assert(
      false,
      `stored ${kind} ${key} does not read back at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
