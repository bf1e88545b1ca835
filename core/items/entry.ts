// A ledger entry (a transaction of the log): append-only, one per movement of credit, written in
// the transaction of the operation that moved it. Its key is a ULID whose time part is the entry's
// time and whose first random characters are the account's commit sequence (ids.ledgerEntryUlid),
// so an account's entries sort in commit order and a date range is a key condition.

import * as z from 'zod';
import type { Micros } from '../money.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { isoField, microsField, readItem } from './fields.js';

export const ENTRY_TYPES = [
  'purchase',
  'promotional_grant',
  'usage',
  'refund',
  'expiry',
  'withdrawal',
  'withdrawal_reversal',
  'reversal',
  'adjustment',
] as const;
export type EntryType = (typeof ENTRY_TYPES)[number];

/** The categories the transactions log shows (SPEC §3), in that order. */
export const CATEGORIES = [
  'Credit Inflow',
  'Usage Deductions',
  'Refunds',
  'Expired',
  'Withdrawals',
  'Adjustments',
] as const;
export type Category = (typeof CATEGORIES)[number];

const CATEGORY: Record<EntryType, Category> = {
  purchase: 'Credit Inflow',
  promotional_grant: 'Credit Inflow',
  usage: 'Usage Deductions',
  refund: 'Refunds',
  expiry: 'Expired',
  withdrawal: 'Withdrawals',
  withdrawal_reversal: 'Withdrawals',
  reversal: 'Adjustments',
  adjustment: 'Adjustments',
};

export function categoryOf(type: EntryType): Category {
  return CATEGORY[type];
}

/** The entry types shown under a category. */
export function typesOf(category: Category): EntryType[] {
  return ENTRY_TYPES.filter((type) => CATEGORY[type] === category);
}

export interface LedgerEntry {
  transactionId: string;
  type: EntryType;
  category: Category;
  amount: Micros;
  balanceAfter: Micros;
  createdAt: string;
  reference: string;
  description: string;
}

/** The entry's item: the entry, and the lots it took from or gave to. */
export function entryItem(
  accountId: string,
  ulid: string,
  entry: LedgerEntry,
  lots?: { lotId: string; amount: Micros }[],
): Item {
  const { category: _category, ...stored } = entry;
  return { ...keys.entry(accountId, ulid), itemType: 'entry', ...stored, ...(lots?.length ? { lots } : {}) };
}

const shape = z.object({
  transactionId: z.string(),
  type: z.enum(ENTRY_TYPES),
  amount: microsField,
  balanceAfter: microsField,
  createdAt: isoField,
  reference: z.string(),
  description: z.string(),
});

/** An entry read with only its type, amount and time (a usage query projects those). */
export function movementFromItem(item: Item): Pick<LedgerEntry, 'type' | 'amount' | 'createdAt'> {
  return readItem('ledger entry', shape.pick({ type: true, amount: true, createdAt: true }), item);
}

export function entryFromItem(item: Item): LedgerEntry {
  const entry = readItem('ledger entry', shape, item);
  return { ...entry, category: categoryOf(entry.type) };
}
