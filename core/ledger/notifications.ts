// The Notification Center: notifications are written by the ledger operations inside their
// transactions (Draft.notify); here they are listed and marked read.

import { NotFound } from '../errors.js';
import { markedRead, type Notification } from '../items/notification.js';
import { notificationFromItem } from '../items/notification-read.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import type { Ledger } from './ledger.js';

export const MAX_NOTIFICATIONS_LISTED = 100;

export async function listNotifications(ledger: Ledger, accountId: string, limit = 50): Promise<Notification[]> {
  const { items } = await ledger.table.meter.run('listNotifications', () =>
    ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.notification },
      ScanIndexForward: false,
      Limit: Math.min(limit, MAX_NOTIFICATIONS_LISTED),
    }),
  );
  return items.map(notificationFromItem);
}

export async function markNotificationRead(
  ledger: Ledger,
  accountId: string,
  notificationId: string,
): Promise<{ notificationId: string; read: true }> {
  const updated = await ledger.table.meter.run('markNotificationRead', () =>
    ledger.table.update(markedRead(accountId, notificationId)),
  );
  if (!updated) throw new NotFound(`no notification ${notificationId}`);
  return { notificationId, read: true };
}
