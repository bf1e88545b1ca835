// The HTTP API's routes (SPEC §5): method, path, who may call, what they take and answer.
// The handlers, the OpenAPI document, the local server and the deployment all read this list,
// so a route exists everywhere or nowhere. Local-only routes are in functions/local/.

import type * as z from 'zod';
import * as s from './schemas.js';

export type Group =
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

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** The Lambda function that serves it. */
  group: Group;
  access: Access;
  summary: string;
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

export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;

const problems = {
  400: { description: 'Invalid request' },
  401: { description: 'Missing or bad token' },
  403: { description: 'Not allowed for this token' },
};

export const routes: Route[] = [
  {
    method: 'GET',
    path: '/credits/balance',
    group: 'balance',
    access: 'user',
    summary: 'The balance, what can be withdrawn, debt, lots and credits expiring within 30 days',
    query: s.accountQuery,
    responses: { 200: { description: 'Balance', schema: s.responses.balance }, ...problems },
  },
  {
    method: 'GET',
    path: '/credits/check',
    group: 'balance',
    access: 'user',
    summary: 'Whether an amount is covered by the balance or the negative allowance',
    query: s.checkQuery,
    responses: { 200: { description: 'Check', schema: s.responses.check }, ...problems },
  },
  {
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
  },
  {
    method: 'GET',
    path: '/credits/usage',
    group: 'balance',
    access: 'user',
    summary: 'Usage and refunds per UTC day or month',
    query: s.usageQuery,
    responses: { 200: { description: 'Usage buckets', schema: s.responses.usage }, ...problems },
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    method: 'GET',
    path: '/credits/withdrawals',
    group: 'withdrawals',
    access: 'user',
    summary: "The account's withdrawals, newest first",
    query: s.emptyQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
  },
  {
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
  },
  {
    method: 'GET',
    path: '/admin/withdrawals',
    group: 'admin',
    access: 'admin',
    summary: 'Withdrawals in one status (default pending_review), oldest first',
    query: s.adminWithdrawalsQuery,
    responses: { 200: { description: 'Withdrawals', schema: s.withdrawalList }, ...problems },
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    method: 'GET',
    path: '/notifications',
    group: 'notifications',
    access: 'user',
    summary: 'The Notification Center, newest first',
    query: s.notificationsQuery,
    responses: { 200: { description: 'Notifications', schema: s.responses.notifications }, ...problems },
  },
  {
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
  },
  {
    method: 'GET',
    path: '/openapi.json',
    group: 'openapi',
    access: 'public',
    summary: 'This API as an OpenAPI 3.1 document',
    responses: { 200: { description: 'OpenAPI document' } },
  },
];

export function routeByKey(key: string): Route | undefined {
  return routes.find((route) => routeKey(route) === key);
}
