// A draft of one account's change: a copy of its state that an operation edits, and the items
// (ledger entries, charges, lots, notifications) that must be written with it in one
// TransactWriteItems. The engine turns a finished draft into that transaction.

import {
  type AccountState,
  type Allocation,
  allowanceOf,
  balanceOf,
  cloneAccount,
  paymentDecision,
  type Repayment,
  repayDebts,
  sameState,
  TOP_UP_AMOUNT,
  takeFromLots,
} from '../account.js';
import { assert } from '../assert.js';
import { IoCreditsError } from '../errors.js';
import { type IdPrefix, ledgerEntryUlid, newId } from '../ids.js';
import { chargeItems } from '../items/charge.js';
import { categoryOf, type EntryType, entryItem, type LedgerEntry } from '../items/entry.js';
import type { ItemWrite } from '../items/fields.js';
import { type NotificationType, notificationItem } from '../items/notification.js';
import { type Purchase, purchaseItems } from '../items/purchase.js';
import { type EventData, type EventType, eventItems, type WebhookEvent } from '../items/webhook.js';
import { formatMicros as fmt, MICROS_PER_CENT, type Micros, max, micros, min, sum, ZERO } from '../money.js';
import { type Item, MAX_TRANSACT_ITEMS } from '../table/table.js';
import { iso } from '../time.js';
import type { LedgerConfig } from './ledger.js';

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

/** Writes one settlement of a pending charge may add: the charge, its usage entry, its `charge.paid` event. */
const WRITES_PER_SETTLEMENT = 3;
/**
 * Kept free in every transaction for the account item and the idempotency record, and for what
 * `finish` may add after the operation's plan: two alerts and a `balance.low` event, and an
 * automatic top-up's purchase and lookup.
 */
const RESERVED_WRITES = 2 + 3 + 2;

export class Draft {
  readonly state: AccountState;
  readonly writes: PlannedWrite[] = [];
  readonly entries: LedgerEntry[] = [];
  readonly outcomes: ChargeOutcome[] = [];
  readonly deadlines: Deadline[] = [];
  readonly events: WebhookEvent[] = [];
  /** Automatic top-ups this draft started: their PaymentIntents are made once it commits. */
  readonly topUps: { accountId: string; purchaseId: string }[] = [];
  /** Set by an operation that records a failed top-up: the next try waits for another operation. */
  holdTopUps = false;
  /** Pending charges that fit but not in this transaction: settled right after it commits. */
  settlementDeferred = false;
  private dirty = false;

  constructor(
    readonly before: AccountState,
    readonly nowMs: number,
    readonly config: LedgerConfig,
    /** Someone listens to this account's events (webhooks/subscribers.ts): only then are they written. */
    readonly listened = false,
  ) {
    this.state = cloneAccount(before);
  }

  get accountId(): string {
    return this.state.accountId;
  }

  get now(): string {
    return iso(this.nowMs);
  }

  id(prefix: IdPrefix): string {
    return newId(prefix, this.nowMs);
  }

  balance(): Micros {
    return balanceOf(this.state, this.nowMs);
  }

  allowance(): Micros {
    return allowanceOf(this.state, this.config.defaultAllowance);
  }

  /**
   * Whether committing this draft changes anything: an item to write, or the account's state
   * (a setting, a pending charge removed) differs from what was read.
   */
  changed(): boolean {
    return this.writes.length > 0 || !sameState(this.before, this.state);
  }

  write(write: ItemWrite): void {
    this.writes.push(write);
  }

  /** The item this draft already puts under `key`, to add to it rather than write the key twice. */
  plannedPut(key: { pk: string; sk: string }): Item | undefined {
    for (const { item } of this.writes) {
      if ('Put' in item && item.Put.Item?.pk === key.pk && item.Put.Item?.sk === key.sk) return item.Put.Item as Item;
    }
    return undefined;
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
    const atMs = Math.max(this.nowMs, this.state.lastEntryAtMs);
    const ulid = ledgerEntryUlid(atMs, this.state.entryCount);
    this.state.entryCount += 1;
    this.state.lastEntryAtMs = atMs;
    const entry: LedgerEntry = {
      transactionId: `tx_${ulid}`,
      type: input.type,
      category: categoryOf(input.type),
      amount: input.amount,
      balanceAfter: this.balance(),
      createdAt: iso(atMs),
      reference: input.reference,
      description: input.description,
    };
    this.entries.push(entry);
    this.put(entryItem(this.accountId, ulid, entry, input.lots));
    return entry;
  }

