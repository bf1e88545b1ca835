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
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
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

const problems = {
  400: { description: 'Invalid request' },
  401: { description: 'Missing or bad token' },
  403: { description: 'Not allowed for this token' },
};

export const api = {
  balance: defineRoute({
    method: 'GET',
    path: '/credits/balance',
    group: 'balance',
    access: 'user',
    query: s.balanceQuery,
    responses: {
      200: { description: 'Balance', schema: z.union([s.responses.balance, s.responses.balanceAt]) },
      ...problems,
    },
  }),
  check: defineRoute({
    method: 'GET',
    path: '/credits/check',
    group: 'balance',
    access: 'user',
    query: s.checkQuery,
    responses: { 200: { description: 'Check', schema: s.responses.check }, ...problems },
  }),
  transactions: defineRoute({
    method: 'GET',
    path: '/credits/transactions',
    group: 'balance',
    access: 'user',
    query: s.transactionsQuery,
    responses: {
      200: { description: 'A page of ledger entries, or CSV', schema: s.responses.transactions },
      ...problems,
    },
  }),
  usage: defineRoute({
    method: 'GET',
    path: '/credits/usage',
    group: 'balance',
    access: 'user',
    query: s.usageQuery,
    responses: { 200: { description: 'Usage buckets', schema: s.responses.usage }, ...problems },
  }),
  createCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges',
    group: 'charges',
    access: 'user',
    body: s.chargeBody,
    idempotencyKey: 'required',
    responses: {
      201: { description: 'Paid', schema: s.responses.chargePaid },
      202: { description: 'Waiting for credit (pending_payment)', schema: s.responses.chargePending },
      ...problems,
      409: { description: 'Idempotency-Key reused with another body, or too many pending charges' },
    },
  }),
  getCharge: defineRoute({
    method: 'GET',
    path: '/credits/charges/{chargeId}',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    responses: {
      200: { description: 'Charge', schema: s.responses.charge },
      ...problems,
      404: { description: 'No such charge' },
    },
    params: s.params.charge,
  }),
  refundCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/refunds',
    group: 'charges',
    access: 'service',
    body: s.refundBody,
    idempotencyKey: 'required',
    responses: {
      201: { description: 'Refunded', schema: s.responses.refund },
      ...problems,
      403: { description: 'Only credits:service and credits:admin tokens may refund' },
      404: { description: 'No such charge' },
      409: { description: 'Over the refundable amount, or the charge is not paid' },
    },
    params: s.params.charge,
  }),
  cancelCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/cancel',
    group: 'charges',
    access: 'user',
    query: s.accountQuery,
    body: s.emptyBody,
    responses: {
      200: { description: 'Cancelled', schema: s.responses.cancelled },
      ...problems,
      404: { description: 'No such charge' },
      409: { description: 'The charge is not pending' },
    },
    params: s.params.charge,
  }),
  createPurchase: defineRoute({
    method: 'POST',
    path: '/credits/purchases',
    group: 'purchases',
    access: 'user',
    body: s.purchaseBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'Pending until the provider reports the payment', schema: s.responses.purchaseCreated },
      ...problems,
      502: { description: 'The payment provider could not create the checkout; retrying is safe' },
    },
  }),
  getPurchase: defineRoute({
    method: 'GET',
    path: '/credits/purchases/{purchaseId}',
    group: 'purchases',
    access: 'user',
    query: s.accountQuery,
    responses: {
      200: { description: 'Purchase', schema: s.responses.purchase },
      ...problems,
      404: { description: 'No such purchase' },
    },
    params: s.params.purchase,
  }),
  stripeWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/stripe',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
    responses: {
      200: { description: 'Received (and applied once, or ignored)', schema: s.responses.webhook },
      400: { description: 'Bad signature, stale timestamp, wrong currency or malformed event; nothing changed' },
      404: { description: 'An IO Credits purchase id that does not exist' },
    },
  }),
  spherepayWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/spherepay',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
    responses: {
      200: { description: 'Received (and applied once, or ignored)', schema: s.responses.webhook },
      400: { description: 'Bad signature, wrong currency or malformed event; nothing changed' },
      404: { description: 'No such purchase' },
    },
  }),
  requestWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    body: s.withdrawalBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'Pending review', schema: s.responses.withdrawal },
      ...problems,
      402: { description: 'Over the withdrawable amount' },
      403: { description: 'The account never purchased credits' },
    },
  }),
  listWithdrawals: defineRoute({
    method: 'GET',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    query: s.emptyQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
  }),
  cancelWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals/{withdrawalId}/cancel',
    group: 'withdrawals',
    access: 'user',
    body: s.emptyBody,
    responses: {
      200: { description: 'Cancelled', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not pending review' },
    },
    params: s.params.withdrawal,
  }),
  withdrawalQueue: defineRoute({
    method: 'GET',
    path: '/admin/withdrawals',
    group: 'admin',
    access: 'admin',
    query: s.adminWithdrawalsQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
  }),
  approveWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/approve',
    group: 'admin',
    access: 'admin',
    body: s.emptyBody,
    responses: {
      200: { description: 'Approved', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not pending review, or the account owes money from a card refund or dispute' },
    },
    params: s.params.withdrawal,
  }),
  rejectWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/reject',
    group: 'admin',
    access: 'admin',
    body: s.rejectBody,
    responses: {
      200: { description: 'Rejected', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Already completed, rejected or cancelled' },
    },
    params: s.params.withdrawal,
  }),
  completeWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/complete',
    group: 'admin',
    access: 'admin',
    body: s.completeBody,
    responses: {
      200: { description: 'Completed', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not approved, or the account owes money from a card refund or dispute' },
    },
    params: s.params.withdrawal,
  }),
  grantPromotional: defineRoute({
    method: 'POST',
    path: '/admin/accounts/{accountId}/grants',
    group: 'admin',
    access: 'admin',
    body: s.grantBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'The new lot', schema: s.responses.grant },
      ...problems,
      409: { description: 'The account already holds 1,000 lots with credit left' },
    },
    params: s.params.account,
  }),
  setNegativeAllowance: defineRoute({
    method: 'PUT',
    path: '/admin/accounts/{accountId}/negative-allowance',
    group: 'admin',
    access: 'admin',
    body: s.allowanceBody,
    responses: {
      200: { description: 'Set', schema: s.responses.allowance },
      ...problems,
      409: { description: 'Below what the account owes on charges' },
    },
    params: s.params.account,
  }),
  notifications: defineRoute({
    method: 'GET',
    path: '/notifications',
    group: 'notifications',
    access: 'user',
    query: s.notificationsQuery,
    responses: { 200: { description: 'Notifications', schema: s.responses.notifications }, ...problems },
  }),
  autoTopUp: defineRoute({
    method: 'GET',
    path: '/credits/auto-top-up',
    group: 'purchases',
    access: 'user',
    responses: { 200: { description: 'Auto top-up', schema: s.responses.autoTopUp }, ...problems },
  }),
  setAutoTopUp: defineRoute({
    method: 'PUT',
    path: '/credits/auto-top-up',
    group: 'purchases',
    access: 'user',
    body: s.autoTopUpBody,
    responses: {
      200: { description: 'Set', schema: s.responses.autoTopUp },
      ...problems,
      409: { description: 'No saved card' },
    },
  }),
  saveCard: defineRoute({
    method: 'POST',
    path: '/credits/auto-top-up/payment-method',
    group: 'purchases',
    access: 'user',
    body: s.emptyBody,
    responses: {
      201: { description: 'Setup page', schema: s.responses.cardSetup },
      ...problems,
      502: { description: 'The card provider did not answer' },
    },
  }),
  alerts: defineRoute({
    method: 'GET',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
    responses: { 200: { description: 'Alert settings', schema: s.responses.alerts }, ...problems },
  }),
  setAlerts: defineRoute({
    method: 'PUT',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
    body: s.alertsBody,
    responses: { 200: { description: 'Set', schema: s.responses.alerts }, ...problems },
  }),
  registerWebhookEndpoint: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    body: s.webhookEndpointBody,
    responses: {
      201: { description: 'Registered', schema: s.responses.webhookEndpointCreated },
      ...problems,
      409: { description: 'Too many endpoints for this account' },
    },
  }),
  webhookEndpoints: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    query: s.webhookEndpointsQuery,
    responses: {
      200: { description: 'Endpoints', schema: z.object({ items: z.array(s.responses.webhookEndpoint) }) },
      ...problems,
    },
  }),
  removeWebhookEndpoint: defineRoute({
    method: 'DELETE',
    path: '/credits/webhook-endpoints/{endpointId}',
    group: 'events',
    access: 'user',
    responses: {
      200: { description: 'Removed', schema: s.responses.webhookEndpointRemoved },
      ...problems,
      404: { description: 'No such endpoint' },
    },
    params: s.params.webhookEndpoint,
  }),
  webhookDeliveries: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries',
    group: 'events',
    access: 'user',
    query: s.deliveriesQuery,
    responses: {
      200: { description: 'Deliveries', schema: z.object({ items: z.array(s.responses.webhookDelivery) }) },
      ...problems,
      404: { description: 'No such endpoint' },
    },
    params: s.params.webhookEndpoint,
  }),
  retryWebhookDelivery: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    group: 'events',
    access: 'user',
    body: s.emptyBody,
    responses: {
      200: { description: 'Attempted', schema: s.responses.webhookDelivery },
      ...problems,
      404: { description: 'No such endpoint or delivery' },
    },
    params: s.params.webhookDelivery,
  }),
  markNotificationRead: defineRoute({
    method: 'POST',
    path: '/notifications/{notificationId}/read',
    group: 'notifications',
    access: 'user',
    body: s.emptyBody,
    responses: {
      200: { description: 'Read', schema: s.responses.notificationRead },
      ...problems,
      404: { description: 'No such notification' },
    },
    params: s.params.notification,
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    group: 'openapi',
    access: 'public',
    responses: {
      200: { description: 'OpenAPI document' },
      429: {
        description: "Over the stage's request rate; API Gateway answers this itself, as a JSON message",
        schema: z.object({ message: z.string() }),
      },
    },
  }),
};

export const routes: Route[] = Object.values(api);

export function routeByKey(key: string): Route | undefined {
  return routes.find((route) => routeKey(route) === key);
}
