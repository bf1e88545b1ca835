// How the webhook items (items/webhook.ts) read back: events, endpoints and deliveries, each
// checked against its schema. Apart from the writers because every ledger operation writes events
// in its transaction, so every function carries those, while only the webhook paths (the fan-out,
// the worker, the endpoints' routes) read them.

import * as z from 'zod';
import { EVENT_TYPES } from '../event-types.js';
import type { Item } from '../table/table.js';
import { isoField, readItem } from './fields.js';
import type { Delivery, WebhookEndpoint, WebhookEvent } from './webhook.js';

const eventShape = z.object({
  id: z.string(),
  type: z.enum(EVENT_TYPES),
  createdAt: isoField,
  accountId: z.string(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

export function eventFromItem(item: Item): WebhookEvent {
  const { id, type, createdAt, accountId, data } = readItem('event', eventShape, item);
  return { id, type, createdAt, accountId, data };
}

const endpointShape = z.object({
  endpointId: z.string(),
  owner: z.string(),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)),
  secret: z.string(),
  createdAt: isoField,
});

export function endpointFromItem(item: Item): WebhookEndpoint {
  const { endpointId, owner, url, events, secret, createdAt } = readItem('webhook endpoint', endpointShape, item);
  return { endpointId, owner, url, events, secret, createdAt };
}

/** One attempt as stored (and as the delivery log shows it). */
export const deliveryAttemptShape = z.object({
  at: isoField,
  status: z.number().optional().meta({ description: "The receiver's HTTP status" }),
  error: z.string().optional().meta({ description: 'Why no answer came' }),
  durationMs: z.number(),
});

/** A delivery as stored. */
export const deliveryRecordShape = z.object({
  deliveryId: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.enum(EVENT_TYPES),
  accountId: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(deliveryAttemptShape),
  createdAt: isoField,
  nextAttemptAtMs: z.number().nullable(),
  leaseUntilMs: z.number().optional(),
});

export function deliveryFromItem(item: Item): Delivery {
  const d = readItem('webhook delivery', deliveryRecordShape, item);
  return {
    deliveryId: d.deliveryId,
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    accountId: d.accountId,
    status: d.status,
    attempts: d.attempts.map((a) => ({
      at: a.at,
      ...(a.status === undefined ? {} : { status: a.status }),
      ...(a.error === undefined ? {} : { error: a.error }),
      durationMs: a.durationMs,
    })),
    createdAt: d.createdAt,
    nextAttemptAtMs: d.nextAttemptAtMs,
  };
}
