// The account's ledger state and the pure rules over it: balance, consumption order, taking
// credit from lots, restoring it, repaying debt. No I/O here; ledger operations load this
// state from the account item, change a copy, and write it back under a version check.
//
// A heavy account keeps only its first lots in consumption order on the account item and the
// rest in items of their own (items/account.ts), so a charge on it stays cheap. An
// operation starts with those overflow lots summarised (`overflow`); a rule that would need one
// of them throws OverflowNeeded, and the engine loads them and plans again. Every rule here that
// reads lots goes through that check, so none can act on lots it has not seen.

import { isDeepStrictEqual } from 'node:util';
import { assert } from './assert.js';
import { MICROS_PER_CREDIT, type Micros, max, micros, min, sum, ZERO } from './money.js';
import { DEFAULT_PRODUCT, type Product } from './products.js';
import { DAY_MS } from './time.js';

export type LotKind = 'purchased' | 'promotional';

/** A lot with credit left (or expired credit the nightly run has not removed yet). */
export interface LiveLot {
  lotId: string;
  kind: LotKind;
  amount: Micros;
  remaining: Micros;
  expiresAtMs: number | null;
  /** The last expiry notice sent for this lot while it had credit: 30 or 7 days before; absent: none. */
  notice?: NoticeDays;
  /** Promotional credit scoped to these products only (SPEC §10); absent: it pays any product. */
  products?: readonly Product[];
}

/** Expiry notices go out this many days before a lot's credit expires: first 30, then 7. */
export type NoticeDays = 30 | 7;
export const FIRST_NOTICE_DAYS = 30 satisfies NoticeDays;
export const LAST_NOTICE_DAYS = 7 satisfies NoticeDays;
/** Credit expiring within this many days is shown as expiring soon: the first notice's window. */
export const EXPIRING_SOON_DAYS = FIRST_NOTICE_DAYS;

/**
 * Debt: the part of the negative allowance in use, one record per cause, oldest first.
 * `ref` is the charge that created it, or `reversal:<lotId>` for a provider refund or dispute.
 */
export interface Debt {
  ref: string;
  amount: Micros;
  /**
   * The product of the charge that made it, when not `other`: credit scoped to it may repay it
   * (debtPayingFor). Absent on a provider reversal's debt, which only unscoped credit repays.
   */
  product?: Product;
}

/** What credit may repay a debt: a charge's, credit for its product; a provider reversal's, unscoped credit. */
export function debtPayingFor(debt: Pick<Debt, 'ref' | 'product'>): PayingFor {
  if (debt.product) return debt.product;
  return debt.ref.startsWith(REVERSAL_DEBT_PREFIX) ? null : DEFAULT_PRODUCT;
}

export interface PendingCharge {
  chargeId: string;
  amount: Micros;
  graceExpiresAtMs: number;
  /** What it is for: only credit that may pay this product settles it. */
  product: Product;
  /** For its usage entry when it is paid (absent on charges that waited before these were kept). */
  deploymentId?: string;
  projectId?: string;
}

/**
 * The lots stored beyond the account item and not loaded into `AccountState.lots`: how many,
 * how much credit of each kind, and where they start. Every one of them comes after every loaded
 * lot in consumption order (`firstKey`), so it expires no earlier than any of those.
 */
export interface OverflowSummary {
  count: number;
  purchased: Micros;
  promotional: Micros;
  /** consumptionKey of the first overflow lot. */
  firstKey: string;
  /** Expiry of the first overflow lot: the earliest among them (null: none of them expires). */
  firstExpiresAtMs: number | null;
  /** The earliest moment the nightly run has work on one of them (see nextLotEventMs). */
  nextEventMs: number | null;
}

/** Thrown by a rule that needs lots the state holds only as an OverflowSummary; the engine loads them. */
export class OverflowNeeded extends Error {
  override name = 'OverflowNeeded';
}

