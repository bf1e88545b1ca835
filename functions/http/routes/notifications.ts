// The notifications group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const alertsBody = z.strictObject({
  lowBalanceThreshold: s.nonNegativeAmount
    .nullable()
    .meta({ description: 'Alert when an operation takes the balance below this; null turns the alert off' }),
});

export const notificationsRoutes = {
  notifications: defineRoute({
    method: 'GET',
    path: '/notifications',
    group: 'notifications',
    access: 'user',
    query: s.notificationsQuery.extend({ accountId: s.accountIdParam.optional() }),
  }),
  alerts: defineRoute({
    method: 'GET',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
  }),
  setAlerts: defineRoute({
    method: 'PUT',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
    body: alertsBody,
  }),
  markNotificationRead: defineRoute({
    method: 'POST',
    path: '/notifications/{notificationId}/read',
    group: 'notifications',
    access: 'user',
    body: s.emptyBody,
    params: s.params.notification,
  }),
};
