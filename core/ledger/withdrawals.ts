// Withdrawals: a user takes purchased credit out as money after a finance review.
//
//   request ──► pending_review ──approve──► approved ──complete──► completed
//                   │   │                       │
//                cancel reject ◄────────────────┘
//                   ▼   ▼
//            cancelled  rejected   (both give the credit back the way a refund does)
//
// The credit leaves the balance at request time (soonest-expiring purchased lots first), so it
// can not be spent while finance looks at it.

import { reversalDebtOf, withdrawableOf } from '../account.js';
import { type Destination, destinationProblem, isPayoutNetwork, PAYOUT_NETWORKS } from '../destination.js';
import { Conflict, Forbidden, InsufficientCredits, InvalidRequest, NotFound } from '../errors.js';
import {
  accountOfLookup,
  type Withdrawal,
  type WithdrawalStatus,
  withdrawalFromItem,
  withdrawalItems,
} from '../items/withdrawal.js';
import { formatMicros, MICROS_PER_CENT, type Micros, micros } from '../money.js';
import { keys, SK_PREFIX, withdrawalStatusIndex } from '../table/keys.js';
import { addBusinessDays, iso } from '../time.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import { fingerprint, type Ledger } from './ledger.js';
import { creditArrived } from './pending.js';
import { giveBack } from './refund.js';

export const REVIEW_BUSINESS_DAYS = 7;
export const MAX_WITHDRAWALS_LISTED = 100;

/** A withdrawal as users and finance see it: without the lots it took from. */
export type WithdrawalView = Omit<Withdrawal, 'allocations'>;

export interface WithdrawalRequest {
  accountId: string;
  amount: Micros;
  /** Where finance sends the USDC: the only address a payout may go to. */
  destination: Destination;
  idempotencyKey?: string;
}

export async function requestWithdrawal(ledger: Ledger, input: WithdrawalRequest): Promise<WithdrawalView> {
  if (input.amount <= 0 || input.amount % MICROS_PER_CENT !== 0)
    throw new InvalidRequest('amount must be positive whole cents');
  if (!isPayoutNetwork(input.destination.network))
    throw new InvalidRequest(`destination.network must be one of ${PAYOUT_NETWORKS.join(', ')}`);
  const problem = destinationProblem(input.destination.network, input.destination.address);
  if (problem) throw new InvalidRequest(`destination.address: ${problem}`);
  const destination: Destination = { network: input.destination.network, address: input.destination.address };
  return run(ledger, {
    name: 'requestWithdrawal',
    accountId: input.accountId,
    idempotency: input.idempotencyKey
      ? { scope: 'withdrawal', key: input.idempotencyKey, fingerprint: fingerprint([input.amount, destination]) }
      : undefined,
    plan: (draft): WithdrawalView => {
      if (!draft.state.hasPurchased)
        throw new Forbidden('withdrawals are only for accounts that have paid for credits');
      const withdrawable = withdrawableOf(draft.state, draft.nowMs);
      if (input.amount > withdrawable)
        throw new InsufficientCredits(`only ${formatMicros(withdrawable)} credits can be withdrawn`);
      const withdrawalId = draft.id('wd');
      const allocations = draft.takeFromLots(input.amount, { payingFor: null, kind: 'purchased' });
      draft.changePendingWithdrawals(input.amount);
      const withdrawal: Withdrawal = {
        withdrawalId,
        accountId: input.accountId,
        status: 'pending_review',
        amount: input.amount,
        requestedAt: draft.now,
        expectedBy: iso(addBusinessDays(draft.nowMs, REVIEW_BUSINESS_DAYS)),
        destination,
        allocations,
        updatedAt: draft.now,
      };
      draft.write(withdrawalItems.requested(withdrawal));
      draft.write(withdrawalItems.lookup(withdrawal));
      draft.entry({
        type: 'withdrawal',
        amount: micros(-input.amount),
        reference: withdrawalId,
        description: 'Withdrawal requested',
        lots: allocations.map((a) => ({ lotId: a.lotId, amount: a.taken })),
      });
      draft.event('withdrawal.updated', {
        withdrawalId,
        status: withdrawal.status,
        amount: formatMicros(input.amount),
      });
      draft.notify(
        'withdrawal_status_changed',
        `Your withdrawal of ${formatMicros(input.amount)} credits is pending review.`,
      );
      return view(withdrawal);
    },
  });
}

export async function cancelWithdrawal(
  ledger: Ledger,
  accountId: string,
  withdrawalId: string,
): Promise<WithdrawalView> {
  return transition(ledger, accountId, withdrawalId, 'cancelled', ['pending_review'], {});
}

export async function approveWithdrawal(ledger: Ledger, withdrawalId: string): Promise<WithdrawalView> {
  return transition(
    ledger,
    await accountOfWithdrawal(ledger, withdrawalId),
    withdrawalId,
    'approved',
    ['pending_review'],
    {},
  );
}