export interface AccountState {
  accountId: string;
  /** Optimistic-concurrency version: 0 until the account item first exists. */
  version: number;
  /** The lots loaded: all of them, unless `overflow` summarises the rest. */
  lots: LiveLot[];
  /** Lots stored beyond the account item and not in `lots`; null when `lots` holds them all. */
  overflow: OverflowSummary | null;
  debts: Debt[];
  /** Charges waiting for credit, oldest first. */
  pending: PendingCharge[];
  /** The admin-set negative allowance, or null for the configured default. */
  allowance: Micros | null;
  /** A low_balance alert is written when an operation takes the balance below this; null: no alerts. */
  lowBalanceThreshold: Micros | null;
  /**
   * The balance is below the threshold and its low_balance alert is written (or it was already
   * below when the account or the threshold began): no alert until it is back at or above it.
   */
  lowBalanceAlerted: boolean;
  /** The balance is below zero and its allowance_in_use alert is written. */
  allowanceAlerted: boolean;
  /** Webhook endpoints registered for this account's events: while there are none, no events are written. */
  webhookEndpoints: number;
  /** Automatic top-up (SPEC §8); null until the account sets it up. */
  autoTopUp: AutoTopUp | null;
  /** Withdrawals taken from the balance and not yet paid out (pending review or approved). */
  pendingWithdrawals: Micros;
  hasPurchased: boolean;
  /** Set by a provider refund or dispute, for finance to look at. */
  flagged: boolean;
  /** How many ledger entries the account has, and the time of the latest one. */
  entryCount: number;
  lastEntryAtMs: number;
  /**
   * The hash of the latest entry (SPEC §12: `headSeq` is `entryCount`); null while the account has
   * no entry yet, or has entries written before the chain began and not chained yet (ledger-migrate).
   */
  headHash: string | null;
  /**
   * Usage and refunds by product of the days not yet written out as their rollup items (today's,
   * and an earlier day's until the next operation writes it out: ledger/usage.ts).
   */
  usageDays: UsageDay[];
  /**
   * When the rollups began counting this account's usage (its first counted entry's instant):
   * usage before it is read from the entries. An account made since rollups exist counts from the
   * start (ROLLUPS_FROM_THE_START); null: an older account whose usage is all in its entries so far.
   */
  rollupsSince: string | null;
}

/** Usage and refunds of one UTC day, by product, in micro-credits. */
export interface UsageDay {
  day: string;
  byProduct: Partial<Record<Product, { usage: Micros; refunds: Micros }>>;
}

/** A value as its readers see it: nothing in it can be changed through this type. */
export type ReadonlyDeep<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? readonly ReadonlyDeep<U>[]
    : { readonly [K in keyof T]: ReadonlyDeep<T[K]> };

/** The account's state as rules read it; only the draft of an operation changes it (ledger/draft.ts). */
export type AccountView = ReadonlyDeep<AccountState>;
export type LotView = ReadonlyDeep<LiveLot>;

/** One take from a lot, recorded on the charge or withdrawal that took it. */
export interface Allocation {
  lotId: string;
  kind: LotKind;
  lotAmount: Micros;
  expiresAtMs: number | null;
  taken: Micros;
  restored: Micros;
  /** The lot's scope, so a refund gives the credit back to a lot that pays the same products. */
  products?: readonly Product[];
}

/**
 * Lots with credit left an account may hold before a promotional grant is refused (409). Credit
 * the account paid for, and refunds re-issued as new lots, are never refused: money a provider
 * confirms is always credited. Lots beyond the first few live in their own items, so the count
 * does not make charges dearer.
 */
export const MAX_LIVE_LOTS = 1_000;
export const MAX_PENDING_CHARGES = 20;
/**
 * Open debt records an account may have. Each remembers the charge that made it, so a refund of
 * that charge pays its own debt back first and a later refund restores the lots that repaid it;
 * merging records would lose both. Twenty open records on a 10-credit allowance means twenty
 * charges averaging under 0.50 on credit the account does not have: the next one waits for credit
 * like any charge beyond the allowance, and the check says so (paymentDecision).
 */
export const MAX_DEBTS = 20;
/**
 * A bound no account reaches (every purchase for a year at 50 a day): past it something is wrong,
 * and the ledger stops rather than build an account item DynamoDB can not hold.
 */
