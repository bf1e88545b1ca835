// The account item: the one item every ledger operation reads and rewrites. It carries the first
// lots in consumption order, the debts and the pending charges in compact tuples, so a balance or
// check is one item read, and its `version` serialises every change to the account.
//
// A heavy account's other lots live in overflow items of their own (`OVF#<consumption key>`),
// summarised on the account item; they change only in the transactions that rewrite the account
// item, so its version guards them too. Where each lot lives is decided when an operation's
// state is written (layoutLots):
//
//   account item: [ lot lot lot … up to layout.max ]  overflow: { count, credit by kind, firstKey }
//                    consumed first ───────────────►   OVF#… OVF#… OVF#…   (all later in order)
//
//   too many on the account item → the last ones move to overflow items (down to layout.target)
//   too few and overflow exists  → the first overflow lots move in (up to layout.target)
//   a new lot sorts after the first overflow lot → it is written as an overflow item
//
// Moving lots is optional and done only with room to spare in the transaction; writing the
// overflow lots an operation changed is not. When those would not fit, the operation first moves
// the overflow lots it needs onto the account item in a transaction of their own (a refill) and
// plans again.

import * as z from 'zod';
import type {
  AccountState,
  AccountView,
  AutoTopUp,
  Debt,
  LiveLot,
  LotKind,
  LotView,
  NoticeDays,
  OverflowSummary,
  PendingCharge,
  ReadonlyDeep,
  UsageDay,
} from '../account.js';
import {
  compareConsumption,
  consumptionKey,
  DEFAULT_LOW_BALANCE_THRESHOLD,
  emptyAccount,
  FIRST_NOTICE_DAYS,
  LAST_NOTICE_DAYS,
  nextLotEventMs,
} from '../account.js';
import { assert, isRecord } from '../assert.js';
import { ContentionExhausted } from '../errors.js';
import { micros, sum, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, isProduct, PRODUCTS, type Product } from '../products.js';
import { isHash } from '../proof/hashes.js';
import { expiryIndex, keys, SK_PREFIX } from '../table/keys.js';
import type { Item, LedgerTable, TransactItem } from '../table/table.js';
import { lotKindField, microsField, nonNegativeMicrosField, readItem, StoredFields } from './fields.js';

type LotTuple = [
  lotId: string,
  kind: 'p' | 'u',
  amount: number,
  remaining: number,
  expiresAtMs: number,
  notice?: NoticeDays | null,
  /** A scoped lot's products, comma-separated (notice is then null when none was sent). */
  products?: string,
];
type DebtTuple = [ref: string, amount: number, product?: Product];
/** Left out from the end: the project when none, the deployment (charges from before it was kept), `other`. */
type PendingTuple = [
  chargeId: string,
  amount: number,
  graceExpiresAtMs: number,
  product?: Product,
  deploymentId?: string,
  projectId?: string,
];
/** One day's usage as the account item keeps it: `{d: day, p: {product: [usage, refunds]}}`. */
type UsageDayItem = { d: string; p: Partial<Record<Product, [number, number]>> };

const NO_EXPIRY = -1;

/** How many lots the account item holds: at most `max`; moves bring it back to `target`; below `min` it is refilled. */
export interface LotLayout {
  max: number;
  target: number;
  min: number;
}

/** About 55 bytes a lot: twelve keep a typical heavy account's item under 1 KB, one write unit. */
export const DEFAULT_LOT_LAYOUT: LotLayout = { max: 12, target: 8, min: 2 };

/** The account as read for an operation: its state, and the overflow lots as stored when they were loaded. */
export interface LoadedAccount {
  state: AccountState;
  /** The overflow items read (by lot id), when they were loaded into `state.lots`; null otherwise. */
  storedOverflow: Map<string, LiveLot> | null;
}