  /** An event for other systems (SPEC §9), written with this change: the outbox of the webhooks. */
  event(type: EventType, data: EventData): void {
    if (!this.listened) return;
    const event: WebhookEvent = { id: this.id('ev'), type, createdAt: this.now, accountId: this.accountId, data };
    this.events.push(event);
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

  /**
   * The alerts this draft's change crosses into, written in its transaction (SPEC §8): the
   * balance going below the low-balance threshold, and below zero (the negative allowance in
   * use). Each fires once per crossing: the account remembers that it alerted, and re-arms only
   * when an operation leaves the balance back at or above the line. The engine calls this once,
   * after the operation's plan; a balance that fell by credit expiring is alerted by the next
   * operation on the account (the nightly run's, at the latest).
   */
  finish(): void {
    const balance = this.balance();
    const threshold = this.state.lowBalanceThreshold;
    if (threshold === null || balance >= threshold) this.state.lowBalanceAlerted = false;
    else if (!this.state.lowBalanceAlerted) {
      this.state.lowBalanceAlerted = true;
      this.event('balance.low', { balance: fmt(balance), threshold: fmt(threshold) });
      this.notify('low_balance', `Your balance is ${fmt(balance)}, below your alert threshold of ${fmt(threshold)}.`);
    }
    this.maybeTopUp(balance);
    if (balance >= 0) this.state.allowanceAlerted = false;
    else if (!this.state.allowanceAlerted) {
      this.state.allowanceAlerted = true;
      this.notify(
        'allowance_in_use',
        `Your balance is ${fmt(balance)}: deployments are running on your negative allowance ` +
          `of ${fmt(this.allowance())}.`,
      );
    }
  }

  /**
   * Starts an automatic top-up when this change leaves the balance below its threshold or a
   * charge waiting for credit, unless one is in flight or this month's limit would be passed. The
   * top-up is a purchase written in this transaction; its amount covers the waiting charges'
   * shortfall without the allowance (rounded up to the cent) when that is more than the configured
   * amount. A top-up that would pass the month's limit is not made at all: the charges wait and,
   * without other credit, fail at their deadlines.
   */
  private maybeTopUp(balance: Micros): void {
    const settings = this.state.autoTopUp;
    if (!settings?.enabled || !settings.card || settings.inFlight || this.holdTopUps) return;
    const waiting = sum(this.state.pending.map((c) => c.amount));
    if (balance >= settings.threshold && waiting === 0) return;
    // The waiting charges' shortfall as the check states it: the allowance is the last resort, so a
    // top-up made for them covers them on its own (one card payment, not one now and more later).
    const shortfall = max(ZERO, micros(waiting - balance));
    const amount = min(TOP_UP_AMOUNT.max, max(settings.amount, roundUpToCent(shortfall)));
    const month = this.now.slice(0, 7);
    const spent = settings.month === month ? settings.spent : ZERO;
    if (spent + amount > settings.monthlyLimit) return;
    const purchase: Purchase = {
      purchaseId: this.id('pu'),
      accountId: this.accountId,
      status: 'pending',
      amount,
      method: 'card',
      provider: 'stripe',
      createdAt: this.now,
      updatedAt: this.now,
      autoTopUp: true,
    };
    this.write(purchaseItems.topUpRequested(purchase, this.nowMs));
    this.write(purchaseItems.lookup(purchase));
    this.state.autoTopUp = { ...settings, inFlight: purchase.purchaseId, month, spent: micros(spent + amount) };
    this.topUps.push({ accountId: this.accountId, purchaseId: purchase.purchaseId });
  }

  /** Whether a charge of `amount` can be paid now (account.paymentDecision). */
  canPay(amount: Micros): boolean {
    return paymentDecision(this.state, amount, this.nowMs, this.allowance()).payable;
  }

  /** Pays a charge: lots first in consumption order, the rest as debt recorded under the charge. */
  payFromBalance(chargeId: string, amount: Micros): { allocations: Allocation[]; debtCreated: Micros } {
    assert(this.canPay(amount), `charge ${chargeId} is not payable`);
    const allocations = takeFromLots(this.state, amount, this.nowMs);
    const debtCreated = micros(amount - sum(allocations.map((a) => a.taken)));
    if (debtCreated > 0) this.state.debts.push({ ref: chargeId, amount: debtCreated });
    return { allocations, debtCreated };
  }

  /**
   * After credit arrives: it pays debt first (recording on each charge which lot paid its debt,
   * so a later refund gives that credit back), then settles pending charges oldest first.
   * Pending charges past their deadline are left to the deadline handler, which fails them.
   */
  creditArrived(): void {
    for (const repayment of repayDebts(this.state, this.nowMs)) this.recordRepayment(repayment);
    this.settlePending();
  }

  settlePending(): void {
    for (const pending of [...this.state.pending]) {
      if (pending.graceExpiresAtMs <= this.nowMs) continue;
      if (!this.canPay(pending.amount)) break;
      if (this.writes.length + WRITES_PER_SETTLEMENT + RESERVED_WRITES > MAX_TRANSACT_ITEMS) {
        this.settlementDeferred = true;
        break;
      }
      this.state.pending = this.state.pending.filter((c) => c.chargeId !== pending.chargeId);
      this.markChargePaid(pending.chargeId, pending.amount, 'Pending charge paid after a top-up');
    }
  }

  /** Pays a pending charge (credit arrived, or its deadline came with enough): see payCharge. */
  markChargePaid(chargeId: string, amount: Micros, description: string): void {
    this.payCharge({ chargeId, amount, description, wasPending: true }, (paid) =>
      chargeItems.settled(this.accountId, chargeId, paid, this.nowMs),
    );
  }

  /**
   * Pays a charge from the balance and writes what paying it means: the charge item `write`
   * returns (new, or a pending one settled), its usage entry, the outcome to publish, and a
   * notification when it used the negative allowance.
   */
  payCharge(
    charge: { chargeId: string; amount: Micros; description: string; wasPending: boolean; deploymentId?: string },
    write: (paid: { allocations: Allocation[]; debtCreated: Micros }) => ItemWrite,
  ): { allocations: Allocation[]; debtCreated: Micros } {
    const { chargeId, amount } = charge;
    const paid = this.payFromBalance(chargeId, amount);
    this.write(write(paid));
    this.entry({
      type: 'usage',
      amount: micros(-amount),
      reference: chargeId,
      description: charge.description,
      lots: paid.allocations.map((a) => ({ lotId: a.lotId, amount: a.taken })),
    });
    this.outcome({
      chargeId,
      status: 'paid',
      amount,
      wasPending: charge.wasPending,
      ...(charge.deploymentId ? { deploymentId: charge.deploymentId } : {}),
    });
    return paid;
  }

  /** Records a charge's final status, to publish once the draft commits. */
  outcome(outcome: Omit<ChargeOutcome, 'accountId' | 'occurredAt'>): void {
    this.outcomes.push({ ...outcome, accountId: this.accountId, occurredAt: this.now });
    this.event(`charge.${outcome.status}`, {
      chargeId: outcome.chargeId,
      deploymentId: outcome.deploymentId ?? null,
      amount: fmt(outcome.amount),
      wasPending: outcome.wasPending,
    });
  }

  private recordRepayment(repayment: Repayment): void {
    if (!repayment.ref.startsWith('ch_') || repayment.allocations.length === 0) return;
    this.write(chargeItems.repaid(this.accountId, repayment.ref, repayment.allocations));
  }
}

function roundUpToCent(amount: Micros): Micros {
  return micros(Math.ceil(amount / MICROS_PER_CENT) * MICROS_PER_CENT);
}