export const MAX_LOTS_EVER = 20_000;
/** Lots a refund re-issues when its original lot has expired live this long. */
export const REISSUED_LOT_DAYS = 30;
/** Debt records of provider refunds and disputes are named `reversal:<provider reference>`. */
export const REVERSAL_DEBT_PREFIX = 'reversal:';

/**
 * Automatic top-up with a saved card (SPEC §8). A trigger creates a purchase (`inFlight`) in the
 * transaction of the operation that causes it; its PaymentIntent is made after the commit, and
 * its provider events end it. `spent` counts this month's top-ups, the one in flight included.
 */
export interface AutoTopUp {
  enabled: boolean;
  threshold: Micros;
  amount: Micros;
  monthlyLimit: Micros;
  /** The saved card, as Stripe ids (no card data is ever stored). */
  card: { customerId: string; paymentMethodId: string; label: string } | null;
  /** Top-ups that failed in a row; the third turns auto top-up off. */
  failures: number;
  /** The purchase of the top-up being paid now. */
  inFlight: string | null;
  /** The UTC month (YYYY-MM) `spent` is for. */
  month: string;
  spent: Micros;
}

/** Failed top-ups in a row that turn auto top-up off. */
export const MAX_TOP_UP_FAILURES = 3;

/** An account's low-balance threshold until its owner sets one: 10.00 credits (SPEC §8). */
export const DEFAULT_LOW_BALANCE_THRESHOLD = micros(10 * MICROS_PER_CREDIT);

export function emptyAccount(accountId: string): AccountState {
  return {
    accountId,
    version: 0,
    lots: [],
    overflow: null,
    debts: [],
    pending: [],
    allowance: null,
    lowBalanceThreshold: DEFAULT_LOW_BALANCE_THRESHOLD,
    // A new account's zero balance is below the default threshold: the first alert needs it above first.
    lowBalanceAlerted: true,
    allowanceAlerted: false,
    webhookEndpoints: 0,
    autoTopUp: null,
    pendingWithdrawals: ZERO,
    hasPurchased: false,
    flagged: false,
    entryCount: 0,
    lastEntryAtMs: 0,
    headHash: null,
    usageDays: [],
    rollupsSince: ROLLUPS_FROM_THE_START,
  };
}

/** `rollupsSince` of an account the rollups count from its first day. */
export const ROLLUPS_FROM_THE_START = '1970-01-01T00:00:00.000Z';

/** Whether two states hold the same values (a draft that left its state as read changed nothing). */
export function sameState(a: AccountView, b: AccountView): boolean {
  return isDeepStrictEqual(a, b);
}

export function cloneAccount(state: AccountView): AccountState {
  return {
    ...state,
    lots: state.lots.map((lot) => ({ ...lot })),
    debts: state.debts.map((debt) => ({ ...debt })),
    pending: state.pending.map((charge) => ({ ...charge })),
    usageDays: state.usageDays.map((day) => ({
      day: day.day,
      byProduct: Object.fromEntries(Object.entries(day.byProduct).map(([product, u]) => [product, { ...u }])),
    })),
  };
}

/**
 * Which lots may pay: a product's charge (unscoped lots, and lots scoped to it), or, for `null`,
 * what no product owns (a provider reversal's debt, a withdrawal): unscoped lots only.
 */
export type PayingFor = Product | null;

/** Whether a lot's credit may pay for `payingFor` (SPEC §10: a scoped lot never pays another product). */
export function mayPay(lot: Pick<LotView, 'products'>, payingFor: PayingFor): boolean {
  return lot.products === undefined || (payingFor !== null && lot.products.includes(payingFor));
}

/** Whether unloaded overflow lots may be scoped: scoped lots sort first, so only if the first one is. */
function overflowMayBeScoped(overflow: ReadonlyDeep<OverflowSummary>): boolean {
  return overflow.firstKey.startsWith(SCOPED_KEY_PREFIX);
}