/** Reads the account item back, checked field by field; no item is the empty account. */
export function accountFromItem(accountId: string, item: Item | undefined): AccountState {
  if (!item) return emptyAccount(accountId);
  const read = new StoredFields('account', item);
  const optional = <T>(field: string, reader: (value: unknown, path: string[]) => T): T | undefined =>
    item[field] === undefined ? undefined : reader(item[field], [field]);
  const overflow = optional('overflow', (v, path) => read.schema(overflowShape, v, path));
  const lowBalanceThreshold = item.lowBalanceThreshold;
  return {
    accountId,
    version: read.integer(item.version, ['version'], 1),
    lots: read.array(item.lots, ['lots']).map((tuple, i) => lotOfTuple(read, tuple, ['lots', i])),
    overflow: overflow && overflow.count > 0 ? overflow : null,
    debts: read.array(item.debts, ['debts']).map((tuple, i) => debtOfTuple(read, tuple, ['debts', i])),
    pending: read.array(item.pending, ['pending']).map((tuple, i) => pendingOfTuple(read, tuple, ['pending', i])),
    allowance: optional('allowance', (v, path) => read.micros(v, path)) ?? null,
    // Absent: the default; null: alerts off.
    lowBalanceThreshold:
      lowBalanceThreshold === undefined
        ? DEFAULT_LOW_BALANCE_THRESHOLD
        : lowBalanceThreshold === null
          ? null
          : read.micros(lowBalanceThreshold, ['lowBalanceThreshold']),
    lowBalanceAlerted: optional('lowBalanceAlerted', (v, path) => read.boolean(v, path)) === true,
    allowanceAlerted: optional('allowanceAlerted', (v, path) => read.boolean(v, path)) === true,
    webhookEndpoints: optional('webhookEndpoints', (v, path) => read.integer(v, path, 0)) ?? 0,
    autoTopUp: optional('autoTopUp', (v, path) => read.schema(autoTopUpShape, v, path)) ?? null,
    pendingWithdrawals: optional('pendingWithdrawals', (v, path) => read.micros(v, path, 0)) ?? ZERO,
    hasPurchased: optional('hasPurchased', (v, path) => read.boolean(v, path)) === true,
    flagged: optional('flagged', (v, path) => read.boolean(v, path)) === true,
    entryCount: read.integer(item.entryCount, ['entryCount'], 0),
    lastEntryAtMs: read.integer(item.lastEntryAtMs, ['lastEntryAtMs'], 0),
    headHash: headOf(read, item),
    usageDays:
      optional('usageDays', (v, path) =>
        read.array(v, path).map((day, i) => usageDayOfItem(read, day, [...path, i])),
      ) ?? [],
    // Absent on an account item written before the rollups began: its usage so far is in its entries.
    rollupsSince: optional('rollupsSince', (v, path) => read.string(v, path)) ?? null,
  };
}

/** The chain's head as stored: `headSeq` and `headHash` together, `headSeq` always the entry count. */
function headOf(read: StoredFields, item: Item): string | null {
  if (item.headHash === undefined && item.headSeq === undefined) return null;
  const headHash = read.string(item.headHash, ['headHash']);
  if (!isHash(headHash)) read.fail(['headHash'], 'expected 64 lowercase hex digits');
  if (read.integer(item.headSeq, ['headSeq'], 1) !== item.entryCount) read.fail(['headSeq'], 'expected entryCount');
  return headHash;
}

function debtOfTuple(read: StoredFields, value: unknown, path: (string | number)[]): Debt {
  const [ref, amount, product] = read.array(value, path);
  return {
    ref: read.string(ref, [...path, 0]),
    amount: read.micros(amount, [...path, 1], 1),
    ...(product === undefined ? {} : { product: productOf(read, product, [...path, 2]) }),
  };
}

function pendingTuple(c: ReadonlyDeep<PendingCharge>): PendingTuple {
  const tuple: PendingTuple = [c.chargeId, c.amount, c.graceExpiresAtMs];
  if (c.product !== DEFAULT_PRODUCT || c.deploymentId) tuple.push(c.product);
  if (c.deploymentId) tuple.push(c.deploymentId);
  if (c.deploymentId && c.projectId) tuple.push(c.projectId);
  return tuple;
}

function pendingOfTuple(read: StoredFields, value: unknown, path: (string | number)[]): PendingCharge {
  const [chargeId, amount, graceExpiresAtMs, product, deploymentId, projectId] = read.array(value, path);
  return {
    chargeId: read.string(chargeId, [...path, 0]),
    amount: read.micros(amount, [...path, 1], 1),
    graceExpiresAtMs: read.integer(graceExpiresAtMs, [...path, 2]),
    product: product === undefined ? DEFAULT_PRODUCT : productOf(read, product, [...path, 3]),
    ...(deploymentId === undefined ? {} : { deploymentId: read.string(deploymentId, [...path, 4]) }),
    ...(projectId === undefined ? {} : { projectId: read.string(projectId, [...path, 5]) }),
  };
}

