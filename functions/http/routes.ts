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
  summary: string;
  /** What it does, for the OpenAPI document and the clients generated from it. */
  description: string;
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
    summary: 'The balance, what can be withdrawn, debt, lots and credits expiring within 30 days',
    query: s.balanceQuery,
    responses: {
      200: { description: 'Balance', schema: z.union([s.responses.balance, s.responses.balanceAt]) },
      ...problems,
    },
    description:
      'The spendable balance (expired lots excluded), what can be withdrawn, debt, the negative allowance, the ' +
      'lots with credit left and the credits expiring within 30 days. With `at`: the balance recorded by the ' +
      'last ledger entry at or before that instant, read by one query.',
  }),
  check: defineRoute({
    method: 'GET',
    path: '/credits/check',
    group: 'balance',
    access: 'user',
    summary: 'Whether an amount is covered by the balance or the negative allowance',
    query: s.checkQuery,
    responses: { 200: { description: 'Check', schema: s.responses.check }, ...problems },
    description:
      'Whether a deployment of this amount would be paid now, from the balance or the negative allowance, ' +
      'exactly as POST /credits/charges would decide; changes nothing.',
  }),
  transactions: defineRoute({
    method: 'GET',
    path: '/credits/transactions',
    group: 'balance',
    access: 'user',
    summary: 'The transactions log, newest first; format=csv exports it',
    query: s.transactionsQuery,
    responses: {
      200: { description: 'A page of ledger entries, or CSV', schema: s.responses.transactions },
      ...problems,
    },
    description:
      'Every movement of credit, newest first, filtered by type, category and date range, a page at a time ' +
      'with a signed cursor; format=csv exports up to 10,000 rows.',
  }),
  usage: defineRoute({
    method: 'GET',
    path: '/credits/usage',
    group: 'balance',
    access: 'user',
    summary: 'Usage and refunds per UTC day or month',
    query: s.usageQuery,
    responses: { 200: { description: 'Usage buckets', schema: s.responses.usage }, ...problems },
    description: 'Credits spent on deployments and refunded, per UTC day or month, over at most three years.',
  }),
  createCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges',
    group: 'charges',
    access: 'user',
    summary: 'Charge a deployment paid with credits',
    body: s.chargeBody,
    idempotencyKey: 'required',
    responses: {
      201: { description: 'Paid', schema: s.responses.chargePaid },
      202: { description: 'Waiting for credit (pending_payment)', schema: s.responses.chargePending },
      ...problems,
      409: { description: 'Idempotency-Key reused with another body, or too many pending charges' },
    },
    description:
      'Pays a deployment with credits: lots first in consumption order, then the negative allowance; otherwise ' +
      'the charge waits in pending_payment until credit arrives or its grace deadline passes. Replays the ' +
      'first answer for the same Idempotency-Key.',
  }),
  getCharge: defineRoute({
    method: 'GET',
    path: '/credits/charges/{chargeId}',
    group: 'charges',
    access: 'user',
    summary: 'A charge and its status',
    query: s.accountQuery,
    responses: {
      200: { description: 'Charge', schema: s.responses.charge },
      ...problems,
      404: { description: 'No such charge' },
    },
    description: 'A charge, its status and what it took from each lot.',
    params: s.params.charge,
  }),
  refundCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/refunds',
    group: 'charges',
    access: 'service',
    summary: 'Refund part or all of a paid charge as credits (deployment system and finance only)',
    body: s.refundBody,
    idempotencyKey: 'required',
    responses: {
      201: { description: 'Refunded', schema: s.responses.refund },
      ...problems,
      403: { description: 'Only credits:service and credits:admin tokens may refund' },
      404: { description: 'No such charge' },
      409: { description: 'Over the refundable amount, or the charge is not paid' },
    },
    description:
      'Gives part or all of a paid charge back as credits: first the debt it created, then to the lots it took ' +
      'from. Partial refunds add up to at most the charged amount. For the deployment system and finance only.',
    params: s.params.charge,
  }),
  cancelCharge: defineRoute({
    method: 'POST',
    path: '/credits/charges/{chargeId}/cancel',
    group: 'charges',
    access: 'user',
    summary: 'Cancel a pending charge',
    query: s.accountQuery,
    body: s.emptyBody,
    responses: {
      200: { description: 'Cancelled', schema: s.responses.cancelled },
      ...problems,
      404: { description: 'No such charge' },
      409: { description: 'The charge is not pending' },
    },
    description: 'Cancels a charge still waiting in pending_payment; nothing was taken from it.',
    params: s.params.charge,
  }),
  createPurchase: defineRoute({
    method: 'POST',
    path: '/credits/purchases',
    group: 'purchases',
    access: 'user',
    summary: 'Buy credits: a checkout at Stripe (card) or Spherepay (usdc)',
    body: s.purchaseBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'Pending until the provider reports the payment', schema: s.responses.purchaseCreated },
      ...problems,
      502: { description: 'The payment provider could not create the checkout; retrying is safe' },
    },
    description:
      'Creates a pending purchase and its checkout at the payment provider; the credits arrive when the ' +
      'provider reports the payment through its webhook.',
  }),
  getPurchase: defineRoute({
    method: 'GET',
    path: '/credits/purchases/{purchaseId}',
    group: 'purchases',
    access: 'user',
    summary: 'A purchase and its status',
    query: s.accountQuery,
    responses: {
      200: { description: 'Purchase', schema: s.responses.purchase },
      ...problems,
      404: { description: 'No such purchase' },
    },
    description: 'A purchase and its status, for the page the checkout returns to.',
    params: s.params.purchase,
  }),
  stripeWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/stripe',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
    summary: 'Stripe events, verified by their Stripe-Signature',
    responses: {
      200: { description: 'Received (and applied once, or ignored)', schema: s.responses.webhook },
      400: { description: 'Bad signature, stale timestamp, wrong currency or malformed event; nothing changed' },
      404: { description: 'An IO Credits purchase id that does not exist' },
    },
    description:
      "Stripe's checkout, refund and dispute events, verified by their Stripe-Signature over the exact bytes; " +
      'each event takes effect once, in any order.',
  }),
  spherepayWebhook: defineRoute({
    method: 'POST',
    path: '/webhooks/spherepay',
    group: 'webhooks',
    access: 'public',
    rawBody: true,
    summary: 'Spherepay events, verified by their signature header',
    responses: {
      200: { description: 'Received (and applied once, or ignored)', schema: s.responses.webhook },
      400: { description: 'Bad signature, wrong currency or malformed event; nothing changed' },
      404: { description: 'No such purchase' },
    },
    description: "Spherepay's payment events, verified by their signature header; each event takes effect once.",
  }),
  requestWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    summary: 'Request a withdrawal of purchased credit',
    body: s.withdrawalBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'Pending review', schema: s.responses.withdrawal },
      ...problems,
      402: { description: 'Over the withdrawable amount' },
      403: { description: 'The account never purchased credits' },
    },
    description:
      'Takes purchased credit out of the balance for a finance review, to be paid in USDC to the destination ' +
      'given; expected within seven business days.',
  }),
  listWithdrawals: defineRoute({
    method: 'GET',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    summary: "The account's withdrawals, newest first",
    query: s.emptyQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
    description: "The account's withdrawals and their status, newest first.",
  }),
  cancelWithdrawal: defineRoute({
    method: 'POST',
    path: '/credits/withdrawals/{withdrawalId}/cancel',
    group: 'withdrawals',
    access: 'user',
    summary: 'Cancel a withdrawal still pending review',
    body: s.emptyBody,
    responses: {
      200: { description: 'Cancelled', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not pending review' },
    },
    description: 'Cancels a withdrawal still pending review; its credit goes back to the balance.',
    params: s.params.withdrawal,
  }),
  withdrawalQueue: defineRoute({
    method: 'GET',
    path: '/admin/withdrawals',
    group: 'admin',
    access: 'admin',
    summary: 'Withdrawals in one status (default pending_review), oldest first',
    query: s.adminWithdrawalsQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
    description: "Finance's queue: the withdrawals in one status, oldest request first.",
  }),
  approveWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/approve',
    group: 'admin',
    access: 'admin',
    summary: 'Approve a withdrawal',
    body: s.emptyBody,
    responses: {
      200: { description: 'Approved', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not pending review, or the account owes money from a card refund or dispute' },
    },
    description:
      'Approves a withdrawal for payout; refused while the account owes what a card refund or dispute took back.',
    params: s.params.withdrawal,
  }),
  rejectWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/reject',
    group: 'admin',
    access: 'admin',
    summary: 'Reject a withdrawal; the credit goes back to the account',
    body: s.rejectBody,
    responses: {
      200: { description: 'Rejected', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Already completed, rejected or cancelled' },
    },
    description: 'Rejects a withdrawal with a reason; its credit goes back to the account.',
    params: s.params.withdrawal,
  }),
  completeWithdrawal: defineRoute({
    method: 'POST',
    path: '/admin/withdrawals/{withdrawalId}/complete',
    group: 'admin',
    access: 'admin',
    summary: 'Mark an approved withdrawal paid out',
    body: s.completeBody,
    responses: {
      200: { description: 'Completed', schema: s.responses.withdrawal },
      ...problems,
      404: { description: 'No such withdrawal' },
      409: { description: 'Not approved, or the account owes money from a card refund or dispute' },
    },
    description: 'Records that an approved withdrawal was paid out, with the payout reference.',
    params: s.params.withdrawal,
  }),
  grantPromotional: defineRoute({
    method: 'POST',
    path: '/admin/accounts/{accountId}/grants',
    group: 'admin',
    access: 'admin',
    summary: 'Grant promotional credit',
    body: s.grantBody,
    idempotencyKey: 'optional',
    responses: {
      201: { description: 'The new lot', schema: s.responses.grant },
      ...problems,
      409: { description: 'The account already holds 1,000 lots with credit left' },
    },
    description:
      'Grants promotional credit, with an optional expiry and conditions; it is spent before purchased credit ' +
      'that expires later and is never withdrawable.',
    params: s.params.account,
  }),
  setNegativeAllowance: defineRoute({
    method: 'PUT',
    path: '/admin/accounts/{accountId}/negative-allowance',
    group: 'admin',
    access: 'admin',
    summary: "Set an account's negative allowance",
    body: s.allowanceBody,
    responses: {
      200: { description: 'Set', schema: s.responses.allowance },
      ...problems,
      409: { description: 'Below what the account owes on charges' },
    },
    description:
      "Sets how far below zero the account's charges may take it; never below what it already owes on charges.",
    params: s.params.account,
  }),
  notifications: defineRoute({
    method: 'GET',
    path: '/notifications',
    group: 'notifications',
    access: 'user',
    summary: 'The Notification Center, newest first',
    query: s.notificationsQuery,
    responses: { 200: { description: 'Notifications', schema: s.responses.notifications }, ...problems },
    description:
      'The Notification Center: purchases, top-ups needed, failed charges, refunds, withdrawals, expiring ' +
      'credit, newest first.',
  }),
  alerts: defineRoute({
    method: 'GET',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
    summary: 'The low-balance alert threshold',
    responses: { 200: { description: 'Alert settings', schema: s.responses.alerts }, ...problems },
    description:
      'The balance below which an operation writes one `low_balance` notification (10.00 until set; null: off). ' +
      'Going below zero writes one `allowance_in_use` notification. Each fires once per crossing.',
  }),
  setAlerts: defineRoute({
    method: 'PUT',
    path: '/credits/alerts',
    group: 'notifications',
    access: 'user',
    summary: 'Set the low-balance alert threshold',
    body: s.alertsBody,
    responses: { 200: { description: 'Set', schema: s.responses.alerts }, ...problems },
    description:
      'Sets the threshold (null turns the alert off). A threshold above the current balance alerts nobody until ' +
      'the balance is back at or above it and falls below it again.',
  }),
  registerWebhookEndpoint: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    summary: 'Register a webhook endpoint; its signing secret is answered this once',
    body: s.webhookEndpointBody,
    responses: {
      201: { description: 'Registered', schema: s.responses.webhookEndpointCreated },
      ...problems,
      409: { description: 'Too many endpoints for this account' },
    },
    description:
      'Registers an https URL for the given event types. Users register for their own account; services and ' +
      'admins for any account, or for every account by omitting accountId. The URL must not resolve to a ' +
      'private, loopback or link-local address. Each event is POSTed as `{id, type, createdAt, accountId, data}` ' +
      'with `IO-Credits-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.',
  }),
  webhookEndpoints: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    summary: 'The webhook endpoints registered (without their secrets)',
    query: s.webhookEndpointsQuery,
    responses: {
      200: { description: 'Endpoints', schema: z.object({ items: z.array(s.responses.webhookEndpoint) }) },
      ...problems,
    },
    description:
      "The caller's endpoints; a service or admin lists an account's with accountId, or those for every account.",
  }),
  removeWebhookEndpoint: defineRoute({
    method: 'DELETE',
    path: '/credits/webhook-endpoints/{endpointId}',
    group: 'events',
    access: 'user',
    summary: 'Remove a webhook endpoint',
    responses: {
      200: { description: 'Removed', schema: s.responses.webhookEndpointRemoved },
      ...problems,
      404: { description: 'No such endpoint' },
    },
    description: 'Removes the endpoint; deliveries still waiting for it end as failed.',
    params: s.params.webhookEndpoint,
  }),
  webhookDeliveries: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries',
    group: 'events',
    access: 'user',
    summary: "An endpoint's deliveries, newest first, with every attempt",
    query: s.deliveriesQuery,
    responses: {
      200: { description: 'Deliveries', schema: z.object({ items: z.array(s.responses.webhookDelivery) }) },
      ...problems,
      404: { description: 'No such endpoint' },
    },
    description:
      'Each event sent to the endpoint: pending (with its next attempt), delivered (a 2xx answer) or failed ' +
      '(no 2xx within 24 hours of retries with exponential backoff: dead-lettered), and every attempt made.',
    params: s.params.webhookEndpoint,
  }),
  retryWebhookDelivery: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    group: 'events',
    access: 'user',
    summary: 'Send a delivery again now',
    body: s.emptyBody,
    responses: {
      200: { description: 'Attempted', schema: s.responses.webhookDelivery },
      ...problems,
      404: { description: 'No such endpoint or delivery' },
    },
    description: 'Sends the event again at once, whatever the delivery ended as; its earlier attempts stay listed.',
    params: s.params.webhookDelivery,
  }),
  markNotificationRead: defineRoute({
    method: 'POST',
    path: '/notifications/{notificationId}/read',
    group: 'notifications',
    access: 'user',
    summary: 'Mark a notification read',
    body: s.emptyBody,
    responses: {
      200: { description: 'Read', schema: s.responses.notificationRead },
      ...problems,
      404: { description: 'No such notification' },
    },
    description: 'Marks a notification read.',
    params: s.params.notification,
  }),
  openapi: defineRoute({
    method: 'GET',
    path: '/openapi.json',
    group: 'openapi',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: {
      200: { description: 'OpenAPI document' },
      429: {
        description: "Over the stage's request rate; API Gateway answers this itself, as a JSON message",
        schema: z.object({ message: z.string() }),
      },
    },
    description: 'This API as an OpenAPI 3.1 document, generated from the route table.',
  }),
};

export const routes: Route[] = Object.values(api);

export function routeByKey(key: string): Route | undefined {
  return routes.find((route) => routeKey(route) === key);
}