/** A lot counts only before its expiry instant; at `expiresAtMs` it is already expired. */
export function isUsable(lot: LotView, nowMs: number): boolean {
  return lot.remaining > 0 && (lot.expiresAtMs === null || lot.expiresAtMs > nowMs);
}

export function debtOf(state: AccountView): Micros {
  return sum(state.debts.map((debt) => debt.amount));
}

/** Debt created by charges, leaving out debt from provider reversals. */
export function chargeDebtOf(state: AccountView): Micros {
  return sum(state.debts.filter((debt) => !debt.ref.startsWith(REVERSAL_DEBT_PREFIX)).map((debt) => debt.amount));
}

/** Debt from provider refunds and disputes: money the account got back that it had already spent. */
export function reversalDebtOf(state: AccountView): Micros {
  return micros(debtOf(state) - chargeDebtOf(state));
}

/** Usable credit: of one kind when given, and only what may pay for `payingFor` when given. */
export function usableCredit(state: AccountView, nowMs: number, kind?: LotKind, payingFor?: PayingFor): Micros {
  const loaded = sum(
    state.lots
      .filter((lot) => isUsable(lot, nowMs) && (kind === undefined || lot.kind === kind))
      .filter((lot) => payingFor === undefined || mayPay(lot, payingFor))
      .map((lot) => lot.remaining),
  );
  return micros(loaded + overflowCredit(state, nowMs, kind, payingFor));
}

/** Usable credit in the unloaded overflow lots; they all count until the first of them expires. */
function overflowCredit(state: AccountView, nowMs: number, kind?: LotKind, payingFor?: PayingFor): Micros {
  const overflow = state.overflow;
  if (!overflow) return ZERO;
  if (overflow.firstExpiresAtMs !== null && overflow.firstExpiresAtMs <= nowMs)
    throw new OverflowNeeded('an overflow lot has expired');
  if (payingFor !== undefined && overflowMayBeScoped(overflow))
    throw new OverflowNeeded('overflow lots may be scoped to products');
  return kind === undefined ? micros(overflow.purchased + overflow.promotional) : overflow[kind];
}

/** What a charge for `product` may still take: the credit that may pay it, less all debt. */
export function availableFor(state: AccountView, nowMs: number, product: Product): Micros {
  return micros(usableCredit(state, nowMs, undefined, product) - debtOf(state));
}

/** Usable scoped credit, by scope (the products it pays), for the balance to show. */
export function scopedCredit(state: AccountView, nowMs: number): { products: Product[]; remaining: Micros }[] {
  const byScope = new Map<string, { products: Product[]; remaining: Micros }>();
  for (const lot of state.lots) {
    if (!lot.products || !isUsable(lot, nowMs)) continue;
    const key = lot.products.join(',');
    const found = byScope.get(key) ?? { products: [...lot.products], remaining: ZERO };
    found.remaining = micros(found.remaining + lot.remaining);
    byScope.set(key, found);
  }
  if (state.overflow && overflowMayBeScoped(state.overflow)) throw new OverflowNeeded('overflow lots may be scoped');
  return [...byScope.values()];
}

/** How many lots with credit left the account holds, loaded or not. */
export function lotCount(state: AccountView): number {
  return state.lots.length + (state.overflow?.count ?? 0);
}

/** Credit held in all lots, usable or expired but not yet removed. */
export function heldCredit(state: AccountView): Micros {
  return micros(
    sum(state.lots.map((lot) => lot.remaining)) +
      (state.overflow ? state.overflow.purchased + state.overflow.promotional : 0),
  );
}

const NO_EXPIRY_KEY = '9'.repeat(15);
/** Sorts before any digit: scoped lots come first in consumption order. */
const SCOPED_KEY_PREFIX = '!';

type OrderedLot = Pick<LotView, 'lotId' | 'kind' | 'expiresAtMs' | 'products'>;

/**
 * A lot's place in consumption order as text that sorts the same way (compareConsumption): scoped
 * lots first, fewest products first; then its expiry (none last), promotional before purchased,
 * then its id (oldest first). An unscoped lot's key is what it was before scopes existed.
 */
