// A draft of one account's change: a copy of its state that an operation edits, and the items
// (ledger entries, charges, lots, notifications) that must be written with it in one
// TransactWriteItems. The engine (commit.ts) turns a finished draft into that transaction.
//
// The draft offers the moves (take from lots, add debt, add an item, …) and is the only thing that
// changes its state: everyone else reads it through `state`, a view nothing can be changed through.
// The rules that decide which moves to make live in the modules their names promise: when alerts
// fire (alerts.ts), when a top-up starts (auto-top-up.ts), when waiting charges settle (pending.ts).

import {
  type AccountState,
  type AccountView,
  type Allocation,
  type AutoTopUp,
  allowanceOf,
  availableFor,
  balanceOf,
  cloneAccount,
  findLot,
  forgiveDebt,
  insertLot,
  type LiveLot,
  type NoticeDays,
  type PendingCharge,
  paymentDecision,
  type ReissuedLot,
  type Repayment,
  repayDebts,
  restoreAllocations,
  sameState,
  type TakeFrom,
  takeFromLots,
  type UsageDay,
} from '../account.js';
import { assert } from '../assert.js';
import type { IoCreditsError } from '../errors.js';
import { type IdPrefix, ledgerEntryUlid, newId } from '../ids.js';
import { categoryOf, type EntryType, entryItem, type LedgerEntry, type PaidFrom } from '../items/entry.js';
import type { ItemWrite } from '../items/fields.js';
import { type NotificationType, notificationItem } from '../items/notification.js';
import { type EventData, type EventType, eventItems, type WebhookEvent } from '../items/webhook.js';
import { formatMicros as fmt, type Micros, micros, sum, ZERO } from '../money.js';
import { DEFAULT_PRODUCT, type Product } from '../products.js';
import { nextLink } from '../proof/chain.js';
import type { Item } from '../table/table.js';
import { iso, utcDay } from '../time.js';
import type { LedgerConfig } from './config.js';

/** One write of the draft's transaction (items/fields.ItemWrite). */
export type PlannedWrite = ItemWrite;

/** A named condition on a write, and what its failure means (see PlannedWrite). */
export interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  onFailed?: (() => IoCreditsError) | 'retry';
}

/** The item must be new: ids are fresh ULIDs, so a clash means a bug or a replayed write. */
export const itemIsNew: Condition = { expression: 'attribute_not_exists(pk)' };

export interface EntryInput {
  type: EntryType;
  amount: Micros;
  reference: string;
  description: string;
  lots?: { lotId: string; amount: Micros }[];
  /** What a usage or refund entry was for (SPEC §10): counted in the day's usage by product. */
  usage?: {
    product: Product;
    /** Absent only for a charge that waited for credit before deployments were kept with it. */
    deploymentId?: string;
    projectId?: string;
    /** A usage entry: the lots that paid it, and the part taken as debt. */
    paidFrom?: PaidFrom[];
    allowance?: Micros;
  };
}

/** A charge that reached its final status in this draft: published once it commits. */
export interface ChargeOutcome {
  chargeId: string;
  accountId: string;
  status: 'paid' | 'failed' | 'cancelled';
  amount: Micros;
  /** It waited in pending_payment, so a grace schedule may exist for it. */
  wasPending: boolean;
  /** Known when the draft wrote the charge itself; otherwise read from the charge item. */
  deploymentId?: string;
  occurredAt: string;
}

/** A pending charge's grace deadline, to be scheduled once the draft commits. */
export interface Deadline {
  accountId: string;
  chargeId: string;
  dueAtMs: number;
}

/** An automatic top-up the draft started: its PaymentIntent is made once the draft commits. */
export interface StartedTopUp {
  accountId: string;
  purchaseId: string;
}

export class Draft {
  private readonly current: AccountState;
  private readonly planned: PlannedWrite[] = [];
  private readonly written: LedgerEntry[] = [];
  private readonly ended: ChargeOutcome[] = [];
  private readonly due: Deadline[] = [];
  private readonly raised: WebhookEvent[] = [];
  private readonly started: StartedTopUp[] = [];
  private topUpsHeld = false;
  private settlementLeft = false;

