// The shapes the ledger hands out: ledger entries, charges, withdrawals, notifications.
// Amounts are Micros; the API layer formats them as decimal strings.

import type { Allocation, LotKind } from '../account.js';
import type { Destination } from '../destination.js';
import type { Micros } from '../money.js';

export type EntryType =
  | 'purchase'
  | 'promotional_grant'
  | 'usage'
  | 'refund'
  | 'expiry'
  | 'withdrawal'
  | 'withdrawal_reversal'
  | 'reversal'
  | 'adjustment';

export const ENTRY_TYPES: readonly EntryType[] = [
  'purchase',
  'promotional_grant',
  'usage',
  'refund',
  'expiry',
  'withdrawal',
  'withdrawal_reversal',
  'reversal',
  'adjustment',
];

export type Category = 'Credit Inflow' | 'Usage Deductions' | 'Refunds' | 'Expired' | 'Withdrawals' | 'Adjustments';

const CATEGORY: Record<EntryType, Category> = {
  purchase: 'Credit Inflow',
  promotional_grant: 'Credit Inflow',
  usage: 'Usage Deductions',
  refund: 'Refunds',
  expiry: 'Expired',
  withdrawal: 'Withdrawals',
  withdrawal_reversal: 'Withdrawals',
  reversal: 'Adjustments',
  adjustment: 'Adjustments',
};

export const CATEGORIES: readonly Category[] = [
  'Credit Inflow',
  'Usage Deductions',
  'Refunds',
  'Expired',
  'Withdrawals',
  'Adjustments',
];

export function categoryOf(type: EntryType): Category {
  return CATEGORY[type];
}

/** The entry types shown under a category. */
export function typesOf(category: Category): EntryType[] {
  return ENTRY_TYPES.filter((type) => CATEGORY[type] === category);
}

export interface LedgerEntry {
  transactionId: string;
  type: EntryType;
  category: Category;
  amount: Micros;
  balanceAfter: Micros;
  createdAt: string;
  reference: string;
  description: string;
}

export type NotificationType =
  | 'purchase_completed'
  | 'promotional_grant'
  | 'allowance_used'
  | 'top_up_needed'
  | 'charge_failed'
  | 'refund_issued'
  | 'withdrawal_status_changed'
  | 'credits_expiring'
  | 'credits_expired'
  | 'reversal';

export interface Notification {
  notificationId: string;
  type: NotificationType;
  message: string;
  createdAt: string;
  read: boolean;
}

export type ChargeStatus = 'paid' | 'pending_payment' | 'failed' | 'cancelled';

export interface Charge {
  chargeId: string;
  accountId: string;
  deploymentId: string;
  status: ChargeStatus;
  amount: Micros;
  refunded: Micros;
  description: string;
  createdAt: string;
  graceExpiresAt?: string;
  /** Every take from a lot that paid this charge, in the order taken (debt repayments included). */
  allocations: Allocation[];
  debtCreated: Micros;
}

export type WithdrawalStatus = 'pending_review' | 'approved' | 'completed' | 'rejected' | 'cancelled';

export interface Withdrawal {
  withdrawalId: string;
  accountId: string;
  status: WithdrawalStatus;
  amount: Micros;
  requestedAt: string;
  expectedBy: string;
  /** Absent only on withdrawals requested before destinations were asked for: those can only be rejected. */
  destination?: Destination;
  allocations: Allocation[];
  reason?: string;
  payoutReference?: string;
  updatedAt: string;
}

export interface Lot {
  lotId: string;
  kind: LotKind;
  amount: Micros;
  remaining: Micros;
  createdAt: string;
  expiresAt: string | null;
  withdrawable: boolean;
}