export function consumptionKey(lot: OrderedLot): string {
  const expiry = lot.expiresAtMs === null ? NO_EXPIRY_KEY : String(lot.expiresAtMs).padStart(15, '0');
  const key = `${expiry}#${lot.kind === 'promotional' ? 0 : 1}#${lot.lotId}`;
  return lot.products ? `${SCOPED_KEY_PREFIX}${lot.products.length}#${key}` : key;
}

/** Whether a lot not among the loaded ones may be one of the unloaded overflow lots. */
function mayBeInOverflow(state: AccountView, lot: OrderedLot): boolean {
  return state.overflow !== null && consumptionKey(lot) >= state.overflow.firstKey;
}

/** The live lot `lotId`, or undefined when it has no credit left (loading overflow lots if it may be one). */
export function findLot(state: AccountState, lotId: string): LiveLot | undefined {
  const lot = state.lots.find((l) => l.lotId === lotId);
  if (!lot && state.overflow) throw new OverflowNeeded(`lot ${lotId} may be an overflow lot`);
  return lot;
}

/**
 * Adds a lot with credit; it must be placed in consumption order among all lots, so overflow lots
 * after it are loaded.
 */
export function insertLot(state: AccountState, lot: LiveLot): void {
  assert(
    lot.remaining > 0 && lot.remaining <= lot.amount,
    `a new lot holds 0 < remaining <= amount, got ${lot.remaining}`,
  );
  if (mayBeInOverflow(state, lot)) throw new OverflowNeeded(`lot ${lot.lotId} goes among the overflow lots`);
  state.lots.push(lot);
}

export function balanceOf(state: AccountView, nowMs: number): Micros {
  return micros(usableCredit(state, nowMs) - debtOf(state));
}

export function withdrawableOf(state: AccountView, nowMs: number): Micros {
  return max(ZERO, micros(usableCredit(state, nowMs, 'purchased') - debtOf(state)));
}

export function allowanceOf(state: AccountView, defaultAllowance: Micros): Micros {
  return state.allowance ?? defaultAllowance;
}

/** Why a charge can not be paid now. */
export type UnpayableReason = 'over_allowance' | 'debt_records_full';

export type PaymentDecision = { payable: true; needsAllowance: boolean } | { payable: false; reason: UnpayableReason };

/**
 * The one rule for paying a charge now, used by /credits/check, the charge itself, the settling of
 * pending charges and the grace deadline, so what the check says is what the charge does: payable
 * when what the product may take (its credit less all debt, availableFor) − amount ≥ −allowance
 * and, if it needs the allowance, the account has room for one more debt record (MAX_DEBTS).
 * Without scoped credit what a product may take is the balance.
 */
export function paymentDecision(
  state: AccountView,
  charge: { amount: Micros; product: Product },
  nowMs: number,
  allowance: Micros,
): PaymentDecision {
  const { amount, product } = charge;
  assert(amount >= 0 && allowance >= 0, 'a payment decision is about non-negative amounts');
  if (availableFor(state, nowMs, product) - amount < -allowance) return { payable: false, reason: 'over_allowance' };
  const needsAllowance = amount > usableCredit(state, nowMs, undefined, product);
  if (needsAllowance && state.debts.length >= MAX_DEBTS) return { payable: false, reason: 'debt_records_full' };
  return { payable: true, needsAllowance };
}

/** Earliest expiry first (no expiry last); on a tie promotional before purchased; then oldest. */
export function compareConsumption(a: LotView, b: LotView): number {
  const scopeA = a.products?.length ?? Number.POSITIVE_INFINITY;
  const scopeB = b.products?.length ?? Number.POSITIVE_INFINITY;
  if (scopeA !== scopeB) return scopeA < scopeB ? -1 : 1;
  const expiryA = a.expiresAtMs ?? Number.POSITIVE_INFINITY;
  const expiryB = b.expiresAtMs ?? Number.POSITIVE_INFINITY;
  if (expiryA !== expiryB) return expiryA < expiryB ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'promotional' ? -1 : 1;
  return a.lotId < b.lotId ? -1 : a.lotId > b.lotId ? 1 : 0;
}

