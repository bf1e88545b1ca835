// Usage by product (SPEC §10): every usage and refund entry is counted on the account item by its
// UTC day and product (Draft.entry); the first operation of a later day writes the earlier days out
// as rollup items in its own transaction (ledger/rollups.ts), so a charge writes nothing more than
// it did. A usage read is one item per bucket, plus the account item for what is not written out yet:
//
//   granularity=day     USAGE#D#<day> items   + the account item's usageDays
//   granularity=month   USAGE#M#<month> items + the account item's usageDays
//
// Buckets hold whole days and whole months. Usage from before an account's rollups began (its
// `rollupsSince`) is read from its entries, as it was before rollups existed.

import type { AccountView, UsageDay } from '../account.js';
import { AssertionError } from '../assert.js';
import { InvalidRequest } from '../errors.js';
import { ulidBounds } from '../ids.js';
import { accountFromItem } from '../items/account.js';
import { movementFromItem } from '../items/entry-read.js';
import { type UsageByProduct, usageDayFromItem, usageMonthFromItem } from '../items/usage.js';
import { type Micros, micros, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, PRODUCTS, type Product } from '../products.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import { type Item, MAX_QUERY_PAGES } from '../table/table.js';
import { DAY_MS, iso, startOfUtcDay, startOfUtcMonth } from '../time.js';
import type { Ledger } from './ledger.js';
import { addUsage } from './rollups.js';

export interface UsageBucket {
  start: string;
  usage: Micros;
  refunds: Micros;
  net: Micros;
  /** With groupBy=product. */
  byProduct?: Partial<Record<Product, { usage: Micros; refunds: Micros; net: Micros }>>;
}

export interface UsageQuery {
  accountId: string;
  fromMs: number;
  toMs: number;
  granularity: 'day' | 'month';
  groupBy?: 'product';
}

/** The longest range one usage request may cover, so its reads are bounded. */
export const MAX_USAGE_RANGE_DAYS = 3 * 366;

/**
 * Usage and refunds by bucket. `account`: the account as the caller has just read it (the balance,
 * the nightly run), so its item is not read again.
 */