function productOf(read: StoredFields, value: unknown, path: (string | number)[]): Product {
  if (!isProduct(value)) read.fail(path, `expected a product, received ${JSON.stringify(value)}`);
  return value;
}

/** One day of `usageDays`: `{d: 'YYYY-MM-DD', p: {product: [usage, refunds]}}` (UsageDayItem). */
function usageDayOfItem(read: StoredFields, value: unknown, path: (string | number)[]): UsageDay {
  if (!isRecord(value)) read.fail(path, `expected object, received ${typeof value}`);
  const day = read.string(value.d, [...path, 'd']);
  if (!USAGE_DAY.test(day)) read.fail([...path, 'd'], `expected a day (YYYY-MM-DD), received ${JSON.stringify(day)}`);
  const stored = value.p;
  if (!isRecord(stored)) read.fail([...path, 'p'], `expected record, received ${typeof stored}`);
  for (const product of Object.keys(stored)) productOf(read, product, [...path, 'p', product]);
  const byProduct: UsageDay['byProduct'] = {};
  for (const product of PRODUCTS) {
    if (!(product in stored)) continue;
    const at = [...path, 'p', product];
    const counts = read.array(stored[product], at);
    if (counts.length !== 2) read.fail(at, `expected [usage, refunds], received ${counts.length} items`);
    byProduct[product] = {
      usage: read.micros(counts[0], [...at, 0], 0),
      refunds: read.micros(counts[1], [...at, 1], 0),
    };
  }
  return { day, byProduct };
}

const USAGE_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One lot of the account item: `[lotId, 'p'|'u', amount, remaining, expiresAtMs (-1: none), notice?,
 * products?]` (a scoped lot's products comma-separated; its notice null when none was sent).
 */
function lotOfTuple(read: StoredFields, value: unknown, path: (string | number)[]): LiveLot {
  const [lotId, kind, amount, remaining, expiresAtMs, notice, products] = read.array(value, path);
  if (kind !== 'p' && kind !== 'u') read.fail([...path, 1], 'expected one of "p"|"u"');
  if (notice !== undefined && notice !== null && notice !== FIRST_NOTICE_DAYS && notice !== LAST_NOTICE_DAYS)
    read.fail([...path, 5], `expected one of ${FIRST_NOTICE_DAYS}|${LAST_NOTICE_DAYS}`);
  const scope = products === undefined ? undefined : read.string(products, [...path, 6]).split(',');
  const lot: LiveLot = {
    lotId: read.string(lotId, [...path, 0]),
    kind: kind === 'p' ? 'purchased' : 'promotional',
    amount: read.micros(amount, [...path, 2], 0),
    remaining: read.micros(remaining, [...path, 3], 0),
    expiresAtMs: null,
    ...(notice === undefined || notice === null ? {} : { notice }),
    ...(scope ? { products: scope.map((product, i) => productOf(read, product, [...path, 6, i])) } : {}),
  };
  const expiry = read.integer(expiresAtMs, [...path, 4], NO_EXPIRY);
  if (expiry !== NO_EXPIRY) lot.expiresAtMs = expiry;
  if (lot.remaining > lot.amount) read.fail(path, REMAINING_OVER_AMOUNT);
  return lot;
}

/** The account with every lot loaded (the overflow items too): for reads that list lots, and tests. */
export async function loadAccount(table: LedgerTable, accountId: string): Promise<AccountState> {
  return (await withOverflow(table, accountFromItem(accountId, await table.get(keys.account(accountId))))).state;
}

/** Reads of the overflow lots that may each find another writer had moved lots since the account was read. */
const OVERFLOW_READS = 10;

/**
 * `state` with its overflow lots read (consistently) into `lots`, and those lots as stored. Another
 * writer may move lots between the account item and its overflow items after `state` was read:
 * then the stored lots disagree with the summary, and the account is read again (the state
 * returned is the one the lots belong to; its version is what a write must find). A summary that
 * disagrees with an unchanged account is a corrupted table.
 */
export async function withOverflow(table: LedgerTable, state: AccountState): Promise<LoadedAccount> {
  let current = state;
  for (let read = 1; read <= OVERFLOW_READS; read += 1) {
    if (!current.overflow) return { state: current, storedOverflow: current.version === 0 ? null : new Map() };
    const stored = await readOverflowLots(table, current.accountId);
    if (stored.length === current.overflow.count)
      return {
        state: { ...current, lots: [...current.lots, ...stored.map((lot) => ({ ...lot }))], overflow: null },
        storedOverflow: new Map(stored.map((lot) => [lot.lotId, lot])),
      };
    const again = accountFromItem(current.accountId, await table.get(keys.account(current.accountId)));
    assert(
      again.version !== current.version,
      `account ${current.accountId} summarises ${current.overflow.count} overflow lots but ${stored.length} are stored`,
    );
    current = again;
  }
  throw new ContentionExhausted(`account ${state.accountId} kept changing while its lots were read; retry`);
}

const OVERFLOW_PAGES = 100;

async function readOverflowLots(table: LedgerTable, accountId: string): Promise<LiveLot[]> {
  const lots: LiveLot[] = [];
  let startKey: Item | undefined;
  for (let page = 0; page < OVERFLOW_PAGES; page += 1) {
    const out = await table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.overflowLot },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    lots.push(...out.items.map(overflowLotFromItem));
    startKey = out.lastKey;
    if (!startKey) return lots;
  }
  throw new Error(`account ${accountId} has more overflow lots than ${OVERFLOW_PAGES} pages`);
}