export async function rejectWithdrawal(ledger: Ledger, withdrawalId: string, reason: string): Promise<WithdrawalView> {
  if (reason.trim() === '') throw new InvalidRequest('reason is required');
  return transition(
    ledger,
    await accountOfWithdrawal(ledger, withdrawalId),
    withdrawalId,
    'rejected',
    ['pending_review', 'approved'],
    { reason },
  );
}

export async function completeWithdrawal(
  ledger: Ledger,
  withdrawalId: string,
  payoutReference: string,
): Promise<WithdrawalView> {
  if (payoutReference.trim() === '') throw new InvalidRequest('payoutReference is required');
  return transition(ledger, await accountOfWithdrawal(ledger, withdrawalId), withdrawalId, 'completed', ['approved'], {
    payoutReference,
  });
}

function transition(
  ledger: Ledger,
  accountId: string,
  withdrawalId: string,
  to: WithdrawalStatus,
  from: WithdrawalStatus[],
  extra: { reason?: string; payoutReference?: string },
): Promise<WithdrawalView> {
  return run(ledger, {
    name: `withdrawal:${to}`,
    accountId,
    plan: async (draft): Promise<WithdrawalView> => {
      const item = await ledger.table.get(keys.withdrawal(accountId, withdrawalId));
      if (!item) throw new NotFound(`no withdrawal ${withdrawalId}`);
      const before = withdrawalFromItem(item);
      if (!from.includes(before.status))
        throw new Conflict(`withdrawal ${withdrawalId} is ${before.status}; it can not become ${to}`);
      if ((to === 'approved' || to === 'completed') && !before.destination) {
        throw new Conflict(
          `withdrawal ${withdrawalId} names no destination: reject it; a payout goes only to the address the ` +
            `account gave`,
        );
      }
      // Paying out while the account owes what a provider took back would pay the same money twice.
      const owed = reversalDebtOf(draft.state);
      if ((to === 'approved' || to === 'completed') && owed > 0) {
        throw new Conflict(
          `the account owes ${formatMicros(owed)} credits from a card refund or dispute: reject this ` +
            `withdrawal (its credit then repays that) or wait until it is paid`,
        );
      }
      const after: Withdrawal = {
        ...before,
        ...extra,
        status: to,
        updatedAt: draft.now,
        allocations: before.allocations.map((a) => ({ ...a })),
      };
      if (to === 'rejected' || to === 'cancelled') giveCreditBack(draft, after);
      if (to === 'completed' || to === 'rejected' || to === 'cancelled') {
        draft.changePendingWithdrawals(micros(-before.amount));
      }
      draft.write(withdrawalItems.moved(before, after));
      draft.event('withdrawal.updated', {
        withdrawalId: after.withdrawalId,
        status: to,
        amount: formatMicros(before.amount),
        ...(extra.reason ? { reason: extra.reason } : {}),
      });
      draft.notify(
        'withdrawal_status_changed',
        `Your withdrawal of ${formatMicros(before.amount)} credits is now ` +
          `${to.replace('_', ' ')}${extra.reason ? `: ${extra.reason}` : ''}.`,
      );
      return view(after);
    },
  });
}

function giveCreditBack(draft: Draft, withdrawal: Withdrawal): void {
  giveBack(draft, withdrawal.allocations, withdrawal.amount, `Withdrawal ${withdrawal.withdrawalId}`);
  draft.entry({
    type: 'withdrawal_reversal',
    amount: withdrawal.amount,
    reference: withdrawal.withdrawalId,
    description: `Withdrawal ${withdrawal.status}`,
  });
  creditArrived(draft);
}

async function accountOfWithdrawal(ledger: Ledger, withdrawalId: string): Promise<string> {
  const lookup = await ledger.table.get(keys.withdrawalLookup(withdrawalId));
  if (!lookup) throw new NotFound(`no withdrawal ${withdrawalId}`);
  return accountOfLookup(lookup);
}

export async function listWithdrawals(ledger: Ledger, accountId: string): Promise<WithdrawalView[]> {
  const { items } = await ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.withdrawal },
    ScanIndexForward: false,
    Limit: MAX_WITHDRAWALS_LISTED,
  });
  return items.map((item) => view(withdrawalFromItem(item)));
}

/** The finance queue: withdrawals in one status, oldest request first. */
export async function listWithdrawalsByStatus(ledger: Ledger, status: WithdrawalStatus): Promise<WithdrawalView[]> {
  const { items } = await ledger.table.query({
    IndexName: withdrawalStatusIndex.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': withdrawalStatusIndex.pk(status) },
    Limit: MAX_WITHDRAWALS_LISTED,
  });
  return items.map((item) => view(withdrawalFromItem(item)));
}

function view(w: Withdrawal): WithdrawalView {
  const { allocations: _allocations, ...rest } = w;
  return rest;
}
