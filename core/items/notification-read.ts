// How a notification (items/notification.ts) reads back, checked against its schema: for the
// Notification Center's reads, apart from the writer every ledger operation carries.

import * as z from 'zod';
import type { Item } from '../table/table.js';
import { isoField, readItem } from './fields.js';
import { NOTIFICATION_TYPES, type Notification } from './notification.js';

const shape = z.object({
  notificationId: z.string(),
  type: z.enum(NOTIFICATION_TYPES),
  message: z.string(),
  createdAt: isoField,
  read: z.boolean(),
});

export function notificationFromItem(item: Item): Notification {
  return readItem('notification', shape, item);
}