  constructor(
    readonly before: AccountView,
    readonly nowMs: number,
    readonly config: LedgerConfig,
    /** Someone listens to this account's events (ledger/subscribers.ts): only then are they written. */
    readonly listened = false,
  ) {
    this.current = cloneAccount(before);
  }

  // ---- what the draft holds ----

  /** The account as this draft leaves it so far. */
  get state(): AccountView {
    return this.current;
  }

  /** The items to write with the account item, in the order planned. */
  get writes(): readonly PlannedWrite[] {
    return this.planned;
  }

  get entries(): readonly LedgerEntry[] {
    return this.written;
  }

  get outcomes(): readonly ChargeOutcome[] {
    return this.ended;
  }

  get deadlines(): readonly Deadline[] {
    return this.due;
  }

  /** Events for other systems this draft writes (SPEC §9), handed to the webhook queue after the commit. */
  get events(): readonly WebhookEvent[] {
    return this.raised;
  }

  get topUps(): readonly StartedTopUp[] {
    return this.started;
  }

  /** An operation recorded a failed top-up: no new one starts in the same transaction. */
  get holdsTopUps(): boolean {
    return this.topUpsHeld;
  }

  /** Pending charges fit but not in this transaction: they are settled right after it commits. */
  get settlementDeferred(): boolean {
    return this.settlementLeft;
  }

  get accountId(): string {
    return this.current.accountId;
  }

  get now(): string {
    return iso(this.nowMs);
  }

  id(prefix: IdPrefix): string {
    return newId(prefix, this.nowMs);
  }

  balance(): Micros {
    return balanceOf(this.current, this.nowMs);
  }

  allowance(): Micros {
    return allowanceOf(this.current, this.config.defaultAllowance);
  }

  /** What a charge for `product` may take: the credit that may pay it, less all debt (SPEC §10). */
  available(product: Product): Micros {
    return availableFor(this.current, this.nowMs, product);
  }

  /** Whether a charge can be paid now (account.paymentDecision). */
  canPay(charge: { amount: Micros; product: Product }): boolean {
    return paymentDecision(this.current, charge, this.nowMs, this.allowance()).payable;
  }

  /**
   * Whether committing this draft changes anything: an item to write, or the account's state
   * (a setting, a pending charge removed) differs from what was read.
   */
  changed(): boolean {
    return this.planned.length > 0 || !sameState(this.before, this.current);
  }

  /** The item this draft already puts under `key`, to add to it rather than write the key twice. */
  plannedPut(key: { pk: string; sk: string }): Item | undefined {
    for (const { item } of this.planned) {
      if ('Put' in item && item.Put.Item?.pk === key.pk && item.Put.Item?.sk === key.sk) return item.Put.Item;
    }
    return undefined;
  }

  // ---- items written with the change ----

  write(write: ItemWrite): void {
    this.planned.push(write);
  }

  put(item: Item, condition?: Condition): void {
    const conditional = condition
      ? {
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: condition.names,
          ExpressionAttributeValues: condition.values,
        }
      : {};
    this.write({ item: { Put: { Item: item, ...conditional } }, onConditionFailed: condition?.onFailed });
  }

  /** Appends a ledger entry; call it after the state change it records, for `balanceAfter`. */
  entry(input: EntryInput): LedgerEntry {
    assert(input.amount !== 0, `a ${input.type} entry must move credit`);
    const atMs = Math.max(this.nowMs, this.current.lastEntryAtMs);
    const ulid = ledgerEntryUlid(atMs, this.current.entryCount);
    const recorded = {
      transactionId: `tx_${ulid}`,
      type: input.type,
      amount: input.amount,
      balanceAfter: this.balance(),
      createdAt: iso(atMs),
      reference: input.reference,
    };
    // Commit order is chain order: each entry links to the head the previous one left (SPEC §12).
    const link = nextLink(this.accountId, this.current, recorded);
    const firstOfDay = this.current.entryCount === 0 || utcDay(this.current.lastEntryAtMs) !== utcDay(atMs);
    this.current.entryCount += 1;
    this.current.lastEntryAtMs = atMs;
    this.current.headHash = link?.hash ?? null;
    const entry: LedgerEntry = {
      ...recorded,
      category: categoryOf(input.type),
      description: input.description,
      ...(input.usage ? usageFields(input.usage) : {}),
      ...link,
    };
    if (input.usage) this.countUsage(entry.createdAt, input.usage.product, input.type, input.amount);
    this.written.push(entry);
    this.put(entryItem(this.accountId, ulid, entry, { lots: input.lots, firstOfDay }));
    return entry;
  }

