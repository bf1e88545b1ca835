// The HTTP API's routes (SPEC §5): method, path, who may call, what they take and answer.
// The handlers, the OpenAPI document, the local server and the deployment all read this list,
// so a route exists everywhere or nowhere. Local-only routes are in functions/local/.

import { type Group, type Route, routeKey } from './route.js';
import { adminRoutes } from './routes/admin.js';
import { balanceRoutes } from './routes/balance.js';
import { chargesRoutes } from './routes/charges.js';
import { eventsRoutes } from './routes/events.js';
import { notificationsRoutes } from './routes/notifications.js';
import { openapiRoutes } from './routes/openapi.js';
import { purchasesRoutes } from './routes/purchases.js';
import { receiptsRoutes } from './routes/receipts.js';
import { webhooksRoutes } from './routes/webhooks.js';
import { withdrawalsRoutes } from './routes/withdrawals.js';

export type { Access, Group, Route, RouteShape } from './route.js';
export { defineRoute, routeKey } from './route.js';

/** What each group is, as an OpenAPI tag. */
export const GROUPS: Record<Group, string> = {
  events: 'Events for other systems: signed webhook endpoints and their deliveries',
  balance: 'The balance, the check before a deployment, the transactions log, usage, and the daily digests and proofs',
  charges: 'Charging deployments, their refunds and pending charges',
  purchases: 'Buying credits by card (Stripe) or USDC (Spherepay)',
  webhooks: "Payment providers' signed events",
  withdrawals: 'Withdrawing purchased credit after a finance review',
  admin:
    'Finance and operations: the withdrawal queue, grants, allowances, the audit log, the account view, the ' +
    'daily close reports',
  notifications: 'The Notification Center',
  receipts: 'Receipts, credit notes and monthly statements',
  openapi: 'This document',
};

export const api = {
  balance: balanceRoutes.balance,
  check: balanceRoutes.check,
  transactions: balanceRoutes.transactions,
  usage: balanceRoutes.usage,
  digest: balanceRoutes.digest,
  proof: balanceRoutes.proof,
  createCharge: chargesRoutes.createCharge,
  getCharge: chargesRoutes.getCharge,
  refundCharge: chargesRoutes.refundCharge,
  cancelCharge: chargesRoutes.cancelCharge,
  createPurchase: purchasesRoutes.createPurchase,
  getPurchase: purchasesRoutes.getPurchase,
  stripeWebhook: webhooksRoutes.stripeWebhook,
  spherepayWebhook: webhooksRoutes.spherepayWebhook,
  requestWithdrawal: withdrawalsRoutes.requestWithdrawal,
  listWithdrawals: withdrawalsRoutes.listWithdrawals,
  cancelWithdrawal: withdrawalsRoutes.cancelWithdrawal,
  withdrawalQueue: adminRoutes.withdrawalQueue,
  approveWithdrawal: adminRoutes.approveWithdrawal,
  rejectWithdrawal: adminRoutes.rejectWithdrawal,
  completeWithdrawal: adminRoutes.completeWithdrawal,
  grantPromotional: adminRoutes.grantPromotional,
  setNegativeAllowance: adminRoutes.setNegativeAllowance,
  auditLog: adminRoutes.auditLog,
  accountView: adminRoutes.accountView,
  closes: adminRoutes.closes,
  closeReport: adminRoutes.closeReport,
  resolveCloseItem: adminRoutes.resolveCloseItem,
  notifications: notificationsRoutes.notifications,
  receipts: receiptsRoutes.receipts,
  billingProfile: receiptsRoutes.billingProfile,
  setBillingProfile: receiptsRoutes.setBillingProfile,
  receipt: receiptsRoutes.receipt,
  statement: receiptsRoutes.statement,
  limits: purchasesRoutes.limits,
  autoTopUp: purchasesRoutes.autoTopUp,
  setAutoTopUp: purchasesRoutes.setAutoTopUp,
  saveCard: purchasesRoutes.saveCard,
  alerts: notificationsRoutes.alerts,
  setAlerts: notificationsRoutes.setAlerts,
  registerWebhookEndpoint: eventsRoutes.registerWebhookEndpoint,
  webhookEndpoints: eventsRoutes.webhookEndpoints,
  removeWebhookEndpoint: eventsRoutes.removeWebhookEndpoint,
  webhookDeliveries: eventsRoutes.webhookDeliveries,
  retryWebhookDelivery: eventsRoutes.retryWebhookDelivery,
  markNotificationRead: notificationsRoutes.markNotificationRead,
  openapi: openapiRoutes.openapi,
};

export const routes: Route[] = Object.values(api);

export function routeByKey(key: string): Route | undefined {
  return routes.find((route) => routeKey(route) === key);
}
