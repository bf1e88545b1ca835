// Getting each event to every endpoint that asked for it, at least once (SPEC §9):
//
//   commit (event, in EVENTS) ──publish──► queue {event} ──fan out──► a delivery per endpoint
//        │                                  ▲                            │ queue {delivery}
//        └── crash / send failed ── sweep ──┘                            ▼
//                                     attempt ── 2xx ──► delivered
//                                        │ otherwise: next attempt after a backoff (HOOKDUE),
//                                        │ by a delayed message and the sweep, for 24 hours
//                                        └──► failed (dead-lettered), retried only by hand
//
// Every step is idempotent: a delivery's id is the event's, so a fan-out that runs twice writes
// it once; an attempt first takes a short lease on the delivery, so two workers never send the
// same one at once, and a delivered one is never sent again.

import { NotFound } from '../errors.js';
import {
  type Delivery,
  type DeliveryAttempt,
  deliveryIdOf,
  deliveryItems,
  type WebhookEndpoint,
  type WebhookEvent,
} from '../items/webhook.js';
import { deliveryFromItem, endpointFromItem, eventFromItem } from '../items/webhook-read.js';
import type { Ledger } from '../ledger/ledger.js';
import { errorFields, log } from '../log.js';
import { chargeQueueIndex, keys } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { iso } from '../time.js';
import { publishEvents, type WebhookMessage, type WebhookQueue } from './publish.js';
import type { WebhookSender } from './sender.js';
import { SIGNATURE_HEADER, signatureOf } from './signature.js';

export { publishEvents, type WebhookMessage, type WebhookQueue };

/** Waits after failed attempts 1, 2, 3…: then the last one, until 24 hours after the first attempt. */
export const BACKOFF_MS = [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000];
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;
/** How long one attempt holds its delivery: longer than a send may take. */
const LEASE_MS = 60_000;
/** Outbox items younger than this are left to the process that is publishing them now. */
export const EVENT_SWEEP_GRACE_MS = 60_000;
const SWEEP_LIMIT = 1_000;
const MAX_ERROR_TEXT = 300;

/** Events still in the outbox, older than EVENT_SWEEP_GRACE_MS, handed to the queue again. */
export async function sweepEvents(ledger: Ledger, queue: WebhookQueue): Promise<number> {
  const found: WebhookEvent[] = [];
  await ledger.table.forEachDuePage(
    chargeQueueIndex,
    chargeQueueIndex.shards('EVENTS'),
    chargeQueueIndex.skUpTo(ledger.nowMs() - EVENT_SWEEP_GRACE_MS),
    async (page) => {
      for (const key of page) {
        if (found.length >= SWEEP_LIMIT) return false;
        const item = await ledger.table.get({ pk: String(key.pk), sk: String(key.sk) });
        if (item) found.push(eventFromItem(item));
      }
      return true;
    },
  );
  return publishEvents(ledger, queue, found);
}

/** The endpoints that receive an event: the account's own and those for every account. */
export async function endpointsFor(ledger: Ledger, event: WebhookEvent): Promise<WebhookEndpoint[]> {
  const pages = await Promise.all(
    [event.accountId, '*'].map((owner) =>
      ledger.table.query({
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.webhookSubscriptionsPk(owner) },
      }),
    ),
  );
  return pages
    .flatMap((page) => page.items.map(endpointFromItem))
    .filter((endpoint) => endpoint.events.includes(event.type));
}

/** An event's deliveries, one per endpoint that wants it (written once however often this runs). */
export async function fanOut(ledger: Ledger, queue: WebhookQueue, accountId: string, eventId: string): Promise<number> {
  const item = await ledger.table.get(keys.event(accountId, eventId));
  if (!item) return 0; // expired by its TTL
  const event = eventFromItem(item);
  const endpoints = await endpointsFor(ledger, event);
  const nowMs = ledger.nowMs();
  const deliveryId = deliveryIdOf(event.id);
  for (const endpoint of endpoints) {
    const delivery: Delivery = {
      deliveryId,
      endpointId: endpoint.endpointId,
      eventId: event.id,
      eventType: event.type,
      accountId: event.accountId,
      status: 'pending',
      attempts: [],
      createdAt: iso(nowMs),
      nextAttemptAtMs: nowMs,
    };
    await ledger.table.put(deliveryItems.created(delivery, nowMs));
  }
  if (endpoints.length > 0)
    await queue.send(endpoints.map((e) => ({ kind: 'delivery' as const, endpointId: e.endpointId, deliveryId })));
  return endpoints.length;
}

export type AttemptResult =
  | { result: 'delivered' | 'failed'; delivery: Delivery }
  | { result: 'retry'; delivery: Delivery; nextAttemptAtMs: number }
  /** Not due, ended, or another worker holds it. */
  | { result: 'skipped' };

/**
 * One attempt at a delivery: signs the event with the endpoint's secret and sends it. `force`:
 * a retry by hand, due or not.
 */
