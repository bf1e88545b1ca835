// Reads: balance, check, the transactions log and usage. The balance and check are one
// consistent read of the account item; the log is a Query over the account's `TX#` entries,
// whose ULID keys sort by time, so date ranges are key conditions, not filters.

import {
  type AccountState,
  allowanceOf,
  balanceOf,
  debtOf,
  EXPIRING_SOON_DAYS,
  isUsable,
  OverflowNeeded,
  paymentDecision,
  withdrawableOf,
} from '../account.js';
import { InvalidRequest } from '../errors.js';
import { timeOfId, ulidBounds } from '../ids.js';
import { accountFromItem, loadAccount, withOverflow } from '../items/account.js';
import type { EntryType, LedgerEntry } from '../items/entry.js';
import { entryFromItem, movementFromItem } from '../items/entry.js';
import type { Lot } from '../items/lot.js';
import { type Micros, max, micros, ZERO } from '../money.js';
import { isEntrySk, keys } from '../table/keys.js';
import { type Item, MAX_QUERY_PAGES } from '../table/table.js';
import { DAY_MS, iso, startOfUtcDay, startOfUtcMonth } from '../time.js';
import type { Ledger } from './ledger.js';

export interface BalanceView {
  accountId: string;
  /** Withdrawals are for accounts that paid for credits (SPEC §4). */
  hasPurchased: boolean;
  balance: Micros;
  withdrawable: Micros;
  negativeAllowance: Micros;
  debt: Micros;
  pendingWithdrawals: Micros;
  lots: Lot[];
  expiringSoon: Lot[];
}

export async function getBalance(ledger: Ledger, accountId: string): Promise<BalanceView> {
  const state = await ledger.table.meter.run('balance', () => loadAccount(ledger.table, accountId));
  return balanceView(state, ledger.nowMs(), ledger.config.defaultAllowance);
}

export function balanceView(state: AccountState, nowMs: number, defaultAllowance: Micros): BalanceView {
  const lots = state.lots
    .filter((lot) => isUsable(lot, nowMs))
    .map(
      (lot): Lot => ({
        lotId: lot.lotId,
        kind: lot.kind,
        amount: lot.amount,
        remaining: lot.remaining,
        createdAt: iso(timeOfId(lot.lotId)),
        expiresAt: lot.expiresAtMs === null ? null : iso(lot.expiresAtMs),
        withdrawable: lot.kind === 'purchased',
      }),
    );
  const soon = nowMs + EXPIRING_SOON_DAYS * DAY_MS;
  return {
    accountId: state.accountId,
    hasPurchased: state.hasPurchased,
    balance: balanceOf(state, nowMs),
    withdrawable: withdrawableOf(state, nowMs),
    negativeAllowance: allowanceOf(state, defaultAllowance),
    debt: debtOf(state),
    pendingWithdrawals: state.pendingWithdrawals,
    lots,
    expiringSoon: lots.filter((lot) => lot.expiresAt !== null && Date.parse(lot.expiresAt) <= soon),
  };
}

export interface CheckView {
  amount: Micros;
  balance: Micros;
  sufficient: boolean;
  /** A charge of this amount made now would be paid (account.paymentDecision). */
  withinAllowance: boolean;
  shortfall: Micros;
}

export async function check(ledger: Ledger, accountId: string, amount: Micros): Promise<CheckView> {
  if (amount < 0) throw new InvalidRequest('amount can not be negative');
  return ledger.table.meter.run('check', async () => {
    // One item read: a heavy account's overflow lots are summarised on it, and read only once one has expired.
    const state = accountFromItem(accountId, await ledger.table.get(keys.account(accountId)));
    try {
      return checkView(state, ledger, amount);
    } catch (error) {
      if (!(error instanceof OverflowNeeded)) throw error;
      return checkView((await withOverflow(ledger.table, state)).state, ledger, amount);
    }
  });
}

function checkView(state: AccountState, ledger: Ledger, amount: Micros): CheckView {
  const nowMs = ledger.nowMs();
  const balance = balanceOf(state, nowMs);
  return {
    amount,
    balance,
    sufficient: balance >= amount,
    withinAllowance: paymentDecision(state, amount, nowMs, allowanceOf(state, ledger.config.defaultAllowance)).payable,
    shortfall: max(ZERO, micros(amount - balance)),
  };
}

export interface TransactionQuery {
  accountId: string;
  /** Only entries of these types (empty: none at all); absent: every type. */
  types?: readonly EntryType[];
  fromMs?: number;
  toMs?: number;
  limit?: number;
  /** The `nextCursor` of the previous page: the key of its last entry. */
  cursor?: string;
}

export const MAX_PAGE_SIZE = 100;

