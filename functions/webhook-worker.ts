// The webhook queue's consumer (SQS event source, batches): an `event` message is fanned out into
// one delivery per endpoint that wants it, a `delivery` message is one attempt at sending it, a
// `topup` message makes an auto top-up's PaymentIntent (with the Stripe key from its secret). A
// receiver's refusal is not a failure here: the attempt is recorded and the retry is sent with a
// delay (core/webhooks/queue.ts). Only our own faults (the table unreachable) fail a record, which
// SQS redelivers and, after 5 receives, moves to the dead-letter queue. Powertools' batch
// processor reports the failed records alone.

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorFields, log } from '../core/log.js';
import { AWS_POLICY } from '../core/webhooks/address.js';
import { handleWebhookMessage, parseWebhookMessage } from '../core/webhooks/queue.js';
import { HttpWebhookSender } from '../core/webhooks/sender.js';
import { payments } from './http/payments.js';
import { runtime } from './http/runtime.js';
import { secrets } from './http/secrets.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

const processor = new BatchProcessor(EventType.SQS);
/** Sends to public addresses only, its DNS lookups guarded (core/webhooks/address.ts). */
const sender = new HttpWebhookSender(AWS_POLICY);

export const handler = middy(async (event: SQSEvent, context: Context) => {
  const { ledger, webhookQueue } = runtime();
  if (!webhookQueue) throw new Error('WEBHOOK_QUEUE_URL is not set');
  const handle = async (record: SQSRecord) => {
    try {
      const message = parseWebhookMessage(record.body);
      await handleWebhookMessage(ledger, webhookQueue, sender, message, payments().cards);
    } catch (error) {
      log().error('webhook message failed; it is retried', { messageId: record.messageId, error: errorFields(error) });
      throw error;
    }
  };
  return processPartialResponse(event, handle, processor, { context });
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics())
  .use(secrets());
