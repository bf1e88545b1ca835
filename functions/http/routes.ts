// The HTTP API's routes (SPEC §5): method, path, who may call, what they take and answer.
// The handlers, the OpenAPI document, the local server and the deployment all read this list,
// so a route exists everywhere or nowhere. Local-only routes are in functions/local/.

import * as z from 'zod';
import * as s from './schemas.js';

export type Group =
  | 'events'
  | 'balance'
  | 'charges'
  | 'purchases'
  | 'webhooks'
  | 'withdrawals'
  | 'admin'
  | 'notifications'
  | 'openapi';
/**
 * Who may call a route. `user`: any signed-in caller, on their own account (services and admins
 * may name another, see auth.ts); `service`: only tokens with credits:service or credits:admin,
 * for routes that give money to the account they act on; `admin`: credits:admin; `public`: no
 * token (signed provider webhooks, the OpenAPI document).
 */
export type Access = 'user' | 'service' | 'admin' | 'public';

/** A route of the deployed API (`Route`) or of the local server only (`local`). */
export interface RouteShape {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** The Lambda function that serves it; its OpenAPI tag. */
  group: Group | 'local';
  access: Access;
  /**
   * What it does, for the OpenAPI document and the clients generated from it: the deployed API's
   * routes have theirs in route-docs.ts (out of the Lambda bundles), local-only routes here.
   */
  summary?: string;
  description?: string;
  /** The path's `{name}` parameters; one that does not match is a 404. */
  params?: z.ZodType<Record<string, string>>;
  query?: z.ZodType;
  body?: z.ZodType;
  idempotencyKey?: 'required' | 'optional';
  /**
   * The handler gets the body exactly as sent, unparsed: signed provider webhooks. Their refusals
   * are logged too, since nobody reads the answers a provider gets.
   */
  rawBody?: true;
  /** What it answers per status: the deployed API's routes in route-responses.ts, local-only routes here. */
  responses?: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
}

export interface Route extends RouteShape {
  group: Group;
}

/**
 * A route, with its types kept: a handler written for it (handler.ts `implement`) gets its params,
 * query and body as the route's schemas output them. The path's `{names}` must be the params'.
 */
export function defineRoute<const R extends RouteShape>(route: R): R {
  const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  const declared = route.params ? Object.keys((route.params as unknown as z.ZodObject).shape).sort() : [];
  if (inPath.join() !== declared.join())
    throw new Error(
      `${route.method} ${route.path} declares params [${declared.join()}], its path has [${inPath.join()}]`,
    );
  return route;
}

/** What each group is, as an OpenAPI tag. */
export const GROUPS: Record<Group, string> = {
  events: 'Events for other systems: signed webhook endpoints and their deliveries',
  balance: 'The balance, the check before a deployment, the transactions log and usage',
  charges: 'Charging deployments, their refunds and pending charges',
  purchases: 'Buying credits by card (Stripe) or USDC (Spherepay)',
  webhooks: "Payment providers' signed events",
  withdrawals: 'Withdrawing purchased credit after a finance review',
  admin: 'Finance and operations: the withdrawal queue, grants, allowances',
  notifications: 'The Notification Center',
  openapi: 'This document',
};

export const routeKey = (route: Pick<RouteShape, 'method' | 'path'>) => `${route.method} ${route.path}`;