export async function listTransactions(
  ledger: Ledger,
  query: TransactionQuery,
): Promise<{ items: LedgerEntry[]; nextCursor: string | null }> {
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new InvalidRequest(`limit must be 1..${MAX_PAGE_SIZE}`);
  if (query.cursor !== undefined && !isEntrySk(query.cursor)) throw new InvalidRequest('cursor is not valid');
  if (query.types?.length === 0) return { items: [], nextCursor: null };
  const pk = keys.accountPk(query.accountId);
  const typeValues = Object.fromEntries((query.types ?? []).map((type, i) => [`:type${i}`, type]));
  const typeFilter = query.types
    ? {
        FilterExpression: `#type IN (${Object.keys(typeValues).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'type' },
      }
    : {};
  const { low, high } = ulidBounds(query.fromMs ?? 0, query.toMs ?? 281474976710655);
  // Reads one entry past the page, so the cursor is given only when more entries exist.
  const found: Item[] = [];
  let startKey: Item | undefined = query.cursor ? { pk, sk: query.cursor } : undefined;
  for (let page = 0; page < MAX_QUERY_PAGES && found.length <= limit; page += 1) {
    const out = await ledger.table.meter.run('listTransactions', () =>
      ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ...typeFilter,
        ExpressionAttributeValues: { ':pk': pk, ':low': `TX#${low}`, ':high': `TX#${high}`, ...typeValues },
        ScanIndexForward: false,
        Limit: limit + 1 - found.length,
        ExclusiveStartKey: startKey,
      }),
    );
    found.push(...out.items);
    startKey = out.lastKey;
    if (!startKey) break;
  }
  const pageItems = found.slice(0, limit);
  const last = pageItems.at(-1);
  return { items: pageItems.map(entryFromItem), nextCursor: found.length > limit && last ? String(last.sk) : null };
}

export interface UsageBucket {
  start: string;
  usage: Micros;
  refunds: Micros;
  net: Micros;
}

/** The longest range one usage request may cover, so its Query is bounded. */
export const MAX_USAGE_RANGE_DAYS = 3 * 366;

export async function usage(
  ledger: Ledger,
  query: { accountId: string; fromMs: number; toMs: number; granularity: 'day' | 'month' },
): Promise<{ buckets: UsageBucket[]; total: UsageBucket }> {
  if (query.toMs < query.fromMs) throw new InvalidRequest('to must not be before from');
  if (query.toMs - query.fromMs > MAX_USAGE_RANGE_DAYS * DAY_MS)
    throw new InvalidRequest(`a usage range covers at most ${MAX_USAGE_RANGE_DAYS} days`);
  const bucketStart = query.granularity === 'day' ? startOfUtcDay : startOfUtcMonth;
  const buckets = new Map<number, { usage: number; refunds: number }>();
  const { low, high } = ulidBounds(query.fromMs, query.toMs);
  let startKey: Item | undefined;
  for (let page = 0; page < MAX_QUERY_PAGES; page += 1) {
    const out = await ledger.table.meter.run('usage', () =>
      ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        FilterExpression: '#type IN (:usage, :refund)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':pk': keys.accountPk(query.accountId),
          ':low': `TX#${low}`,
          ':high': `TX#${high}`,
          ':usage': 'usage',
          ':refund': 'refund',
        },
        ProjectionExpression: '#type, amount, createdAt',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.items) {
      const entry = movementFromItem(item);
      const start = bucketStart(Date.parse(entry.createdAt));
      const bucket = buckets.get(start) ?? { usage: 0, refunds: 0 };
      if (entry.type === 'usage') bucket.usage -= entry.amount;
      else bucket.refunds += entry.amount;
      buckets.set(start, bucket);
    }
    startKey = out.lastKey;
    if (!startKey) break;
  }
  const list = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([start, b]): UsageBucket => ({
        start: iso(start),
        usage: micros(b.usage),
        refunds: micros(b.refunds),
        net: micros(b.usage - b.refunds),
      }),
    );
  const total = list.reduce(
    (t, b) => ({
      ...t,
      usage: micros(t.usage + b.usage),
      refunds: micros(t.refunds + b.refunds),
      net: micros(t.net + b.net),
    }),
    {
      start: iso(query.fromMs),
      usage: ZERO,
      refunds: ZERO,
      net: ZERO,
    },
  );
  return { buckets: list, total };
}

export interface BalanceAt {
  accountId: string;
  at: string;
  /** The balance after the last ledger entry at or before `at`; zero before the first. */
  balance: Micros;
  /** That entry; null when the account had none yet. */
  transactionId: string | null;
}

/**
 * The balance at an instant (SPEC §8): what the last ledger entry at or before it recorded, read
 * by one query on the entries' time-ordered keys (no replay).
 */
export async function balanceAt(ledger: Ledger, accountId: string, atMs: number): Promise<BalanceAt> {
  const { low, high } = ulidBounds(0, atMs);
  const { items } = await ledger.table.meter.run('balanceAt', () =>
    ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':low': `TX#${low}`, ':high': `TX#${high}` },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const last = items[0] ? entryFromItem(items[0]) : undefined;
  return {
    accountId,
    at: iso(atMs),
    balance: last?.balanceAfter ?? ZERO,
    transactionId: last?.transactionId ?? null,
  };
}
