// What the webhook queue's consumer does with each message: an `event` is fanned out into
// deliveries, a `delivery` is attempted. On AWS the queue is SQS (sqs.ts: a message for a retry is
// sent with a delay, at most SQS's 15 minutes, and sent again while its attempt is not yet due);
// locally it is the in-process queue below, and retries are found by the sweep of due deliveries.

import * as z from 'zod';
import type { Ledger } from '../ledger/ledger.js';
import type { LocalQueue } from '../outcomes/local-queue.js';
import type { SavedCardCharger } from '../payments/port.js';
import { requestTopUp } from '../payments/top-ups.js';
import { attemptDelivery, fanOut, getDelivery, type WebhookMessage, type WebhookQueue } from './delivery.js';
import type { WebhookSender } from './sender.js';

/**
 * The in-process queue: messages now go straight to the consumer; a delayed one is left to the
 * sweep of due deliveries, which the local jobs run every few seconds and whenever the test clock
 * moves (so a manual clock decides when a retry comes due, as it does for grace deadlines).
 */
export class LocalWebhookQueue implements WebhookQueue {
  constructor(readonly queue: LocalQueue<WebhookMessage>) {}

  async send(messages: WebhookMessage[], delaySeconds = 0): Promise<{ failed: number }> {
    if (delaySeconds === 0) this.queue.send(messages);
    return { failed: 0 };
  }
}

/** What the queue's consumer does with one message. */
export async function handleWebhookMessage(
  ledger: Ledger,
  queue: WebhookQueue,
  sender: WebhookSender,
  message: WebhookMessage,
  charger?: SavedCardCharger,
): Promise<void> {
  if (message.kind === 'topup') {
    if (!charger) throw new Error('no card provider is configured to make top-ups');
    await requestTopUp(ledger, charger, message.accountId, message.purchaseId);
    return;
  }
  if (message.kind === 'event') {
    await fanOut(ledger, queue, message.accountId, message.eventId);
    return;
  }
  const attempt = await attemptDelivery(ledger, sender, message.endpointId, message.deliveryId);
  if (attempt.result === 'retry') {
    await queue.send([message], (attempt.nextAttemptAtMs - ledger.nowMs()) / 1000);
    return;
  }
  if (attempt.result !== 'skipped') return;
  // Early (SQS delays at most 15 minutes), ended, or held by another sender: only early is sent on.
  const delivery = await getDelivery(ledger, message.endpointId, message.deliveryId).catch(() => undefined);
  if (delivery?.status === 'pending' && delivery.nextAttemptAtMs !== null && delivery.nextAttemptAtMs > ledger.nowMs())
    await queue.send([message], (delivery.nextAttemptAtMs - ledger.nowMs()) / 1000);
}

const messageShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), accountId: z.string().min(1), eventId: z.string().min(1) }),
  z.object({ kind: z.literal('delivery'), endpointId: z.string().min(1), deliveryId: z.string().min(1) }),
  z.object({ kind: z.literal('topup'), accountId: z.string().min(1), purchaseId: z.string().min(1) }),
]);

/** A queue message's body, checked: a malformed one is a fault (it goes to the dead-letter queue). */
export function parseWebhookMessage(body: string): WebhookMessage {
  const parsed = messageShape.safeParse(JSON.parse(body));
  if (!parsed.success) throw new Error(`not a webhook message: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
