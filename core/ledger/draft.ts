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
  takeFromLots,
} from '../account.js';
import { assert } from '../assert.js';
import { IoCreditsError } from '../errors.js';
import { type IdPrefix, ledgerEntryUlid, newId } from '../ids.js';
import { formatMicros as fmt, type Micros, micros, sum } from '../money.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import { type Item, MAX_TRANSACT_ITEMS, type TransactItem } from '../table/table.js';
import { iso } from '../time.js';
import type { LedgerConfig } from './ledger.js';
import { categoryOf, type EntryType, type LedgerEntry, type NotificationType } from './types.js';

export interface PlannedWrite {
  item: TransactItem;
  /**
   * What a failed condition on this item means: a domain error, or `retry` when the item changed
   * since the plan read it and the operation should plan again; absent for unconditional writes.
   */
  onConditionFailed?: (() => IoCreditsError) | 'retry';
}

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

/** Writes one settlement of a pending charge may add: the charge, its usage entry, a notification. */
const WRITES_PER_SETTLEMENT = 3;
/** Kept free in every transaction for the account item and the idempotency record. */
const RESERVED_WRITES = 2;

export class Draft {
  readonly state: AccountState;
  readonly writes: PlannedWrite[] = [];
  readonly entries: LedgerEntry[] = [];
  readonly outcomes: ChargeOutcome[] = [];
  readonly deadlines: Deadline[] = [];
  /** Pending charges that fit but not in this transaction: settled right after it commits. */
  settlementDeferred = false;
  private dirty = false;

  constructor(
    readonly before: AccountState,
    readonly nowMs: number,
    readonly config: LedgerConfig,
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

  /** The account changed even if no entry was written (a setting, a pending charge). */
  touch(): void {
    this.dirty = true;
  }

  changed(): boolean {
    return this.dirty || this.writes.length > 0;
  }

  write(item: TransactItem, onConditionFailed?: PlannedWrite['onConditionFailed']): void {
    this.writes.push({ item, onConditionFailed });
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
    this.write({ Put: { Item: item, ...conditional } }, condition?.onFailed);
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
    this.put({
      ...keys.entry(this.accountId, ulid),
      itemType: 'entry',
      ...entry,
      ...(input.lots?.length ? { lots: input.lots } : {}),
    });
    return entry;
  }

  notify(type: NotificationType, message: string): void {
    const notificationId = this.id('nt');
    this.put({
      ...keys.notification(this.accountId, notificationId),
      itemType: 'notification',
      notificationId,
      type,
      message,
      createdAt: this.now,
      read: false,
    });
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

  /** Pays a pending charge and writes its usage entry and the charge item's new status. */
  markChargePaid(chargeId: string, amount: Micros, description: string): void {
    const { allocations, debtCreated } = this.payFromBalance(chargeId, amount);
    this.entry({
      type: 'usage',
      amount: micros(-amount),
      reference: chargeId,
      description,
      lots: allocations.map((a) => ({ lotId: a.lotId, amount: a.taken })),
    });
    this.write({
      Update: {
        Key: keys.charge(this.accountId, chargeId),
        UpdateExpression:
          'SET #status = :paid, allocations = :allocations, debtCreated = :debt, paidAt = :now, gsi3pk = :outboxPk, gsi3sk = :outboxSk REMOVE graceExpiresAt',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':paid': 'paid',
          ':pending': 'pending_payment',
          ':allocations': allocations,
          ':debt': debtCreated,
          ':now': this.now,
          ...this.outboxValues(chargeId),
        },
      },
    });
    this.outcome({ chargeId, status: 'paid', amount, wasPending: true });
    if (debtCreated > 0)
      this.notify('allowance_used', `Charge ${chargeId} used ${fmt(debtCreated)} of your negative allowance.`);
  }

  /** Records a charge's final status, to publish once the draft commits. */
  outcome(outcome: Omit<ChargeOutcome, 'accountId' | 'occurredAt'>): void {
    this.outcomes.push({ ...outcome, accountId: this.accountId, occurredAt: this.now });
  }

  /** The charge item's index keys while its outcome waits to be published (see chargeQueueIndex). */
  outboxKeys(chargeId: string): { gsi3pk: string; gsi3sk: string } {
    return { gsi3pk: chargeQueueIndex.outboxPk(chargeId), gsi3sk: chargeQueueIndex.sk(this.nowMs, chargeId) };
  }

  /** outboxKeys as the values `:outboxPk` and `:outboxSk` of an update expression. */
  outboxValues(chargeId: string): { ':outboxPk': string; ':outboxSk': string } {
    const { gsi3pk, gsi3sk } = this.outboxKeys(chargeId);
    return { ':outboxPk': gsi3pk, ':outboxSk': gsi3sk };
  }

  private recordRepayment(repayment: Repayment): void {
    if (!repayment.ref.startsWith('ch_') || repayment.allocations.length === 0) return;
    this.write({
      Update: {
        Key: keys.charge(this.accountId, repayment.ref),
        UpdateExpression: 'SET allocations = list_append(allocations, :repaid)',
        ExpressionAttributeValues: { ':repaid': repayment.allocations },
      },
    });
  }
}
