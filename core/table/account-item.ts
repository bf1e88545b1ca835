// The account item: the one item every ledger operation reads and rewrites. It carries the
// live lots' remaining credit, the debts and the pending charges in compact tuples, so a
// balance or check is one item read, and its `version` serialises every change to the account.

import type { AccountState, LotKind, NoticeDays } from '../account.js';
import { emptyAccount } from '../account.js';
import { micros, ZERO } from '../money.js';
import type { TransactItem, Item, LedgerTable } from './table.js';
import { expiryIndex, keys } from './keys.js';
import { nextLotEventMs } from '../account.js';

type LotTuple = [lotId: string, kind: 'p' | 'u', amount: number, remaining: number, expiresAtMs: number, notice?: NoticeDays];
type DebtTuple = [ref: string, amount: number];
type PendingTuple = [chargeId: string, amount: number, graceExpiresAtMs: number];

const NO_EXPIRY = -1;

export function accountFromItem(accountId: string, item: Item | undefined): AccountState {
  if (!item) return emptyAccount(accountId);
  return {
    accountId,
    version: item.version as number,
    lots: (item.lots as LotTuple[]).map(([lotId, kind, amount, remaining, expiresAtMs, notice]) => ({
      lotId,
      kind: (kind === 'p' ? 'purchased' : 'promotional') as LotKind,
      amount: micros(amount),
      remaining: micros(remaining),
      expiresAtMs: expiresAtMs === NO_EXPIRY ? null : expiresAtMs,
      ...(notice === undefined ? {} : { notice }),
    })),
    debts: (item.debts as DebtTuple[]).map(([ref, amount]) => ({ ref, amount: micros(amount) })),
    pending: (item.pending as PendingTuple[]).map(([chargeId, amount, graceExpiresAtMs]) => ({ chargeId, amount: micros(amount), graceExpiresAtMs })),
    allowance: item.allowance === undefined ? null : micros(item.allowance as number),
    pendingWithdrawals: micros((item.pendingWithdrawals as number | undefined) ?? ZERO),
    hasPurchased: item.hasPurchased === true,
    flagged: item.flagged === true,
    entryCount: item.entryCount as number,
    lastEntryAtMs: item.lastEntryAtMs as number,
  };
}

export async function loadAccount(table: LedgerTable, accountId: string): Promise<AccountState> {
  return accountFromItem(accountId, await table.get(keys.account(accountId)));
}

/** The account's new state, written only if nobody changed the account since it was read. */
export function putAccount(state: AccountState, expectedVersion: number, updatedAt: string): TransactItem {
  const nextEvent = nextLotEventMs(state);
  const item: Item = {
    ...keys.account(state.accountId),
    type: 'account',
    accountId: state.accountId,
    version: expectedVersion + 1,
    lots: state.lots.map((lot): LotTuple => {
      const tuple: LotTuple = [lot.lotId, lot.kind === 'purchased' ? 'p' : 'u', lot.amount, lot.remaining, lot.expiresAtMs ?? NO_EXPIRY];
      if (lot.notice !== undefined) tuple.push(lot.notice);
      return tuple;
    }),
    debts: state.debts.map((debt): DebtTuple => [debt.ref, debt.amount]),
    pending: state.pending.map((c): PendingTuple => [c.chargeId, c.amount, c.graceExpiresAtMs]),
    allowance: state.allowance ?? undefined,
    pendingWithdrawals: state.pendingWithdrawals,
    hasPurchased: state.hasPurchased || undefined,
    flagged: state.flagged || undefined,
    entryCount: state.entryCount,
    lastEntryAtMs: state.lastEntryAtMs,
    updatedAt,
    ...(nextEvent === null ? {} : { gsi2pk: expiryIndex.pk(state.accountId), gsi2sk: expiryIndex.sk(nextEvent, state.accountId) }),
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