  /** Adds a usage or refund entry to its day's usage by product (written out by ledger/usage.ts). */
  private countUsage(at: string, product: Product, type: EntryType, amount: Micros): void {
    assert(type === 'usage' || type === 'refund', `a ${type} entry is not usage`);
    const { usageDays } = this.current;
    const day = at.slice(0, 10);
    // An account whose usage so far is only in its entries counts in rollups from this entry on.
    this.current.rollupsSince ??= at;
    let counted = usageDays.find((d) => d.day === day);
    if (!counted) {
      counted = { day, byProduct: {} };
      usageDays.push(counted);
    }
    const totals = counted.byProduct[product] ?? { usage: ZERO, refunds: ZERO };
    counted.byProduct[product] =
      type === 'usage'
        ? { usage: micros(totals.usage - amount), refunds: totals.refunds }
        : { usage: totals.usage, refunds: micros(totals.refunds + amount) };
  }

  /** Takes the earliest days before `day`, `count` at most, out of the day counts (for usage.ts). */
  takeUsageDaysBefore(day: string, count: number): UsageDay[] {
    const past = this.current.usageDays
      .filter((d) => d.day < day)
      .sort((a, b) => (a.day < b.day ? -1 : 1))
      .slice(0, count);
    this.current.usageDays = this.current.usageDays.filter((d) => !past.includes(d));
    return past;
  }

  /** An event for other systems (SPEC §9), written with this change: the outbox of the webhooks. */
  event(type: EventType, data: EventData): void {
    if (!this.listened) return;
    const event: WebhookEvent = { id: this.id('ev'), type, createdAt: this.now, accountId: this.accountId, data };
    this.raised.push(event);
    this.put(eventItems.created(event, this.nowMs), itemIsNew);
  }

  notify(type: NotificationType, message: string): void {
    this.put(
      notificationItem(this.accountId, {
        notificationId: this.id('nt'),
        type,
        message,
        createdAt: this.now,
        read: false,
      }),
    );
  }

  /** Records a charge's final status, to publish once the draft commits, with its event. */
  outcome(outcome: Omit<ChargeOutcome, 'accountId' | 'occurredAt'>): void {
    this.ended.push({ ...outcome, accountId: this.accountId, occurredAt: this.now });
    this.event(`charge.${outcome.status}`, {
      chargeId: outcome.chargeId,
      deploymentId: outcome.deploymentId ?? null,
      amount: fmt(outcome.amount),
      wasPending: outcome.wasPending,
    });
  }

  /** A pending charge's grace deadline, scheduled once the draft commits. */
  scheduleDeadline(deadline: Deadline): void {
    this.due.push(deadline);
  }

  /** A top-up purchase this draft writes: its PaymentIntent is made once the draft commits. */
  topUpStarted(topUp: StartedTopUp): void {
    this.started.push(topUp);
  }

  holdTopUps(): void {
    this.topUpsHeld = true;
  }

  deferSettlement(): void {
    this.settlementLeft = true;
  }

  // ---- lots ----

  /** Adds a lot with credit, in consumption order (account.insertLot). */
  addLot(lot: LiveLot): void {
    insertLot(this.current, lot);
  }

  /** Takes up to `amount` from the usable lots that may pay (account.TakeFrom), in consumption order. */
  takeFromLots(amount: Micros, from: TakeFrom): Allocation[] {
    return takeFromLots(this.current, amount, this.nowMs, from);
  }

  /** Takes up to `amount` of what is left in one lot; answers what it took (nothing from a spent lot). */
  takeFromLot(lotId: string, amount: Micros): Micros {
    const live = findLot(this.current, lotId);
    const taken = micros(Math.min(amount, live?.remaining ?? 0));
    if (live) live.remaining = micros(live.remaining - taken);
    this.current.lots = this.current.lots.filter((lot) => lot.remaining > 0);
    return taken;
  }

  /** Gives back `amount` of what `allocations` took, latest-taken first (account.restoreAllocations). */
  giveBack(allocations: Allocation[], amount: Micros): ReissuedLot[] {
    return restoreAllocations(this.current, allocations, amount, this.nowMs, () => this.id('lot'));
  }

