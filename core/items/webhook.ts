// Events for other systems and their webhook deliveries (SPEC §9), as stored:
// - an event, in the account's partition, written in the transaction of the change it reports
//   and kept in the EVENTS work queue (GSI3) until it is handed to the webhook queue;
// - an endpoint, under its own id, with one subscription item per owner (`*`: every account) that
//   the fan-out reads in one query;
// - a delivery of one event to one endpoint, in the endpoint's partition, with every attempt, kept
//   in the HOOKDUE work queue, keyed by its next attempt, until it is delivered or given up.
//
// Here, how they are written; how they read back is items/webhook-read.ts, apart because every
// ledger operation writes events in its transaction while only the webhook paths read them.

import { EVENT_TYPES, type EventType } from '../event-types.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import { TTL_ATTRIBUTE } from '../table/schema.js';
import type { Item, TransactItem } from '../table/table.js';

/** Events and deliveries are kept this long, then DynamoDB's TTL removes them. */
export const WEBHOOK_RECORD_TTL_MS = 30 * 24 * 3_600_000;
const ttlFrom = (nowMs: number) => ({ [TTL_ATTRIBUTE]: Math.floor((nowMs + WEBHOOK_RECORD_TTL_MS) / 1000) });

export { EVENT_TYPES, type EventType };

/** What an event's `data` may hold: amounts as decimal strings, ids, times, statuses. */
export type EventData = Record<string, string | number | boolean | null>;

/** An event as a receiver gets it (the body of the webhook). */
export interface WebhookEvent {
  id: string;
  type: EventType;
  createdAt: string;
  accountId: string;
  data: EventData;
}

export const eventItems = {
  /** The event, waiting in the EVENTS queue to be handed to the webhook queue. */
  created: (event: WebhookEvent, atMs: number): Item => ({
    ...keys.event(event.accountId, event.id),
    itemType: 'event',
    ...event,
    ...ttlFrom(atMs),
    gsi3pk: chargeQueueIndex.eventsPk(event.id),
    gsi3sk: chargeQueueIndex.sk(atMs, event.id),
  }),
  /** Handed to the webhook queue: out of the EVENTS queue (a second sender changes nothing). */
  dispatched: (accountId: string, eventId: string) => ({
    Key: keys.event(accountId, eventId),
    UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
    ConditionExpression: 'attribute_exists(pk)',
  }),
};

// ---- endpoints ----

export interface WebhookEndpoint {
  endpointId: string;
  /** The account whose events it receives, or `*` for every account's (service and admin only). */
  owner: string;
  url: string;
  events: EventType[];
  /** The signing secret: shown once, when the endpoint is registered. */
  secret: string;
  createdAt: string;
}

export const endpointItems = {
  /** The endpoint and its subscription, new. */
  registered: (endpoint: WebhookEndpoint): TransactItem[] => [
    {
      Put: {
        Item: { ...keys.webhookEndpoint(endpoint.endpointId), itemType: 'webhookEndpoint', ...endpoint },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        Item: {
          ...keys.webhookSubscription(endpoint.owner, endpoint.endpointId),
          itemType: 'webhookSubscription',
          ...endpoint,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ],
  removed: (endpoint: WebhookEndpoint): TransactItem[] => [
    { Delete: { Key: keys.webhookEndpoint(endpoint.endpointId), ConditionExpression: 'attribute_exists(pk)' } },
    { Delete: { Key: keys.webhookSubscription(endpoint.owner, endpoint.endpointId) } },
  ],
};

// ---- deliveries ----

export interface DeliveryAttempt {
  at: string;
  /** The receiver's HTTP status; absent when no answer came (refused, timed out). */
  status?: number;
  error?: string;
  durationMs: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  deliveryId: string;
  endpointId: string;
  eventId: string;
  eventType: EventType;
  accountId: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAtMs: number | null;
}

const dueKeys = (deliveryId: string, atMs: number) => ({
  gsi3pk: chargeQueueIndex.deliveriesPk(deliveryId),
  gsi3sk: chargeQueueIndex.sk(atMs, deliveryId),
});

/** A delivery's id: one per event and endpoint, so a fan-out that runs twice writes it once. */
export function deliveryIdOf(eventId: string): string {
  return `dl_${eventId.slice('ev_'.length)}`;
}

export const deliveryItems = {
  /** A new delivery, due now; nothing when it exists already. */
  created: (delivery: Delivery, atMs: number) => ({
    Item: {
      ...keys.webhookDelivery(delivery.endpointId, delivery.deliveryId),
      itemType: 'webhookDelivery',
      ...delivery,
      ...ttlFrom(atMs),
      ...dueKeys(delivery.deliveryId, atMs),
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  }),
  /**
   * Takes the delivery for one attempt: it must still be pending and due, and nobody else may
   * hold it (a lease that ends on its own, so a crashed sender does not block it).
   */
  leased: (endpointId: string, deliveryId: string, nowMs: number, leaseUntilMs: number, force: boolean) => ({
    Key: keys.webhookDelivery(endpointId, deliveryId),
    UpdateExpression: 'SET leaseUntilMs = :lease',
    ConditionExpression:
      '#status = :pending AND (attribute_not_exists(leaseUntilMs) OR leaseUntilMs < :now)' +
      (force ? '' : ' AND nextAttemptAtMs <= :now'),
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pending': 'pending', ':now': nowMs, ':lease': leaseUntilMs },
    ReturnValues: 'ALL_NEW' as const,
  }),
  /** One attempt recorded; `next`: when to try again, or null when the delivery ended (`status`). */
  attempted: (
    endpointId: string,
    deliveryId: string,
    attempt: DeliveryAttempt,
    outcome: { status: 'delivered' | 'failed' } | { status: 'pending'; nextAttemptAtMs: number },
  ) => {
    const pending = outcome.status === 'pending';
    return {
      Key: keys.webhookDelivery(endpointId, deliveryId),
      UpdateExpression:
        'SET #status = :status, attempts = list_append(attempts, :attempt), nextAttemptAtMs = :next ' +
        (pending ? ', gsi3pk = :gsi3pk, gsi3sk = :gsi3sk REMOVE leaseUntilMs' : 'REMOVE leaseUntilMs, gsi3pk, gsi3sk'),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': outcome.status,
        ':attempt': [attempt],
        ':next': pending ? outcome.nextAttemptAtMs : null,
        ...(pending
          ? {
              ':gsi3pk': dueKeys(deliveryId, outcome.nextAttemptAtMs).gsi3pk,
              ':gsi3sk': dueKeys(deliveryId, outcome.nextAttemptAtMs).gsi3sk,
            }
          : {}),
      },
    };
  },
  /** Sent again by hand: pending and due now, whatever it ended as (its attempts are kept). */
  retried: (endpointId: string, deliveryId: string, nowMs: number) => ({
    Key: keys.webhookDelivery(endpointId, deliveryId),
    UpdateExpression: 'SET #status = :pending, nextAttemptAtMs = :now, gsi3pk = :gsi3pk, gsi3sk = :gsi3sk',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pending': 'pending',
      ':now': nowMs,
      ':gsi3pk': dueKeys(deliveryId, nowMs).gsi3pk,
      ':gsi3sk': dueKeys(deliveryId, nowMs).gsi3sk,
    },
  }),
};
