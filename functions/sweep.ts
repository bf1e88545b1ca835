// The sweep Lambda (every few minutes, and part of the nightly run): ends pending charges whose
// deadline passed without their schedule firing, publishes charge outcomes that were never
// published, hands events that never reached the webhook queue to it, and sends on webhook
// deliveries whose next attempt is due and auto top-ups whose PaymentIntent was never made. All
// are found through the sparse work-queue index, never by a scan.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { sweepOverdueCharges } from '../core/grace/deadline.js';
import { log } from '../core/log.js';
import { sweepTopUps } from '../core/payments/top-ups.js';
import { sweepDeliveries, sweepEvents } from '../core/webhooks/delivery.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async () => {
  const { ledger, publisher, webhookQueue } = runtime();
  const deadlines = await sweepOverdueCharges(ledger);
  const outcomes = publisher ? await publisher.sweep() : undefined;
  const webhooks = webhookQueue
    ? {
        events: await sweepEvents(ledger, webhookQueue),
        deliveries: await sweepDeliveries(ledger, (endpointId, deliveryId) =>
          webhookQueue.send([{ kind: 'delivery', endpointId, deliveryId }]),
        ),
        topUps: await sweepTopUps(ledger, (accountId, purchaseId) =>
          webhookQueue.send([{ kind: 'topup', accountId, purchaseId }]),
        ),
      }
    : undefined;
  const result = { deadlines, ...(outcomes ? { outcomes } : {}), ...(webhooks ? { webhooks } : {}) };
  log().info('sweep', result);
  return result;
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
