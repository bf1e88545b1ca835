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
import { assert } from '../assert.js';
import { type Destination, destinationProblem, isPayoutNetwork, PAYOUT_NETWORKS } from '../destination.js';
import { Conflict, Forbidden, InsufficientCredits, InvalidRequest, NotFound } from '../errors.js';
import type { Actor } from '../items/audit.js';
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
import { type AuditInput, markOf, recordAudit, refuseOwnAccount } from './audit.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import { fingerprint, type Ledger } from './ledger.js';
import { creditArrived } from './pending.js';
import { giveBack } from './refund.js';

export const REVIEW_BUSINESS_DAYS = 7;
export const MAX_WITHDRAWALS_LISTED = 100;

/** A withdrawal as users and finance see it: without the lots it took from. */
export type WithdrawalView = Omit<Withdrawal, 'allocations'> & { approvalsNeeded: number };

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
        approvals: [],
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
      return view(draft, withdrawal);
    },
  });
}

export async function cancelWithdrawal(
  ledger: Ledger,
  accountId: string,
  withdrawalId: string,
): Promise<WithdrawalView> {
  return transition(ledger, { accountId, withdrawalId, to: 'cancelled', from: ['pending_review'] });
}

/**
 * A staff member's approval. Up to `dualApprovalAbove` one approval makes it `approved`; above it
 * the first leaves it `pending_review` with its approval recorded and a different member's second
 * approves it. The same member approving twice changes nothing (409).
 */
export async function approveWithdrawal(ledger: Ledger, withdrawalId: string, actor: Actor): Promise<WithdrawalView> {
  const accountId = await staffMayAct(ledger, withdrawalId, actor);
  return transition(ledger, { accountId, withdrawalId, to: 'approved', from: ['pending_review'], actor });
}

export async function rejectWithdrawal(
  ledger: Ledger,
  withdrawalId: string,
  reason: string,
  actor: Actor,
): Promise<WithdrawalView> {
  if (reason.trim() === '') throw new InvalidRequest('reason is required');
  const accountId = await staffMayAct(ledger, withdrawalId, actor);
  return transition(ledger, {
    accountId,
    withdrawalId,
    to: 'rejected',
    from: ['pending_review', 'approved'],
    actor,
    reason,
  });
}

/** Marks the payout made; whoever completes it may be one of its approvers. */
export async function completeWithdrawal(
  ledger: Ledger,
  withdrawalId: string,
  payoutReference: string,
  actor: Actor,
): Promise<WithdrawalView> {
  if (payoutReference.trim() === '') throw new InvalidRequest('payoutReference is required');
  const accountId = await staffMayAct(ledger, withdrawalId, actor);
  return transition(ledger, {
    accountId,
    withdrawalId,
    to: 'completed',
    from: ['approved'],
    actor,
    payoutReference,
  });
}

/** The withdrawal's account, unless it is the actor's own: nobody acts on their own payout (403). */
async function staffMayAct(ledger: Ledger, withdrawalId: string, actor: Actor): Promise<string> {
  const accountId = await accountOfWithdrawal(ledger, withdrawalId);
  refuseOwnAccount(actor, accountId, `withdrawal ${withdrawalId}`);
  return accountId;
}

interface Move {
  accountId: string;
  withdrawalId: string;
  to: WithdrawalStatus;
  from: WithdrawalStatus[];
  /** The member of staff making it; absent when the account's owner cancels. */
  actor?: Actor;
  reason?: string;
  payoutReference?: string;
}

function transition(ledger: Ledger, move: Move): Promise<WithdrawalView> {
  const { accountId, withdrawalId, to, actor } = move;
  return run(ledger, {
    name: `withdrawal:${to}`,
    accountId,
    ...(actor ? { actor } : {}),
    plan: async (draft): Promise<WithdrawalView> => {
      const item = await ledger.table.get(keys.withdrawal(accountId, withdrawalId));
      if (!item) throw new NotFound(`no withdrawal ${withdrawalId}`);
      const before = withdrawalFromItem(item);
      assertMayMove(draft, before, move);
      const after = nextOf(draft, before, move);
      if (after.status === 'rejected' || after.status === 'cancelled') giveCreditBack(draft, after);
      if (after.status === 'completed' || after.status === 'rejected' || after.status === 'cancelled') {
        draft.changePendingWithdrawals(micros(-before.amount));
      }
      draft.write(withdrawalItems.moved(before, after));
      if (actor) recordAudit(draft, actor, auditOf(before, after));
      if (after.status !== before.status) tellTheAccount(draft, before, after);
      return view(draft, after);
    },
  });
}