function overflowLotFromItem(item: Item): LiveLot {
  const { notice, products, ...lot } = readItem('overflow lot', overflowLotShape, item);
  return { ...lot, ...(notice === undefined ? {} : { notice }), ...(products ? { products } : {}) };
}

function overflowLotItem(accountId: string, lot: LotView): Item {
  return {
    ...keys.overflowLot(accountId, consumptionKey(lot)),
    itemType: 'overflowLot',
    lotId: lot.lotId,
    kind: lot.kind,
    amount: lot.amount,
    remaining: lot.remaining,
    expiresAtMs: lot.expiresAtMs,
    ...(lot.notice === undefined ? {} : { notice: lot.notice }),
    ...(lot.products ? { products: [...lot.products] } : {}),
  };
}

function usageDayItem(day: ReadonlyDeep<UsageDay>): UsageDayItem {
  const p: UsageDayItem['p'] = {};
  for (const [product, u] of Object.entries(day.byProduct))
    if (isProduct(product) && u) p[product] = [u.usage, u.refunds];
  return { d: day.day, p };
}

/** Where the lots of an account's new state go, and the overflow items to write for it. */
export interface LotPlacement {
  inline: readonly LotView[];
  overflow: OverflowSummary | null;
  writes: TransactItem[];
}

/**
 * Places the lots of `after` (the state an operation planned from `before`) on the account item or
 * in overflow items, with at most `room` overflow writes. Null when the overflow lots the
 * operation changed need more writes than that: the caller refills and plans again.
 */
export function layoutLots(
  before: LoadedAccount,
  after: AccountView,
  layout: LotLayout,
  room: number,
): LotPlacement | null {
  const sorted = [...after.lots].sort(compareConsumption);
  if (after.overflow) {
    // The overflow lots were not loaded, so the operation touched only lots before them; it can
    // still move its last lots out to them.
    const firstKey = after.overflow.firstKey;
    assert(
      sorted.every((lot) => consumptionKey(lot) < firstKey),
      'a loaded lot sorts among the unloaded overflow lots',
    );
    const pushing = sorted.length > layout.max ? Math.min(sorted.length - layout.target, room) : 0;
    const pushed = sorted.slice(sorted.length - pushing);
    return {
      inline: sorted.slice(0, sorted.length - pushing),
      overflow: mergeSummary(after.overflow, pushed),
      writes: pushed.map((lot) => ({ Put: { Item: overflowLotItem(after.accountId, lot) } })),
    };
  }

  const stored = before.storedOverflow ?? new Map<string, LiveLot>();
  // Overflow begins at the first lot still stored there: every lot from it on belongs to it
  // (lots on the account item always sort before every overflow lot).
  const firstStored = sorted.findIndex((lot) => stored.has(lot.lotId));
  const split = firstStored === -1 ? sorted.length : firstStored;
  const mandatory = overflowWrites(after.accountId, sorted.slice(split), stored);
  if (mandatory.length > room) return null;
  // Optional moves, one write each at most, within the room left.
  const spare = room - mandatory.length;
  let moved = split;
  if (split > layout.max) moved = split - Math.min(split - layout.target, spare);
  else if (split < layout.min) moved = Math.min(sorted.length, split + Math.min(layout.target - split, spare));
  const writes = overflowWrites(after.accountId, sorted.slice(moved), stored);
  assert(writes.length <= room, `lot moves need ${writes.length} writes, only ${room} fit`);
  return { inline: sorted.slice(0, moved), overflow: summaryOf(sorted.slice(moved)), writes };
}

