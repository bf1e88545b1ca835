// What stored items are checked against when they are read back (core/items/*): amounts are safe
// integers of micro-credits, times are ISO strings, a lot's take is an Allocation. An item that
// does not match is a bug or a corrupted table, never a request to refuse: readItem says which
// item and which field, as a fault.

import * as z from 'zod';
import type { Allocation } from '../account.js';
import { AssertionError, assert, isRecord } from '../assert.js';
import type { IoCreditsError } from '../errors.js';
import { type Micros, micros } from '../money.js';
import { PRODUCTS } from '../products.js';
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
  products: z.array(z.enum(PRODUCTS)).min(1).optional(),
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

/**
 * Reads one stored item field by field without a schema: for the account item, which every
 * operation reads, where a schema library's parse costs more than the rest of the read. A mismatch
 * is the same fault readItem raises, naming the item and the field.
 */
export class StoredFields {
  constructor(
    private readonly kind: string,
    private readonly item: Record<string, unknown>,
  ) {}

  fail(path: readonly (string | number)[], message: string): never {
    const key = `${String(this.item.pk)} ${String(this.item.sk)}`;
    throw new AssertionError(`stored ${this.kind} ${key} does not read back at ${path.join('.')}: ${message}`);
  }

  number(value: unknown, path: readonly (string | number)[]): number {
    if (typeof value !== 'number' || Number.isNaN(value))
      this.fail(path, `expected number, received ${value === null ? 'null' : typeof value}`);
    return value;
  }

  integer(value: unknown, path: readonly (string | number)[], min = Number.MIN_SAFE_INTEGER): number {
    const n = this.number(value, path);
    if (!Number.isInteger(n)) this.fail(path, 'expected int, received number');
    if (n < min) this.fail(path, `too small: expected number to be >=${min}`);
    return n;
  }

  /** An amount: a safe integer of micro-credits, at least `min` when given (0: never below zero; 1: above zero). */
  micros(value: unknown, path: readonly (string | number)[], min?: 0 | 1): Micros {
    const n = this.number(value, path);
    if (!Number.isSafeInteger(n)) this.fail(path, 'an amount is a safe integer of micro-credits');
    if (min === 0 && n < 0) this.fail(path, 'this amount is never below zero');
    if (min === 1 && n < 1) this.fail(path, 'this amount is above zero');
    return micros(n);
  }

  string(value: unknown, path: readonly (string | number)[]): string {
    if (typeof value !== 'string') this.fail(path, `expected string, received ${typeof value}`);
    return value;
  }

  boolean(value: unknown, path: readonly (string | number)[]): boolean {
    if (typeof value !== 'boolean') this.fail(path, `expected boolean, received ${typeof value}`);
    return value;
  }

  array(value: unknown, path: readonly (string | number)[]): readonly unknown[] {
    if (!Array.isArray(value)) this.fail(path, `expected array, received ${typeof value}`);
    return value;
  }

  /** A value read with a schema, for the rarer parts of the item; its path is prefixed with `path`. */
  schema<T extends z.ZodType>(schema: T, value: unknown, path: readonly (string | number)[]): z.output<T> {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    return this.fail([...path, ...(issue?.path ?? []).map(String)], issue?.message ?? 'invalid');
  }
}
