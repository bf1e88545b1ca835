// How one TransactWriteItems' 100 writes are shared out, in one place. Every transaction rewrites
// the account item; every member of a batch (a lone operation is a batch of one) writes its plan,
// what the engine's finishing rules may add after it (alerts, a top-up), its idempotency record
// and, for another process's charge, the delete of its intent. The engine takes members while
// their room fits; a plan that adds writes as it goes (settling waiting charges) asks first.

import { assert } from '../assert.js';
import { MAX_TRANSACT_ITEMS } from '../table/table.js';
import type { Draft } from './draft.js';

/** The account item, rewritten by every transaction. */
export const ACCOUNT_ITEM_WRITES = 1;
/** Days of usage one transaction writes out at most (usage.ts): each a day item and, at most, a month item. */
export const USAGE_DAYS_WRITTEN_OUT = 2;
/**
 * What the finishing rules may add after a plan: two alerts and a `balance.low` event, a top-up's
 * two items, and the days of usage written out with their months.
 */
export const FINISH_WRITES = 3 + 2 + 2 * USAGE_DAYS_WRITTEN_OUT;
/** A member's idempotency record, beside its plan. */
export const IDEMPOTENCY_WRITES = 1;
/** Another process's charge also deletes its intent. */
export const INTENT_WRITES = 1;
/** The most a charge's plan writes: its charge item, usage entry, event and notification. */
export const CHARGE_WRITES = 4;
/** One waiting charge settled: the charge, its usage entry, its `charge.paid` event. */
export const SETTLEMENT_WRITES = 3;

/** The room one charge takes in a batch: its plan, what finishing may add, its records. */
export const WRITES_PER_CHARGE = CHARGE_WRITES + FINISH_WRITES + IDEMPOTENCY_WRITES + INTENT_WRITES;

/** Kept free in a lone operation's transaction for the account item, its idempotency record and finishing. */
const RESERVED_WRITES = ACCOUNT_ITEM_WRITES + IDEMPOTENCY_WRITES + FINISH_WRITES;

assert(
  ACCOUNT_ITEM_WRITES + WRITES_PER_CHARGE <= MAX_TRANSACT_ITEMS &&
    RESERVED_WRITES + SETTLEMENT_WRITES <= MAX_TRANSACT_ITEMS,
  'one member fits in a transaction',
);

/** Whether `draft` can plan `writes` more and still leave room for what every transaction adds. */
export function roomFor(draft: Draft, writes: number): boolean {
  return draft.writes.length + writes + RESERVED_WRITES <= MAX_TRANSACT_ITEMS;
}

/** Whether a batch whose draft has `extra` writes beside its plans can take one more charge. */
export function roomForCharge(draft: Draft, extra: number): boolean {
  return draft.writes.length + extra + WRITES_PER_CHARGE <= MAX_TRANSACT_ITEMS;
}