/** Puts for overflow lots new or changed since they were stored; deletes for stored ones no longer there. */
function overflowWrites(accountId: string, overflow: readonly LotView[], stored: Map<string, LiveLot>): TransactItem[] {
  const writes: TransactItem[] = [];
  const kept = new Set<string>();
  for (const lot of overflow) {
    kept.add(lot.lotId);
    const was = stored.get(lot.lotId);
    if (was && was.remaining === lot.remaining && was.notice === lot.notice) continue;
    writes.push({ Put: { Item: overflowLotItem(accountId, lot) } });
  }
  for (const [lotId, lot] of stored) {
    if (!kept.has(lotId)) writes.push({ Delete: { Key: keys.overflowLot(accountId, consumptionKey(lot)) } });
  }
  return writes;
}

function summaryOf(lots: readonly LotView[]): OverflowSummary | null {
  if (lots.length === 0) return null;
  const first = lots[0]!;
  const ofKind = (kind: LotKind) => sum(lots.filter((lot) => lot.kind === kind).map((lot) => lot.remaining));
  return {
    count: lots.length,
    purchased: ofKind('purchased'),
    promotional: ofKind('promotional'),
    firstKey: consumptionKey(first),
    firstExpiresAtMs: first.expiresAtMs,
    nextEventMs: nextLotEventMs({ lots, overflow: null }),
  };
}

/** The summary after moving `pushed` (lots sorting before all of them) into overflow. */
function mergeSummary(summary: ReadonlyDeep<OverflowSummary>, pushed: readonly LotView[]): OverflowSummary {
  const added = summaryOf(pushed);
  if (!added) return summary;
  const events = [summary.nextEventMs, added.nextEventMs].filter((at): at is number => at !== null);
  return {
    count: summary.count + added.count,
    purchased: micros(summary.purchased + added.purchased),
    promotional: micros(summary.promotional + added.promotional),
    firstKey: added.firstKey,
    firstExpiresAtMs: added.firstExpiresAtMs,
    nextEventMs: events.length ? Math.min(...events) : null,
  };
}

/**
 * A transaction of its own that moves the first `count` overflow lots onto the account item,
 * changing no balance: what an operation needs first when the overflow lots it changes would not
 * fit in its own transaction. `before` has its overflow loaded.
 */
export function refillWrites(before: LoadedAccount, count: number, updatedAt: string): TransactItem[] {
  assert(before.storedOverflow !== null && before.state.overflow === null, 'a refill needs the overflow lots loaded');
  const sorted = [...before.state.lots].sort(compareConsumption);
  const stored = before.storedOverflow;
  const overflow = sorted.filter((lot) => stored.has(lot.lotId));
  const moving = overflow.slice(0, count);
  const staying = overflow.slice(count);
  const inline = sorted.filter((lot) => !stored.has(lot.lotId) || moving.includes(lot));
  return [
    accountItem(before.state, { inline, overflow: summaryOf(staying), writes: [] }, before.state.version, updatedAt),
    ...moving.map(
      (lot): TransactItem => ({ Delete: { Key: keys.overflowLot(before.state.accountId, consumptionKey(lot)) } }),
    ),
  ];
}

/** The account's new state with every lot on the account item: for accounts without overflow lots. */
export function putAccount(state: AccountState, expectedVersion: number, updatedAt: string): TransactItem {
  return accountItem(state, { inline: state.lots, overflow: state.overflow, writes: [] }, expectedVersion, updatedAt);
}

