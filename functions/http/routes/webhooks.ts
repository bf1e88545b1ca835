// The webhooks group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import { defineRoute } from '../route.js';

export const webhooksRoutes = {
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
};