  /** Removes lots whose credit expired (the expiry entry records what they held). */
  dropLots(lotIds: ReadonlySet<string>): void {
    this.current.lots = this.current.lots.filter((lot) => !lotIds.has(lot.lotId));
  }

  /** Records that a lot's expiry notice went out. */
  noticeSent(lotId: string, days: NoticeDays): void {
    const lot = this.current.lots.find((l) => l.lotId === lotId);
    assert(lot !== undefined, `lot ${lotId} is loaded to get its notice`);
    lot.notice = days;
  }

  // ---- debt and charges ----

  /**
   * Pays a charge from the balance: the lots that may pay its product first, in consumption order,
   * the rest as debt recorded under the charge.
   */
  payFromBalance(charge: { chargeId: string; amount: Micros; product: Product }): {
    allocations: Allocation[];
    debtCreated: Micros;
  } {
    const { chargeId, amount, product } = charge;
    assert(this.canPay(charge), `charge ${chargeId} is not payable`);
    const allocations = this.takeFromLots(amount, { payingFor: product });
    const debtCreated = micros(amount - sum(allocations.map((a) => a.taken)));
    if (debtCreated > 0) this.addDebt(chargeId, debtCreated, product);
    return { allocations, debtCreated };
  }

  /** Debt under `ref`; a charge's records its product (but `other`), so credit scoped to it may repay it. */
  addDebt(ref: string, amount: Micros, product?: Product): void {
    assert(amount > 0, `debt ${ref} must be positive`);
    this.current.debts.push({ ref, amount, ...(product && product !== DEFAULT_PRODUCT ? { product } : {}) });
  }

  /** Pays back up to `amount` of the debt recorded under `ref`; answers how much. */
  forgiveDebt(ref: string, amount: Micros): Micros {
    return forgiveDebt(this.current, ref, amount);
  }

  /** Usable credit pays debt, oldest first; answers which lots paid which debt. */
  repayDebts(): Repayment[] {
    return repayDebts(this.current, this.nowMs);
  }

  addPending(charge: PendingCharge): void {
    this.current.pending.push(charge);
  }

  removePending(chargeId: string): void {
    this.current.pending = this.current.pending.filter((c) => c.chargeId !== chargeId);
  }

  // ---- the account's settings and marks ----

  setAllowance(amount: Micros): void {
    this.current.allowance = amount;
  }

  setLowBalanceThreshold(threshold: Micros | null): void {
    this.current.lowBalanceThreshold = threshold;
  }

  /** Whether the low-balance and allowance alerts have fired for the current crossing (alerts.ts). */
  setAlerted(alerts: { lowBalance?: boolean; allowance?: boolean }): void {
    if (alerts.lowBalance !== undefined) this.current.lowBalanceAlerted = alerts.lowBalance;
    if (alerts.allowance !== undefined) this.current.allowanceAlerted = alerts.allowance;
  }

  setAutoTopUp(settings: AutoTopUp): void {
    this.current.autoTopUp = settings;
  }

  markPurchased(): void {
    this.current.hasPurchased = true;
  }

  /** A provider refund or dispute: for finance to look at. */
  flag(): void {
    this.current.flagged = true;
  }

  /** Withdrawals taken from the balance and not yet paid out change by `delta`. */
  changePendingWithdrawals(delta: Micros): void {
    this.current.pendingWithdrawals = micros(this.current.pendingWithdrawals + delta);
  }

  /** The account's own webhook endpoints change by `delta` (never below none). */
  changeWebhookEndpoints(delta: 1 | -1): void {
    this.current.webhookEndpoints = Math.max(0, this.current.webhookEndpoints + delta);
  }
}

function usageFields(usage: NonNullable<EntryInput['usage']>): Partial<LedgerEntry> {
  return {
    product: usage.product,
    ...(usage.deploymentId ? { deploymentId: usage.deploymentId } : {}),
    ...(usage.projectId ? { projectId: usage.projectId } : {}),
    ...(usage.paidFrom ? { paidFrom: usage.paidFrom } : {}),
    ...(usage.allowance === undefined ? {} : { allowance: usage.allowance }),
  };
}
