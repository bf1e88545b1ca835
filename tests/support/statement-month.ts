// A month of ledger entries on one account, written straight to the table (for the statement's
// benchmark and the test of a statement's CSV in parts): items as the engine writes them, balances
// chained, without going through 10,000 operations.

import { ledgerEntryUlid } from '../../core/ids.js';
import { entryItem, type LedgerEntry } from '../../core/items/entry.js';
import { micros } from '../../core/money.js';
import { PRODUCTS } from '../../core/products.js';
import type { Item } from '../../core/table/table.js';
import { iso } from '../../core/time.js';

/**
 * A month of `count` entries on one account, as the engine writes them (balances chained): a purchase
 * every 500 entries, the rest usage of the six products by 40 deployments, spread over the month.
 */
export function monthOfEntries(accountId: string, monthStartMs: number, count: number): Item[] {
  const items: Item[] = [];
  let balance = 0;
  const start = new Date(monthStartMs);
  const monthMs = Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1) - monthStartMs;
  const spacingMs = Math.floor(monthMs / (count + 1));
  for (let n = 0; n < count; n += 1) {
    const atMs = monthStartMs + (n + 1) * spacingMs;
    const buying = n % 500 === 0;
    const amount = micros(buying ? 5_000_000_000 : -(1_000_000 + ((n * 7_919) % 9_000_000)));
    balance += amount;
    const ulid = ledgerEntryUlid(atMs, n);
    const product = PRODUCTS[n % PRODUCTS.length]!;
    const entry: LedgerEntry = {
      transactionId: `tx_${ulid}`,
      type: buying ? 'purchase' : 'usage',
      category: buying ? 'Credit Inflow' : 'Usage Deductions',
      amount,
      balanceAfter: micros(balance),
      createdAt: iso(atMs),
      reference: buying ? `pu_${n}` : `ch_${n}`,
      description: buying ? 'Purchase of 5000.00 credits' : 'GPU time',
      ...(buying ? {} : { product, deploymentId: `dep-${n % 40}` }),
    };
    items.push(entryItem(accountId, ulid, entry, { firstOfDay: false }));
  }
  return items;
}
