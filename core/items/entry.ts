// A ledger entry (a transaction of the log): append-only, one per movement of credit, written in
// the transaction of the operation that moved it. Its key is a ULID whose time part is the entry's
// time and whose first random characters are the account's commit sequence (ids.ledgerEntryUlid),
// so an account's entries sort in commit order and a date range is a key condition.

import * as z from 'zod';
import { type Category, categoryOf, ENTRY_TYPES, type EntryType } from '../entry-types.js';
import type { Micros } from '../money.js';
import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { isoField, microsField, readItem } from './fields.js';

export { CATEGORIES, type Category, categoryOf, ENTRY_TYPES, type EntryType, typesOf } from '../entry-types.js';

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
