// A notification of the Notification Center: written in the transaction of the operation it
// reports (Draft.notify), listed newest first, marked read. How it reads back is
// items/notification-read.ts: every operation may write one, only the Notification Center reads them.

import { keys } from '../table/keys.js';
import type { Item } from '../table/table.js';

export const NOTIFICATION_TYPES = [
  'purchase_completed',
  'promotional_grant',
  'low_balance',
  'allowance_in_use',
  // Written before allowance_in_use replaced it (one per charge that used the allowance); still read.
  'allowance_used',
  'top_up_needed',
  'top_up_failed',
  'auto_top_up_disabled',
  'charge_failed',
  'refund_issued',
  'withdrawal_status_changed',
  'credits_expiring',
  'credits_expired',
  'reversal',
] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface Notification {
  notificationId: string;
  type: NotificationType;
  message: string;
  createdAt: string;
  read: boolean;
}

export function notificationItem(accountId: string, notification: Notification): Item {
  return { ...keys.notification(accountId, notification.notificationId), itemType: 'notification', ...notification };
}

/** Marks a notification read; it must exist. */
export function markedRead(accountId: string, notificationId: string) {
  return {
    Key: keys.notification(accountId, notificationId),
    UpdateExpression: 'SET #read = :true',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#read': 'read' },
    ExpressionAttributeValues: { ':true': true },
  };
}
