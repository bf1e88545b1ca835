// The events group's routes (the table is routes.ts): its Lambda function imports only these,
// with the request schemas only they use.

import * as z from 'zod';
import { EVENT_TYPES } from '../../../core/items/webhook.js';

import { defineRoute } from '../route.js';
import * as s from '../schemas.js';

const webhookEndpointBody = z.strictObject({
  url: z.string().min(1).max(2_048).meta({ description: 'https URL receiving the events (public addresses only)' }),
  events: z
    .array(z.enum(EVENT_TYPES))
    .min(1)
    .max(EVENT_TYPES.length)
    .meta({ description: 'The event types to send to it' }),
  accountId: s.accountIdParam.optional().meta({
    description: "Whose events: the caller's own by default; services and admins, omitting it, get every account's",
  }),
});
const webhookEndpointsQuery = z.strictObject({ accountId: s.accountIdParam.optional() });
/** A service or admin managing an account's endpoint names the account, as it did registering it. */
const endpointQuery = s.accountQuery;
const deliveriesQuery = s.notificationsQuery.extend({ accountId: s.accountIdParam.optional() });

export const eventsRoutes = {
  registerWebhookEndpoint: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    body: webhookEndpointBody,
  }),
  webhookEndpoints: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints',
    group: 'events',
    access: 'user',
    query: webhookEndpointsQuery,
  }),
  removeWebhookEndpoint: defineRoute({
    method: 'DELETE',
    path: '/credits/webhook-endpoints/{endpointId}',
    group: 'events',
    access: 'user',
    query: endpointQuery,
    params: s.params.webhookEndpoint,
  }),
  webhookDeliveries: defineRoute({
    method: 'GET',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries',
    group: 'events',
    access: 'user',
    query: deliveriesQuery,
    params: s.params.webhookEndpoint,
  }),
  retryWebhookDelivery: defineRoute({
    method: 'POST',
    path: '/credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
    group: 'events',
    access: 'user',
    query: endpointQuery,
    body: s.emptyBody,
    params: s.params.webhookDelivery,
  }),
};