export const api = {
  balance: defineRoute({
    method: 'GET',
    path: '/credits/balance',
    group: 'balance',
    access: 'user',
    query: s.balanceQuery,
  }),
  check: defineRoute({
    method: 'GET',
    path: '/credits/check',
    group: 'balance',
    access: 'user',
    query: s.checkQuery,
  }),
  transactions: defineRoute({
    method: 'GET',
    path: '/credits/transactions',
    group: 'balance',
    access: 'user',
    query: s.transactionsQuery,
  }),
  usage: defineRoute({
    method: 'GET',
    path: '/credits/usage',
    group: 'balance',
    access: 'user',
    query: s.usageQuery,
  }),
  createCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges',
    group: 'charges',
    access: 'user',
    body: s.chargeBody,
    idempotencyKey: 'required',
  }),
  getCharge: defineRoute({
    method: 'GET',
    path: '/credits/charges/{chargeId}',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    params: s.params.charge,
  }),
  refundCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/refunds',
    group: 'charges',
    access: 'service',
    body: s.refundBody,
    idempotencyKey: 'required',
    params: s.params.charge,
  }),
  cancelCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/cancel',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    body: s.emptyBody,
    params: s.params.charge,
  }),
  createPurchase: defineRoute({
    method: 'POST',
    path: '/credits/purchases',
    group: 'purchases',
    access: 'user',
    body: s.purchaseBody,
    idempotencyKey: 'optional',
  }),
  getPurchase: defineRoute({
    method: 'GET',
    path: '/credits/purchases/{purchaseId}',
    group: 'purchases',
    access: 'user',
    query: s.accountQuery,
    params: s.params.purchase,
  }),
  stripeWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/stripe',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
  }),
  spherepayWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/spherepay',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
  }),
  requestWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    body: s.withdrawalBody,
    idempotencyKey: 'optional',
  }),
  listWithdrawals: defineRoute({
    method: 'GET',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    query: s.emptyQuery,
  }),
  cancelWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals/{withdrawalId}/cancel',
    group: 'withdrawals',
    access: 'user',
    body: s.emptyBody,
    params: s.params.withdrawal,
  }),
  withdrawalQueue: defineRoute({
    method: 'GET',
    path: '/admin/withdrawals',
    group: 'admin',
    access: 'admin',
    query: s.adminWithdrawalsQuery,
  }),
  approveWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/approve',
    group: 'admin',
    access: 'admin',
    body: s.emptyBody,
    params: s.params.withdrawal,
  }),
  rejectWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/reject',
    group: 'admin',
    access: 'admin',
    body: s.rejectBody,
    params: s.params.withdrawal,
  }),
  completeWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/complete',
    group: 'admin',
    access: 'admin',
    body: s.completeBody,
    params: s.params.withdrawal,
  }),
  grantPromotional: defineRoute({
    method: 'POST',
    path: '/admin/accounts/{accountId}/grants',
    group: 'admin',
    access: 'admin',
    body: s.grantBody,
    idempotencyKey: 'optional',
    params: s.params.account,
  }),
  setNegativeAllowance: defineRoute({
    method: 'PUT',
    path: '/admin/accounts/{accountId}/negative-allowance',
    group: 'admin',
    access: 'admin',
    body: s.allowanceBody,
    params: s.params.account,
  }),
  notifications: defineRoute({
    method: 'GET',
    path: '/notifications',
    group: 'notifications',
    access: 'user',
    query: s.notificationsQuery,
  }),
  autoTopUp: defineRoute({
    method: 'GET',
    path: '/credits/auto-top-up',
    group: 'purchases',
    access: 'user',
  }),
  setAutoTopUp: defineRoute({
    method: 'PUT',
    path: '/credits/auto-top-up',
    group: 'purchases',
    access: 'user',
    body: s.autoTopUpBody,
  }),
  saveCard: defineRoute({
    method: 'POST',
    path: '/credits/auto-top-up/payment-method',
    group: 'purchases',
    access: 'user',
    body: s.emptyBody,
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
    body: s.alertsBody,
  }),
  registerWebhookEndpoint: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    body: s.webhookEndpointBody,
  }),
  webhookEndpoints: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    query: s.webhookEndpointsQuery,
  }),
  removeWebhookEndpoint: defineRoute({
    method: 'DELETE',
    path: '/credits/webhook-endpoints/{endpointId}',
    group: 'events',
    access: 'user',
    params: s.params.webhookEndpoint,
  }),
  webhookDeliveries: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries',
    group: 'events',
    access: 'user',
    query: s.deliveriesQuery,
    params: s.params.webhookEndpoint,
  }),
  retryWebhookDelivery: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    group: 'events',
    access: 'user',
    body: s.emptyBody,
    params: s.params.webhookDelivery,
  }),
  markNotificationRead: defineRoute({
    method: 'POST',
    path: '/notifications/{notificationId}/read',
    group: 'notifications',
    access: 'user',
    body: s.emptyBody,
    params: s.params.notification,
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    group: 'openapi',
    access: 'public',
  }),
};

export const routes: Route[] = Object.values(api);

export function routeByKey(key: string): Route | undefined {
  return routes.find((route) => routeKey(route) === key);
}
