// The purchases group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const purchaseBody = z.strictObject({
  amount: s.centsAmount,
  method: z.enum(['card', 'usdc']).meta({ description: 'card: Stripe Checkout; usdc: a Spherepay payment link' }),
});
const autoTopUpBody = z.strictObject({
  enabled: z.boolean(),
  threshold: s.nonNegativeCents.meta({ description: 'Top up when an operation leaves the balance below this' }),
  amount: s.centsAmount.meta({
    description: 'Each top-up, within the limits GET /credits/limits answers; more when waiting charges need more',
  }),
  monthlyLimit: s.centsAmount.meta({ description: "A calendar month's top-ups (UTC) never add up to more" }),
});

export const purchasesRoutes = {
  createPurchase: defineRoute({
    method: 'POST',
    path: '/credits/purchases',
    group: 'purchases',
    access: 'user',
    body: purchaseBody,
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
  limits: defineRoute({
    method: 'GET',
    path: '/credits/limits',
    group: 'purchases',
    access: 'user',
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
    body: autoTopUpBody,
  }),
  saveCard: defineRoute({
    method: 'POST',
    path: '/credits/auto-top-up/payment-method',
    group: 'purchases',
    access: 'user',
    body: s.emptyBody,
  }),
};
