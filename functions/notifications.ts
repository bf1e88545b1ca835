// GET /notifications and POST /notifications/{id}/read: the Notification Center.

import { listNotifications, markNotificationRead } from '../core/ledger/notifications.js';
import { accountFor } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import { api } from './http/routes.js';

export const handler = groupHandler([
  implement(api.notifications, async ({ caller, query, runtime }) => ({
    status: 200,
    body: { items: await listNotifications(runtime.ledger, accountFor(caller, undefined, 'read'), query.limit ?? 50) },
  })),

  implement(api.markNotificationRead, async ({ caller, params, runtime }) => ({
    status: 200,
    body: await markNotificationRead(runtime.ledger, accountFor(caller, undefined, 'write'), params.notificationId),
  })),
]);
