// The first step of getting events to webhook endpoints (delivery.ts has the rest): after a commit,
// the events it wrote are handed to the webhook queue and taken out of the outbox. Apart from the
// delivery steps because every function with a ledger publishes, while only the webhook paths
// fan out, attempt and sweep.

import { eventItems, type WebhookEvent } from '../items/webhook.js';
import type { Ledger } from '../ledger/ledger.js';

export type WebhookMessage =
  | { kind: 'event'; accountId: string; eventId: string }
  | { kind: 'delivery'; endpointId: string; deliveryId: string }
  /** An automatic top-up whose PaymentIntent is to be made (the same worker, the same queue). */
  | { kind: 'topup'; accountId: string; purchaseId: string };

/** The webhook queue: SQS on AWS, in process locally. */
export interface WebhookQueue {
  /** Sends the messages, after `delaySeconds` (at most 900, SQS's limit); answers how many failed. */
  send(messages: WebhookMessage[], delaySeconds?: number): Promise<{ failed: number }>;
}

/** After a commit: hands the events to the queue and takes them out of the outbox. */
export async function publishEvents(ledger: Ledger, queue: WebhookQueue, events: WebhookEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const { failed } = await queue.send(
    events.map((e) => ({ kind: 'event' as const, accountId: e.accountId, eventId: e.id })),
  );
  if (failed > 0) return 0; // the sweep sends them again; the fan-out is idempotent
  await Promise.all(events.map((e) => ledger.table.update(eventItems.dispatched(e.accountId, e.id))));
  return events.length;
}
