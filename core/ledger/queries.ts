// Reads: balance, check and the transactions log (usage by product is usage.ts). The balance and check are one
// consistent read of the account item; the log is a Query over the account's `TX#` entries,
// whose ULID keys sort by time, so date ranges are key conditions, not filters.

import {
  type AccountState,
  type AccountView,
  allowanceOf,
  availableFor,
  balanceOf,
  debtOf,
  EXPIRING_SOON_DAYS,
  isUsable,
  type LotView,
  OverflowNeeded,
  paymentDecision,
  scopedCredit,
  withdrawableOf,
} from '../account.js';
import { InvalidRequest } from '../errors.js';
import { timeOfId, ulidBounds } from '../ids.js';
import { accountFromItem, loadAccount, withOverflow } from '../items/account.js';
import type { EntryType, LedgerEntry } from '../items/entry.js';
import { entryFromItem } from '../items/entry-read.js';
import type { Lot } from '../items/lot.js';
import { type Micros, max, micros, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, type Product } from '../products.js';
import { isEntrySk, keys } from '../table/keys.js';
import { type Item, MAX_QUERY_PAGES } from '../table/table.js';
import { DAY_MS, iso } from '../time.js';
import { dailyUsage, forecastUnused } from './forecast.js';
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
  /** Promotional credit that pays only some products, by scope (SPEC §10); also counted in `balance`. */
  scoped: { products: Product[]; remaining: Micros }[];
  /** Lots expiring within 30 days, each with what the account's usage would leave of it unspent. */
  expiringSoon: (Lot & { forecastUnused: Micros })[];
}

export async function getBalance(ledger: Ledger, accountId: string): Promise<BalanceView> {
  return ledger.table.meter.run('balance', async () => {
    const state = await loadAccount(ledger.table, accountId);
    const nowMs = ledger.nowMs();
    const soon = expiringSoon(state, nowMs);
    // The forecast needs the last 30 days' usage: read only when some credit expires soon.
    const rates = soon.length > 0 ? await dailyUsage(ledger, state, nowMs) : {};
    return balanceView(state, nowMs, ledger.config.defaultAllowance, forecastUnused(state, nowMs, rates));
  });
}

function expiringSoon(state: AccountView, nowMs: number): readonly LotView[] {
  const soon = nowMs + EXPIRING_SOON_DAYS * DAY_MS;
  return state.lots.filter((lot) => isUsable(lot, nowMs) && lot.expiresAtMs !== null && lot.expiresAtMs <= soon);
}

export function balanceView(
  state: AccountView,
  nowMs: number,
  defaultAllowance: Micros,
  unused: ReadonlyMap<string, Micros> = new Map(),
): BalanceView {
  const lots = state.lots.filter((lot) => isUsable(lot, nowMs)).map(lotView);
  const soon = new Set(expiringSoon(state, nowMs).map((lot) => lot.lotId));
  return {
    accountId: state.accountId,
    hasPurchased: state.hasPurchased,
    balance: balanceOf(state, nowMs),
    withdrawable: withdrawableOf(state, nowMs),
    negativeAllowance: allowanceOf(state, defaultAllowance),
    debt: debtOf(state),
    pendingWithdrawals: state.pendingWithdrawals,
    lots,
    scoped: scopedCredit(state, nowMs),
    expiringSoon: lots
      .filter((lot) => soon.has(lot.lotId))
      .map((lot) => ({ ...lot, forecastUnused: unused.get(lot.lotId) ?? lot.remaining })),
  };
}

function lotView(lot: LotView): Lot {
  return {
    lotId: lot.lotId,
    kind: lot.kind,
    amount: lot.amount,
    remaining: lot.remaining,
    createdAt: iso(timeOfId(lot.lotId)),
    expiresAt: lot.expiresAtMs === null ? null : iso(lot.expiresAtMs),
    withdrawable: lot.kind === 'purchased',
    ...(lot.products ? { products: lot.products } : {}),
  };
}

export interface CheckView {
  amount: Micros;
  /** The product asked about, and what a charge for it may take (its credit less debt): when one was named. */
  product?: Product;
  available?: Micros;
  /** The account's balance, all its credit less its debt. */
  balance: Micros;
  sufficient: boolean;
  /** A charge of this amount made now would be paid (account.paymentDecision). */
  withinAllowance: boolean;
  shortfall: Micros;
}

/** Whether a charge of `amount` for `product` (absent: `other`) would be paid now, as the charge decides it. */
export async function check(ledger: Ledger, accountId: string, amount: Micros, product?: Product): Promise<CheckView> {
  if (amount < 0) throw new InvalidRequest('amount can not be negative');
  return ledger.table.meter.run('check', async () => {
    // One item read: a heavy account's overflow lots are summarised on it, and read only once one has expired.
    const state = accountFromItem(accountId, await ledger.table.get(keys.account(accountId)));
    try {
      return checkView(state, ledger, amount, product);
    } catch (error) {
      if (!(error instanceof OverflowNeeded)) throw error;
      return checkView((await withOverflow(ledger.table, state)).state, ledger, amount, product);
    }
  });
}

function checkView(state: AccountState, ledger: Ledger, amount: Micros, product?: Product): CheckView {
  const nowMs = ledger.nowMs();
  const charge = { amount, product: product ?? DEFAULT_PRODUCT };
  const available = availableFor(state, nowMs, charge.product);
  const allowance = allowanceOf(state, ledger.config.defaultAllowance);
  return {
    amount,
    ...(product ? { product, available } : {}),
    balance: balanceOf(state, nowMs),
    sufficient: available >= amount,
    withinAllowance: paymentDecision(state, charge, nowMs, allowance).payable,
    shortfall: max(ZERO, micros(amount - available)),
  };
}

export interface TransactionQuery {
  accountId: string;
  /** Only entries of these types (empty: none at all); absent: every type. */
  types?: readonly EntryType[];
  /** Only usage and refund entries of this product (entries from before products were kept: `other`). */
  product?: Product;
  fromMs?: number;
  toMs?: number;
  limit?: number;
  /** The `nextCursor` of the previous page: the key of its last entry. */
  cursor?: string;
}

export const MAX_PAGE_SIZE = 100;

/** The filter a transactions query reads with: by type, and by product (usage and refunds only). */
function entryFilter(query: TransactionQuery): {
  filter: { FilterExpression?: string; ExpressionAttributeNames?: Record<string, string> };
  typeValues: Record<string, string>;
} {
  const typeValues: Record<string, string> = Object.fromEntries(
    (query.types ?? []).map((type, i) => [`:type${i}`, type]),
  );
  const clauses: string[] = [];
  if (query.types) clauses.push(`#type IN (${Object.keys(typeValues).join(', ')})`);
  if (query.product) {
    typeValues[':product'] = query.product;
    typeValues[':usage'] = 'usage';
    typeValues[':refund'] = 'refund';
    const unnamed = query.product === DEFAULT_PRODUCT ? ' OR attribute_not_exists(#product)' : '';
    clauses.push(`#type IN (:usage, :refund) AND (#product = :product${unnamed})`);
  }
  if (clauses.length === 0) return { filter: {}, typeValues };
  const names = { '#type': 'type', ...(query.product ? { '#product': 'product' } : {}) };
  return {
    filter: { FilterExpression: clauses.map((c) => `(${c})`).join(' AND '), ExpressionAttributeNames: names },
    typeValues,
  };
}

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
  const { filter: typeFilter, typeValues } = entryFilter(query);
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

export { MAX_USAGE_RANGE_DAYS, type UsageBucket, type UsageQuery, usage } from './usage.js';

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