/** The account's new state, written only if nobody changed the account since it was read. */
export function accountItem(
  state: AccountView,
  placement: LotPlacement,
  expectedVersion: number,
  updatedAt: string,
): TransactItem {
  const nextEvent = nextLotEventMs({ lots: placement.inline, overflow: placement.overflow });
  const item: Item = {
    ...keys.account(state.accountId),
    type: 'account',
    accountId: state.accountId,
    version: expectedVersion + 1,
    lots: placement.inline.map((lot): LotTuple => {
      const tuple: LotTuple = [
        lot.lotId,
        lot.kind === 'purchased' ? 'p' : 'u',
        lot.amount,
        lot.remaining,
        lot.expiresAtMs ?? NO_EXPIRY,
      ];
      if (lot.notice !== undefined || lot.products) tuple.push(lot.notice ?? null);
      if (lot.products) tuple.push(lot.products.join(','));
      return tuple;
    }),
    ...(placement.overflow ? { overflow: placement.overflow } : {}),
    debts: state.debts.map(
      (debt): DebtTuple => (debt.product ? [debt.ref, debt.amount, debt.product] : [debt.ref, debt.amount]),
    ),
    pending: state.pending.map(pendingTuple),
    ...(state.usageDays.length > 0 ? { usageDays: state.usageDays.map(usageDayItem) } : {}),
    rollupsSince: state.rollupsSince ?? undefined,
    allowance: state.allowance ?? undefined,
    // Stored only when it differs from the default; null (alerts off) is stored as null.
    lowBalanceThreshold:
      state.lowBalanceThreshold === DEFAULT_LOW_BALANCE_THRESHOLD ? undefined : state.lowBalanceThreshold,
    lowBalanceAlerted: state.lowBalanceAlerted || undefined,
    allowanceAlerted: state.allowanceAlerted || undefined,
    webhookEndpoints: state.webhookEndpoints || undefined,
    autoTopUp: state.autoTopUp ?? undefined,
    pendingWithdrawals: state.pendingWithdrawals,
    hasPurchased: state.hasPurchased || undefined,
    flagged: state.flagged || undefined,
    entryCount: state.entryCount,
    lastEntryAtMs: state.lastEntryAtMs,
    ...(state.headHash === null ? {} : { headSeq: state.entryCount, headHash: state.headHash }),
    updatedAt,
    ...(nextEvent === null
      ? {}
      : { gsi2pk: expiryIndex.pk(state.accountId), gsi2sk: expiryIndex.sk(nextEvent, state.accountId) }),
  };
  return expectedVersion === 0
    ? { Put: { Item: item, ConditionExpression: accountDoesNotExist } }
    : {
        Put: {
          Item: item,
          ConditionExpression: accountIsAtVersion,
          ExpressionAttributeValues: { ':expectedVersion': expectedVersion },
          // A lost race returns the winner's account item, so the retry plans without a re-read.
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      };
}

const accountDoesNotExist = 'attribute_not_exists(pk)';
const accountIsAtVersion = 'version = :expectedVersion';

// What the account item and its overflow lots may hold, as accountItem and overflowLotItem write
// them (a field written as undefined is absent). Read back through these, a corrupted item is a
// fault naming it, never NaN in a balance.

const noticeField = z.literal([FIRST_NOTICE_DAYS, LAST_NOTICE_DAYS]);
const msField = z.number().int();
/** A lot never holds more than it was granted, nor less than nothing. */
const holdsAtMostItsAmount = (lot: { amount: number; remaining: number }) => lot.remaining <= lot.amount;
const REMAINING_OVER_AMOUNT = 'a lot holds at most its amount';

const overflowShape = z.object({
  count: z.number().int().min(0),
  purchased: nonNegativeMicrosField,
  promotional: nonNegativeMicrosField,
  firstKey: z.string(),
  firstExpiresAtMs: msField.nullable(),
  nextEventMs: msField.nullable(),
}) satisfies z.ZodType<OverflowSummary, unknown>;

const autoTopUpShape = z.object({
  enabled: z.boolean(),
  threshold: microsField,
  amount: microsField,
  monthlyLimit: microsField,
  card: z.object({ customerId: z.string(), paymentMethodId: z.string(), label: z.string() }).nullable(),
  failures: z.number().int().min(0),
  inFlight: z.string().nullable(),
  month: z.string(),
  spent: microsField,
}) satisfies z.ZodType<AutoTopUp, unknown>;

const overflowLotShape = z
  .object({
    lotId: z.string(),
    kind: lotKindField,
    amount: nonNegativeMicrosField,
    remaining: nonNegativeMicrosField,
    expiresAtMs: msField.nullable(),
    notice: noticeField.optional(),
    products: z.array(z.enum(PRODUCTS)).min(1).optional(),
  })
  .refine(holdsAtMostItsAmount, REMAINING_OVER_AMOUNT);