export async function attemptDelivery(
  ledger: Ledger,
  sender: WebhookSender,
  endpointId: string,
  deliveryId: string,
  options: { force?: boolean } = {},
): Promise<AttemptResult> {
  const nowMs = ledger.nowMs();
  const leased = await ledger.table.updateReturning(
    deliveryItems.leased(endpointId, deliveryId, nowMs, nowMs + LEASE_MS, options.force === true),
  );
  if (!leased) return { result: 'skipped' };
  const delivery = deliveryFromItem(leased);
  const [endpointItem, eventItem] = await Promise.all([
    ledger.table.get(keys.webhookEndpoint(endpointId)),
    ledger.table.get(keys.event(delivery.accountId, delivery.eventId)),
  ]);
  if (!endpointItem || !eventItem) {
    const why = endpointItem ? 'the event is no longer kept' : 'the endpoint was removed';
    return record(ledger, delivery, { at: iso(nowMs), error: why, durationMs: 0 }, 'failed');
  }
  const endpoint = endpointFromItem(endpointItem);
  const body = JSON.stringify(eventFromItem(eventItem));
  const started = Date.now();
  let attempt: DeliveryAttempt;
  try {
    const { status } = await sender.post(endpoint.url, body, {
      [SIGNATURE_HEADER]: signatureOf(body, endpoint.secret, Math.floor(ledger.nowMs() / 1000)),
      'IO-Credits-Event-Id': delivery.eventId,
      'IO-Credits-Delivery-Id': delivery.deliveryId,
    });
    attempt = { at: iso(nowMs), status, durationMs: Date.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    attempt = { at: iso(nowMs), error: message.slice(0, MAX_ERROR_TEXT), durationMs: Date.now() - started };
  }
  if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300)
    return record(ledger, delivery, attempt, 'delivered');
  const firstMs = Date.parse(delivery.attempts[0]?.at ?? attempt.at);
  const wait = BACKOFF_MS[Math.min(delivery.attempts.length, BACKOFF_MS.length - 1)]!;
  const nextAttemptAtMs = nowMs + wait;
  if (nextAttemptAtMs - firstMs > GIVE_UP_AFTER_MS) return record(ledger, delivery, attempt, 'failed');
  await ledger.table.update(
    deliveryItems.attempted(endpointId, deliveryId, attempt, { status: 'pending', nextAttemptAtMs }),
  );
  return {
    result: 'retry',
    delivery: { ...delivery, attempts: [...delivery.attempts, attempt], nextAttemptAtMs },
    nextAttemptAtMs,
  };
}

async function record(
  ledger: Ledger,
  delivery: Delivery,
  attempt: DeliveryAttempt,
  status: 'delivered' | 'failed',
): Promise<AttemptResult> {
  await ledger.table.update(deliveryItems.attempted(delivery.endpointId, delivery.deliveryId, attempt, { status }));
  if (status === 'failed')
    log().warn('webhook delivery given up: dead-lettered', {
      endpointId: delivery.endpointId,
      deliveryId: delivery.deliveryId,
      attempts: delivery.attempts.length + 1,
      lastError: attempt.error ?? `HTTP ${attempt.status}`,
    });
  return { result: status, delivery: { ...delivery, status, attempts: [...delivery.attempts, attempt] } };
}

/** Deliveries whose next attempt is due, each attempted once (the safety net under the queue). */
export async function sweepDeliveries(
  ledger: Ledger,
  attempt: (endpointId: string, deliveryId: string) => Promise<unknown>,
): Promise<number> {
  const due: Item[] = [];
  await ledger.table.forEachDuePage(
    chargeQueueIndex,
    chargeQueueIndex.shards('HOOKDUE'),
    chargeQueueIndex.skUpTo(ledger.nowMs()),
    async (page) => {
      for (const key of page) {
        if (due.length >= SWEEP_LIMIT) return false;
        due.push(key);
      }
      return true;
    },
  );
  let attempted = 0;
  for (const key of due) {
    const endpointId = String(key.pk).slice('HOOK#'.length);
    const deliveryId = String(key.sk).slice('DL#'.length);
    try {
      await attempt(endpointId, deliveryId);
      attempted += 1;
    } catch (error) {
      log().error('webhook delivery attempt failed', { endpointId, deliveryId, error: errorFields(error) });
    }
  }
  return attempted;
}

/** A delivery of an endpoint, by id. */
export async function getDelivery(ledger: Ledger, endpointId: string, deliveryId: string): Promise<Delivery> {
  const item = await ledger.table.get(keys.webhookDelivery(endpointId, deliveryId));
  if (!item) throw new NotFound(`no delivery ${deliveryId}`);
  return deliveryFromItem(item);
}

/** Sends a delivery again by hand, whatever it ended as; its earlier attempts stay listed. */
export async function retryDelivery(
  ledger: Ledger,
  sender: WebhookSender,
  endpointId: string,
  deliveryId: string,
): Promise<Delivery> {
  const reset = await ledger.table.update(deliveryItems.retried(endpointId, deliveryId, ledger.nowMs()));
  if (!reset) throw new NotFound(`no delivery ${deliveryId}`);
  // A delivery another sender holds right now is left to it (`skipped`): the answer shows it pending.
  await attemptDelivery(ledger, sender, endpointId, deliveryId, { force: true });
  return getDelivery(ledger, endpointId, deliveryId);
}