function assertMayMove(draft: Draft, before: Withdrawal, move: Move): void {
  const { withdrawalId, to } = move;
  if (!move.from.includes(before.status))
    throw new Conflict(`withdrawal ${withdrawalId} is ${before.status}; it can not become ${to}`);
  if ((to === 'approved' || to === 'completed') && !before.destination) {
    throw new Conflict(
      `withdrawal ${withdrawalId} names no destination: reject it; a payout goes only to the address the ` +
        `account gave`,
    );
  }
  if (to === 'approved' && move.actor && before.approvals.some((a) => a.sub === move.actor?.sub))
    throw new Conflict(`you already approved withdrawal ${withdrawalId}: a different member of staff must approve it`);
  // Paying out while the account owes what a provider took back would pay the same money twice.
  const owed = reversalDebtOf(draft.state);
  if ((to === 'approved' || to === 'completed') && owed > 0) {
    throw new Conflict(
      `the account owes ${formatMicros(owed)} credits from a card refund or dispute: reject this ` +
        `withdrawal (its credit then repays that) or wait until it is paid`,
    );
  }
}

/** The withdrawal after the move: an approval short of the approvals it needs leaves it pending_review. */
function nextOf(draft: Draft, before: Withdrawal, move: Move): Withdrawal {
  const mark = move.actor ? markOf(draft, move.actor) : undefined;
  const approvals = move.to === 'approved' && mark ? [...before.approvals, mark] : before.approvals;
  const status = move.to === 'approved' && approvals.length < approvalsNeeded(draft, before) ? before.status : move.to;
  return {
    ...before,
    ...(move.reason ? { reason: move.reason } : {}),
    ...(move.payoutReference ? { payoutReference: move.payoutReference } : {}),
    ...(move.to === 'rejected' && mark ? { rejectedBy: mark } : {}),
    ...(move.to === 'completed' && mark ? { completedBy: mark } : {}),
    approvals,
    status,
    updatedAt: draft.now,
    allocations: before.allocations.map((a) => ({ ...a })),
  };
}

/** Two different members of staff above the threshold (SPEC §14), one up to it. */
export function approvalsNeeded(ledger: Pick<Ledger, 'config'>, withdrawal: Pick<Withdrawal, 'amount'>): number {
  return withdrawal.amount > ledger.config.dualApprovalAbove ? 2 : 1;
}

function auditOf(before: Withdrawal, after: Withdrawal): AuditInput {
  const action = after.status === 'pending_review' ? 'approve' : ACTION_OF[after.status];
  assert(action !== undefined, `no staff action makes a withdrawal ${after.status}`);
  const values = (w: Withdrawal) => ({ status: w.status, approvals: w.approvals.map((a) => a.sub) });
  return {
    action: `withdrawal.${action}`,
    subject: after.withdrawalId,
    before: values(before),
    after: {
      ...values(after),
      amount: formatMicros(after.amount),
      ...(after.reason ? { reason: after.reason } : {}),
      ...(after.payoutReference ? { payoutReference: after.payoutReference } : {}),
    },
  };
}

const ACTION_OF: Partial<Record<WithdrawalStatus, 'approve' | 'reject' | 'complete'>> = {
  approved: 'approve',
  rejected: 'reject',
  completed: 'complete',
};

function tellTheAccount(draft: Draft, before: Withdrawal, after: Withdrawal): void {
  draft.event('withdrawal.updated', {
    withdrawalId: after.withdrawalId,
    status: after.status,
    amount: formatMicros(before.amount),
    ...(after.reason ? { reason: after.reason } : {}),
  });
  draft.notify(
    'withdrawal_status_changed',
    `Your withdrawal of ${formatMicros(before.amount)} credits is now ` +
      `${after.status.replace('_', ' ')}${after.reason ? `: ${after.reason}` : ''}.`,
  );
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
  return items.map((item) => view(ledger, withdrawalFromItem(item)));
}

/** The finance queue: withdrawals in one status, oldest request first. */
export async function listWithdrawalsByStatus(ledger: Ledger, status: WithdrawalStatus): Promise<WithdrawalView[]> {
  const { items } = await ledger.table.query({
    IndexName: withdrawalStatusIndex.name,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': withdrawalStatusIndex.pk(status) },
    Limit: MAX_WITHDRAWALS_LISTED,
  });
  return items.map((item) => view(ledger, withdrawalFromItem(item)));
}

function view(ledger: Pick<Ledger, 'config'>, w: Withdrawal): WithdrawalView {
  const { allocations: _allocations, ...rest } = w;
  return { ...rest, approvalsNeeded: approvalsNeeded(ledger, w) };
}
