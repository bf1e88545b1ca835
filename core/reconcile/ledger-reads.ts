// What reconciliation reads of the ledger, at a cost that follows the period's activity, never a
// scan: the day's entries of the accounts that changed that day (the close's `CHANGED#` shards),
// the purchases created in the period (their lookups' `PURCHASED#` shards, pending ones included),
// the purchases a provider or a credit names that were created before it (by id), and the
// withdrawals waiting for their payout (the finance queue's `approved` partition).

import { ENTRY_TYPES, type EntryType } from '../entry-types.js';
import { ulidBounds } from '../ids.js';
import type { Purchase } from '../items/purchase.js';
import { purchaseFromItem, purchaseLookupFromItem } from '../items/purchase-read.js';
import { type Withdrawal, withdrawalFromItem } from '../items/withdrawal.js';
import {
  accountOfPk,
  chargeQueueIndex,
  keys,
  purchaseOfPurchasedSk,
  SK_PREFIX,
  withdrawalStatusIndex,
} from '../table/keys.js';
import type { Item, LedgerTable } from '../table/table.js';
import { MAX_QUERY_PAGES } from '../table/table.js';
import { DAY_MS, utcDay } from '../time.js';

/** Reads made at once. */
export const READ_CONCURRENCY = 16;

/** Counts what was read, for the report and the bench. */
export interface ReadCount {
  items: number;
}

/** A day's entry as reconciliation sums it. */
export interface DayEntry {
  type: EntryType;
  amount: number;
  reference: string;
}

/** The accounts with an entry on `day`: a Query of the day's index shards. */
export async function changedOn(table: LedgerTable, day: string, count?: ReadCount): Promise<string[]> {
  const accountIds: string[] = [];
  await table.forEachDuePage(chargeQueueIndex, chargeQueueIndex.changedShards(day), '~', async (page) => {
    if (count) count.items += page.length;
    for (const key of page) accountIds.push(accountOfPk(key.pk));
  });
  return accountIds.sort();
}

/** Pages through a query, handing each page's items to `visit`. */
async function queryPages(
  table: LedgerTable,
  input: Parameters<LedgerTable['query']>[0],
  visit: (items: Item[]) => void,
): Promise<void> {
  let startKey: Item | undefined;
  for (let page = 1; page <= MAX_QUERY_PAGES; page += 1) {
    const out = await table.query({ ...input, ExclusiveStartKey: startKey });
    visit(out.items);
    startKey = out.lastKey;
    if (!startKey) return;
  }
  throw new Error(`more than ${MAX_QUERY_PAGES} pages for one query`);
}

/** An account's entries in [fromMs, toMs), oldest first: only what the sums need. */
export async function entriesBetween(
  table: LedgerTable,
  accountId: string,
  fromMs: number,
  toMs: number,
  count?: ReadCount,
): Promise<DayEntry[]> {
  const entries: DayEntry[] = [];
  await queryPages(
    table,
    {
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#type': 'type', '#reference': 'reference' },
      ExpressionAttributeValues: {
        ':pk': keys.accountPk(accountId),
        ':from': `${SK_PREFIX.entry}${ulidBounds(fromMs, fromMs).low}`,
        ':to': `${SK_PREFIX.entry}${ulidBounds(toMs - 1, toMs - 1).high}`,
      },
      ProjectionExpression: '#type, amount, #reference',
      ConsistentRead: true,
    },
    (items) => {
      if (count) count.items += items.length;
      for (const item of items) entries.push(dayEntryOf(item));
    },
  );
  return entries;
}

function dayEntryOf(item: Item): DayEntry {
  const { amount, reference } = item;
  const type = ENTRY_TYPES.find((known) => known === item.type);
  if (type === undefined || typeof amount !== 'number')
    throw new Error(`an entry of an unknown type or amount: ${JSON.stringify({ type: item.type, amount })}`);
  return { type, amount, reference: typeof reference === 'string' ? reference : '' };
}

/** The purchases created in [fromMs, toMs) (whole UTC days), read from their index keys. */
export async function purchasesCreated(
  table: LedgerTable,
  fromMs: number,
  toMs: number,
  count?: ReadCount,
): Promise<Purchase[]> {
  const found: { purchaseId: string; accountId: string }[] = [];
  for (let at = fromMs; at < toMs; at += DAY_MS) {
    await table.forEachDuePage(chargeQueueIndex, chargeQueueIndex.purchasedShards(utcDay(at)), '~', async (page) => {
      if (count) count.items += page.length;
      for (const key of page) found.push(purchaseOfPurchasedSk(key[chargeQueueIndex.skAttribute]));
    });
  }
  return inBatches(found, async ({ accountId, purchaseId }) => purchaseAt(table, accountId, purchaseId, count)).then(
    (read) => read.filter((p): p is Purchase => p !== undefined),
  );
}

async function purchaseAt(
  table: LedgerTable,
  accountId: string,
  purchaseId: string,
  count?: ReadCount,
): Promise<Purchase | undefined> {
  const item = await table.get(keys.purchase(accountId, purchaseId));
  if (count) count.items += 1;
  return item && purchaseFromItem(item);
}

/** Purchases by id alone (a provider names only the purchase id): the lookup, then the purchase. */
export async function purchasesById(
  table: LedgerTable,
  ids: readonly { purchaseId: string; accountId?: string }[],
  count?: ReadCount,
): Promise<Purchase[]> {
  const read = await inBatches(ids, async ({ purchaseId, accountId }) => {
    let account = accountId;
    if (account === undefined) {
      const lookup = purchaseLookupFromItem(await table.get(keys.purchaseLookup(purchaseId)));
      if (count) count.items += 1;
      account = lookup?.accountId;
    }
    return account === undefined ? undefined : purchaseAt(table, account, purchaseId, count);
  });
  return read.filter((p): p is Purchase => p !== undefined);
}

/** The withdrawals approved and not yet completed: the finance queue's `approved` partition. */
export async function approvedWithdrawals(table: LedgerTable, count?: ReadCount): Promise<Withdrawal[]> {
  const found: Withdrawal[] = [];
  await queryPages(
    table,
    {
      IndexName: withdrawalStatusIndex.name,
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': withdrawalStatusIndex.pk('approved') },
    },
    (items) => {
      if (count) count.items += items.length;
      for (const item of items) found.push(withdrawalFromItem(item));
    },
  );
  return found;
}

/** `read` over every input, READ_CONCURRENCY at a time, answers in the inputs' order. */
export async function inBatches<I, T>(inputs: readonly I[], read: (input: I) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let at = 0; at < inputs.length; at += READ_CONCURRENCY)
    out.push(...(await Promise.all(inputs.slice(at, at + READ_CONCURRENCY).map(read))));
  return out;
}
