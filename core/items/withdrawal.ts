// A withdrawal: purchased credit going out as USDC after a finance review.
//
//   request ──► pending_review ──approve──► approved ──complete──► completed
//                   │   │                       │
//                cancel reject ◄────────────────┘
//                   ▼   ▼
//            cancelled  rejected   (both give the credit back the way a refund does)
//
// Each transition rewrites the item on condition of the status it starts from; gsi1 keeps the
// finance queue (withdrawals by status, oldest request first).

import * as z from 'zod';
import type { Allocation } from '../account.js';
import { Conflict } from '../errors.js';
import type { Micros } from '../money.js';
import { type Destination, PAYOUT_NETWORKS } from '../payout.js';
import { keys, withdrawalStatusIndex } from '../table/keys.js';
import type { Item } from '../table/table.js';
import type { StaffMark } from './audit.js';
import { staffMarkField } from './audit-read.js';
import { allocationField, type ItemWrite, isoField, microsField, readItem } from './fields.js';

export const WITHDRAWAL_STATUSES = ['pending_review', 'approved', 'completed', 'rejected', 'cancelled'] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

export interface Withdrawal {
  withdrawalId: string;
  accountId: string;
  status: WithdrawalStatus;
  amount: Micros;
  requestedAt: string;
  expectedBy: string;
  /** Absent only on withdrawals requested before destinations were asked for: those can only be rejected. */
  destination?: Destination;
  /** The purchased lots the credit was taken from, so a rejection gives it back there. */
  allocations: Allocation[];
  reason?: string;
  payoutReference?: string;
  /**
   * Staff who approved it, in order (SPEC §14): one suffices up to the dual-approval threshold, two
   * different members above it; until then it stays pending_review with the first one here.
   */
  approvals: StaffMark[];
  rejectedBy?: StaffMark;
  completedBy?: StaffMark;
  updatedAt: string;
}

function item(w: Withdrawal): Item {
  return {
    ...keys.withdrawal(w.accountId, w.withdrawalId),
    itemType: 'withdrawal',
    ...w,
    gsi1pk: withdrawalStatusIndex.pk(w.status),
    gsi1sk: withdrawalStatusIndex.sk(w.requestedAt, w.withdrawalId),
  };
}

export const withdrawalItems = {
  requested(w: Withdrawal): ItemWrite {
    return { item: { Put: { Item: item(w), ConditionExpression: 'attribute_not_exists(pk)' } } };
  },
  /** Finds a withdrawal's account from its id alone (finance acts by id). */
  lookup(w: Withdrawal): ItemWrite {
    return {
      item: {
        Put: {
          Item: { ...keys.withdrawalLookup(w.withdrawalId), itemType: 'withdrawalLookup', accountId: w.accountId },
        },
      },
    };
  },
  moved(before: Withdrawal, after: Withdrawal): ItemWrite {
    return {
      item: {
        Put: {
          Item: item(after),
          // The approvals it read, too: a second approval never overwrites a first it did not see.
          ConditionExpression: '#status = :status AND ' + approvalsAre(before.approvals.length),
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': before.status, ':approvals': before.approvals.length },
        },
      },
      onConditionFailed: () => new Conflict(`withdrawal ${before.withdrawalId} changed concurrently`),
    };
  },
};

function approvalsAre(count: number): string {
  return count === 0
    ? '(attribute_not_exists(approvals) OR size(approvals) = :approvals)'
    : 'size(approvals) = :approvals';
}

const shape = z.object({
  withdrawalId: z.string(),
  accountId: z.string(),
  status: z.enum(WITHDRAWAL_STATUSES),
  amount: microsField,
  requestedAt: isoField,
  expectedBy: isoField,
  destination: z.object({ network: z.enum(PAYOUT_NETWORKS), address: z.string() }).optional(),
  allocations: z.array(allocationField),
  reason: z.string().optional(),
  payoutReference: z.string().optional(),
  approvals: z.array(staffMarkField).optional(),
  rejectedBy: staffMarkField.optional(),
  completedBy: staffMarkField.optional(),
  updatedAt: isoField,
});

export function withdrawalFromItem(stored: Item): Withdrawal {
  const { destination, reason, payoutReference, approvals, rejectedBy, completedBy, ...w } = readItem(
    'withdrawal',
    shape,
    stored,
  );
  return {
    ...w,
    approvals: approvals ?? [],
    ...(rejectedBy ? { rejectedBy } : {}),
    ...(completedBy ? { completedBy } : {}),
    ...(destination ? { destination } : {}),
    ...(reason ? { reason } : {}),
    ...(payoutReference ? { payoutReference } : {}),
  };
}

export function accountOfLookup(stored: Item): string {
  return readItem('withdrawal lookup', z.object({ accountId: z.string() }), stored).accountId;
}
