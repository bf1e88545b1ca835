// Seeding a benchmark's table directly: BatchWriteItem, 25 items a call, unprocessed items retried;
// and an account's chained history, as the engine would have written it.

import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ledgerEntryUlid } from '../core/ids.js';
import { type AccountState, emptyAccount } from '../core/index.js';
import { entryItem } from '../core/items/entry.js';
import { formatMicros, type Micros, micros } from '../core/money.js';
import { nextLink } from '../core/proof/chain.js';
import type { Item, LedgerTable } from '../core/table/table.js';
import { iso, utcDay } from '../core/time.js';

/** Calls in flight at once while seeding. */
const SEED_CONCURRENCY = 8;

export async function batchWrite(table: LedgerTable, items: Item[]): Promise<void> {
  const chunks: Item[][] = [];
  for (let start = 0; start < items.length; start += 25) chunks.push(items.slice(start, start + 25));
  for (let at = 0; at < chunks.length; at += SEED_CONCURRENCY)
    await Promise.all(chunks.slice(at, at + SEED_CONCURRENCY).map((chunk) => writeChunk(table, chunk)));
}

async function writeChunk(table: LedgerTable, chunk: Item[]): Promise<void> {
  let requests = chunk.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; attempt < 20 && requests.length > 0; attempt += 1) {
    const out = await table.client.send(new BatchWriteCommand({ RequestItems: { [table.name]: requests } }));
    requests = (out.UnprocessedItems?.[table.name] ?? []) as typeof requests;
    if (requests.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
  }
  if (requests.length > 0) throw new Error('seeding: items left unprocessed after 20 attempts');
}

/**
 * An account's history as the engine writes it (ledger/draft.ts): a purchase of `purchase` at the
 * first of `times`, then a usage entry of `charge` at each later one, linked in the hash chain,
 * the first entry of each UTC day marked; answers the account's state after it and the entries.
 */
export function chainedHistory(
  accountId: string,
  times: readonly number[],
  amounts: { purchase: Micros; charge: Micros; purchaseId: string },
): { state: AccountState; entries: Item[] } {
  const state: AccountState = { ...emptyAccount(accountId), hasPurchased: true };
  const entries: Item[] = [];
  let balance = 0;
  for (const [n, atMs] of times.entries()) {
    const amount = micros(n === 0 ? amounts.purchase : -amounts.charge);
    balance += amount;
    const ulid = ledgerEntryUlid(atMs, state.entryCount);
    const recorded = {
      transactionId: `tx_${ulid}`,
      type: n === 0 ? ('purchase' as const) : ('usage' as const),
      amount,
      balanceAfter: micros(balance),
      createdAt: iso(atMs),
      reference: n === 0 ? amounts.purchaseId : `ch_${accountId}_${n}`,
    };
    const link = nextLink(accountId, state, recorded);
    const firstOfDay = n === 0 || utcDay(times[n - 1]!) !== utcDay(atMs);
    state.entryCount += 1;
    state.lastEntryAtMs = atMs;
    state.headHash = link!.hash;
    const shown = n === 0 ? `Purchase of ${formatMicros(amounts.purchase)} credits` : 'GPU time';
    entries.push(
      entryItem(
        accountId,
        ulid,
        { ...recorded, category: n === 0 ? 'Credit Inflow' : 'Usage Deductions', description: shown, ...link },
        { firstOfDay },
      ),
    );
  }
  return { state, entries };
}