/** Which lots a take may use: those that may pay for `payingFor`, of one kind when given. */
export interface TakeFrom {
  payingFor: PayingFor;
  kind?: LotKind;
}

/**
 * Takes up to `amount` from the usable lots that may pay (TakeFrom) in consumption order, dropping
 * lots that reach zero. Returns what it took, lot by lot, in the order taken.
 */
export function takeFromLots(state: AccountState, amount: Micros, nowMs: number, from: TakeFrom): Allocation[] {
  assert(amount >= 0, 'cannot take a negative amount');
  const candidates = state.lots
    .filter((lot) => isUsable(lot, nowMs) && (from.kind === undefined || lot.kind === from.kind))
    .filter((lot) => mayPay(lot, from.payingFor))
    .sort(compareConsumption);
  const loaded = sum(candidates.map((lot) => lot.remaining));
  if (loaded < amount && overflowCredit(state, nowMs, from.kind, from.payingFor) > 0)
    throw new OverflowNeeded(`taking ${amount} needs overflow lots`);
  const allocations: Allocation[] = [];
  let left = amount;
  for (const lot of candidates) {
    if (left === 0) break;
    const taken = min(lot.remaining, left);
    lot.remaining = micros(lot.remaining - taken);
    left = micros(left - taken);
    allocations.push({
      lotId: lot.lotId,
      kind: lot.kind,
      lotAmount: lot.amount,
      expiresAtMs: lot.expiresAtMs,
      taken,
      restored: ZERO,
      ...(lot.products ? { products: lot.products } : {}),
    });
  }
  state.lots = state.lots.filter((lot) => lot.remaining > 0);
  return allocations;
}

export interface ReissuedLot {
  lotId: string;
  kind: LotKind;
  amount: Micros;
  expiresAtMs: number;
  products?: readonly Product[];
}

/**
 * Gives back `amount` of what the allocations took, latest-taken first. A part whose lot has
 * expired comes back as a new lot of the same kind expiring REISSUED_LOT_DAYS after now;
 * `newLotId` names each such lot. Returns the re-issued lots.
 */
export function restoreAllocations(
  state: AccountState,
  allocations: Allocation[],
  amount: Micros,
  nowMs: number,
  newLotId: () => string,
): ReissuedLot[] {
  const reissued: ReissuedLot[] = [];
  let left = amount;
  for (let index = allocations.length - 1; index >= 0 && left > 0; index -= 1) {
    const allocation = allocations[index]!;
    const part = min(left, micros(allocation.taken - allocation.restored));
    if (part === 0) continue;
    allocation.restored = micros(allocation.restored + part);
    left = micros(left - part);
    const expired = allocation.expiresAtMs !== null && allocation.expiresAtMs <= nowMs;
    if (expired) {
      const lot: ReissuedLot = {
        lotId: newLotId(),
        kind: allocation.kind,
        amount: part,
        expiresAtMs: nowMs + REISSUED_LOT_DAYS * DAY_MS,
        ...(allocation.products ? { products: allocation.products } : {}),
      };
      reissued.push(lot);
      insertLot(state, { ...lot, remaining: part });
      continue;
    }
    const live = state.lots.find((lot) => lot.lotId === allocation.lotId);
    if (live) {
      live.remaining = micros(live.remaining + part);
      assert(live.remaining <= live.amount, `lot ${live.lotId} would hold more than it was granted`);
    } else {
      // Spent to zero and dropped, or (on a heavy account) one of the overflow lots.
      insertLot(state, {
        lotId: allocation.lotId,
        kind: allocation.kind,
        amount: allocation.lotAmount,
        remaining: part,
        expiresAtMs: allocation.expiresAtMs,
        ...(allocation.products ? { products: allocation.products } : {}),
      });
    }
  }
  assert(left === 0, `could restore only ${amount - left} of ${amount}`);
  return reissued;
}

export interface Repayment {
  ref: string;
  allocations: Allocation[];
}

/**
 * Incoming credit pays debt first: oldest debt first, from the usable lots that may pay it (a
 * charge's debt: credit for its product; a provider reversal's: unscoped credit), in consumption order.
 */
