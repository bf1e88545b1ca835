// A ledger entry (a transaction of the log): append-only, one per movement of credit, written in
// the transaction of the operation that moved it. Its key is a ULID whose time part is the entry's
// time and whose first random characters are the account's commit sequence (ids.ledgerEntryUlid),
// so an account's entries sort in commit order and a date range is a key condition. How an entry
// reads back is items/entry-read.ts: every operation writes entries, only the reads list them.

import type { LotKind } from '../account.js';
import type { Category, EntryType } from '../entry-types.js';
import type { Micros } from '../money.js';
import type { Product } from '../products.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';

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
  /** A usage or refund entry: the product and deployment it was for (SPEC §10). */
  product?: Product;
  deploymentId?: string;
  projectId?: string;
  /** A usage entry: the lots that paid it, and the part taken as debt on the negative allowance. */
  paidFrom?: PaidFrom[];
  allowance?: Micros;
  /** Its link in the account's hash chain (SPEC §12); absent on history not chained yet. */
  seq?: number;
  prevHash?: string;
  hash?: string;
}

/** One lot's part in paying a charge. */
export interface PaidFrom {
  lotId: string;
  kind: LotKind;
  amount: Micros;
}

/**
 * The entry's item: the entry, and the lots it took from or gave to (a usage entry says which lots
 * paid it in `paidFrom`, with their kinds).
 */
export function entryItem(
  accountId: string,
  ulid: string,
  entry: LedgerEntry,
  options: { lots?: { lotId: string; amount: Micros }[] | undefined; firstOfDay: boolean },
): Item {
  const { category: _category, ...stored } = entry;
  const { lots, firstOfDay } = options;
  const withLots = lots?.length && !entry.paidFrom ? { lots } : {};
  // The account's first entry of a day marks it changed that day, for the daily close.
  const changed = firstOfDay
    ? {
        [chargeQueueIndex.pkAttribute]: chargeQueueIndex.changedPk(entry.createdAt.slice(0, 10), accountId),
        [chargeQueueIndex.skAttribute]: accountId,
      }
    : {};
  return { ...keys.entry(accountId, ulid), itemType: 'entry', ...stored, ...withLots, ...changed };
}