export async function usage(
  ledger: Ledger,
  query: UsageQuery,
  account?: AccountView,
): Promise<{ buckets: UsageBucket[]; total: UsageBucket }> {
  if (query.toMs < query.fromMs) throw new InvalidRequest('to must not be before from');
  if (query.toMs - query.fromMs > MAX_USAGE_RANGE_DAYS * DAY_MS)
    throw new InvalidRequest(`a usage range covers at most ${MAX_USAGE_RANGE_DAYS} days`);
  return ledger.table.meter.run('usage', async () => {
    const state = account ?? accountFromItem(query.accountId, await ledger.table.get(keys.account(query.accountId)));
    const buckets = new Map<string, UsageByProduct>();
    const add = (start: string, byProduct: UsageByProduct) =>
      buckets.set(start, addUsage(buckets.get(start) ?? {}, byProduct));
    const bucketOfDay = (day: string) => bucketStart(query, Date.parse(`${day}T00:00:00.000Z`));
    for (const rollup of await readRollups(ledger, query)) add(rollup.start, rollup.byProduct);
    for (const day of notWrittenOut(state, query)) add(bucketOfDay(day.day), day.byProduct);
    for (const day of await readFromEntries(ledger, state, query)) add(bucketOfDay(day.day), day.byProduct);
    const sorted = [...buckets.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const total = sorted.reduce((sum, [, byProduct]) => addUsage(sum, byProduct), {});
    return {
      buckets: sorted.map(([start, byProduct]) => bucket(start, byProduct, query)),
      total: bucket(iso(query.fromMs), total, query),
    };
  });
}

function bucketStart(query: UsageQuery, ms: number): string {
  return iso(query.granularity === 'day' ? startOfUtcDay(ms) : startOfUtcMonth(ms));
}

const dayOf = (ms: number) => iso(ms).slice(0, 10);

/** The rollup items of the buckets in range: one per day, or one per month. */
async function readRollups(ledger: Ledger, query: UsageQuery): Promise<{ start: string; byProduct: UsageByProduct }[]> {
  const byDay = query.granularity === 'day';
  const [prefix, from, to] = byDay
    ? [SK_PREFIX.usageDay, dayOf(query.fromMs), dayOf(query.toMs)]
    : [SK_PREFIX.usageMonth, dayOf(query.fromMs).slice(0, 7), dayOf(query.toMs).slice(0, 7)];
  const items = await queryRange(ledger, query.accountId, `${prefix}${from}`, `${prefix}${to}`);
  return items.map((item) => {
    if (byDay) {
      const day = usageDayFromItem(item);
      return { start: `${day.day}T00:00:00.000Z`, byProduct: day.byProduct };
    }
    const month = usageMonthFromItem(item);
    return { start: `${month.month}-01T00:00:00.000Z`, byProduct: month.byProduct };
  });
}

/** The days the account item still counts (not written out yet) that fall in the range's buckets. */
function notWrittenOut(state: AccountView, query: UsageQuery): readonly UsageDay[] {
  const from = bucketStart(query, query.fromMs).slice(0, 10);
  const to = dayOf(query.toMs);
  return state.usageDays.filter((d) => d.day >= from && d.day <= to);
}

/**
 * Usage before the account's rollups began, from its entries: every entry of an account whose
 * rollups never began, those before `rollupsSince` otherwise (the instant of its first counted entry).
 */
async function readFromEntries(ledger: Ledger, state: AccountView, query: UsageQuery): Promise<UsageDay[]> {
  const fromMs = Date.parse(bucketStart(query, query.fromMs));
  const since = state.rollupsSince === null ? Number.POSITIVE_INFINITY : Date.parse(state.rollupsSince);
  const toMs = Math.min(query.toMs, since - 1);
  if (toMs < fromMs) return [];
  const { low, high } = ulidBounds(fromMs, toMs);
  const days = new Map<string, UsageByProduct>();
  const items = await queryRange(ledger, query.accountId, `${SK_PREFIX.entry}${low}`, `${SK_PREFIX.entry}${high}`);
  for (const item of items) {
    const entry = movementFromItem(item);
    if (entry.type !== 'usage' && entry.type !== 'refund') continue;
    const day = entry.createdAt.slice(0, 10);
    const counts =
      entry.type === 'usage' ? { usage: micros(-entry.amount), refunds: ZERO } : { usage: ZERO, refunds: entry.amount };
    days.set(day, addUsage(days.get(day) ?? {}, { [entry.product ?? DEFAULT_PRODUCT]: counts }));
  }
  return [...days.entries()].map(([day, byProduct]) => ({ day, byProduct }));
}

async function queryRange(ledger: Ledger, accountId: string, low: string, high: string): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let page = 0; page < MAX_QUERY_PAGES; page += 1) {
    const out = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':low': low, ':high': high },
      ExclusiveStartKey: startKey,
    });
    items.push(...out.items);
    startKey = out.lastKey;
    if (!startKey) return items;
  }
  throw new AssertionError(`account ${accountId} has more than ${MAX_QUERY_PAGES} pages of usage`);
}

function bucket(start: string, byProduct: UsageByProduct, query: UsageQuery): UsageBucket {
  let usage = ZERO;
  let refunds = ZERO;
  const grouped: NonNullable<UsageBucket['byProduct']> = {};
  for (const product of PRODUCTS) {
    const u = byProduct[product];
    if (!u) continue;
    usage = micros(usage + u.usage);
    refunds = micros(refunds + u.refunds);
    grouped[product] = { usage: u.usage, refunds: u.refunds, net: micros(u.usage - u.refunds) };
  }
  return {
    start,
    usage,
    refunds,
    net: micros(usage - refunds),
    ...(query.groupBy === 'product' ? { byProduct: grouped } : {}),
  };
}
