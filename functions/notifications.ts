// GET /notifications and POST /notifications/{id}/read: the Notification Center; GET and PUT
// /credits/alerts: the low-balance alert's threshold.

import { getAlertSettings } from '../core/ledger/alerts.js';
import { listNotifications, markNotificationRead } from '../core/ledger/notifications.js';
import { setLowBalanceThreshold } from '../core/ledger/settings.js';
import { accountFor } from './http/auth.js';
import { groupHandler, implement } from './http/handler.js';
import * as present from './http/present.js';
import { notificationsRoutes as api } from './http/routes/notifications.js';

export const handler = groupHandler([
  implement(api.notifications, async ({ caller, query, runtime }) => ({
    status: 200,
    body: {
      items: await listNotifications(runtime.ledger, accountFor(caller, query.accountId, 'read'), query.limit ?? 50),
    },
  })),

  implement(api.alerts, async ({ caller, runtime }) => ({
    status: 200,
    body: present.alerts(await getAlertSettings(runtime.ledger, accountFor(caller, undefined, 'read'))),
  })),

  implement(api.setAlerts, async ({ caller, body, runtime }) => ({
    status: 200,
    body: present.alerts(
      await setLowBalanceThreshold(runtime.ledger, accountFor(caller, undefined, 'write'), body.lowBalanceThreshold),
    ),
  })),

  implement(api.markNotificationRead, async ({ caller, params, runtime }) => ({
    status: 200,
    body: await markNotificationRead(runtime.ledger, accountFor(caller, undefined, 'write'), params.notificationId),
  })),
]);