export function repayDebts(state: AccountState, nowMs: number): Repayment[] {
  const repayments: Repayment[] = [];
  for (const debt of state.debts) {
    const payingFor = debtPayingFor(debt);
    const available = usableCredit(state, nowMs, undefined, payingFor);
    if (available === 0) continue;
    const allocations = takeFromLots(state, min(available, debt.amount), nowMs, { payingFor });
    debt.amount = micros(debt.amount - sum(allocations.map((a) => a.taken)));
    repayments.push({ ref: debt.ref, allocations });
  }
  state.debts = state.debts.filter((debt) => debt.amount > 0);
  return repayments;
}

/** Reduces the debt recorded under `ref` by up to `amount`; returns how much it paid back. */
export function forgiveDebt(state: AccountState, ref: string, amount: Micros): Micros {
  const debt = state.debts.find((d) => d.ref === ref);
  if (!debt) return ZERO;
  const paid = min(debt.amount, amount);
  debt.amount = micros(debt.amount - paid);
  state.debts = state.debts.filter((d) => d.amount > 0);
  return paid;
}

/** When the nightly run next has something to do for a lot expiring then: its next notice, else its expiry. */
function nextEventOf(expiresAtMs: number, notice: NoticeDays | undefined): number {
  if (notice === undefined) return expiresAtMs - FIRST_NOTICE_DAYS * DAY_MS;
  if (notice === FIRST_NOTICE_DAYS) return expiresAtMs - LAST_NOTICE_DAYS * DAY_MS;
  return expiresAtMs;
}

/**
 * The earliest moment the nightly run has work on this account (a notice or an expiry), for the
 * expiry index; null when no lot with credit left expires.
 */
export function nextLotEventMs(state: {
  readonly lots: readonly LotView[];
  readonly overflow: ReadonlyDeep<OverflowSummary> | null;
}): number | null {
  let next: number | null = state.overflow?.nextEventMs ?? null;
  for (const lot of state.lots) {
    if (lot.remaining <= 0 || lot.expiresAtMs === null) continue;
    const at = nextEventOf(lot.expiresAtMs, lot.notice);
    if (next === null || at < next) next = at;
  }
  return next;
}

/** The lots, all of them loaded, when the nightly run may have work on one in overflow by `nowMs`. */
export function lotsWithEventsBy(state: AccountView, nowMs: number): readonly LotView[] {
  const next = state.overflow?.nextEventMs;
  if (next !== undefined && next !== null && next <= nowMs)
    throw new OverflowNeeded('an overflow lot has a notice or expiry due');
  return state.lots;
}

/** The notice a lot is due at `nowMs` (the nearer one when both are), or null. */
export function noticeDue(lot: LotView, nowMs: number): NoticeDays | null {
  if (lot.remaining <= 0 || lot.expiresAtMs === null || lot.expiresAtMs <= nowMs) return null;
  if (lot.expiresAtMs - LAST_NOTICE_DAYS * DAY_MS <= nowMs)
    return lot.notice === LAST_NOTICE_DAYS ? null : LAST_NOTICE_DAYS;
  if (lot.expiresAtMs - FIRST_NOTICE_DAYS * DAY_MS <= nowMs) return lot.notice === undefined ? FIRST_NOTICE_DAYS : null;
  return null;
}

/** Internal consistency of one account's state; a failure is a bug. */
export function assertAccountInvariants(state: AccountView): void {
  for (const lot of state.lots) {
    assert(
      lot.remaining >= 0 && lot.remaining <= lot.amount,
      `lot ${lot.lotId}: remaining ${lot.remaining} outside 0..${lot.amount}`,
    );
  }
  for (const debt of state.debts) assert(debt.amount > 0, `debt ${debt.ref} is not positive`);
  assert(lotCount(state) <= MAX_LOTS_EVER, 'too many live lots');
  assert(state.pending.length <= MAX_PENDING_CHARGES, 'too many pending charges');
  assert(state.pendingWithdrawals >= 0, 'pending withdrawals are negative');
}
