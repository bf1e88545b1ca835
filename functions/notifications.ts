// GET /notifications and POST /notifications/{id}/read: the Notification Center.

import type * as z from 'zod';
import { listNotifications, markNotificationRead } from '../core/ledger/notifications.js';
import { accountFor } from './http/auth.js';
import { groupHandler, type Request } from './http/handler.js';
import type * as s from './http/schemas.js';

export const handler = groupHandler({
  'GET /notifications': async ({ caller, query, runtime }: Request<z.output<typeof s.notificationsQuery>>) => ({
    status: 200,
    body: { items: await listNotifications(runtime.ledger, accountFor(caller, undefined, 'read'), query.limit ?? 50) },
  }),

  'POST /notifications/{notificationId}/read': async ({ caller, params, runtime }: Request) => ({
    status: 200,
    body: await markNotificationRead(runtime.ledger, accountFor(caller, undefined, 'write'), params.notificationId!),
  }),
});
