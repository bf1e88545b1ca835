// The nightly run's second half (SQS event source, batches): expires each account's due lots and
// sends its notices; a failing account is reported alone (partial batch response), so one bad
// account never holds up the rest; after 5 receives SQS moves its message to the dead-letter queue.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleExpiryBatch } from '../core/expiry/run.js';
import { log } from '../core/log.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const result = await handleExpiryBatch(
    runtime().ledger,
    event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
    (line) => log().error(line),
  );
  const { batchItemFailures, ...totals } = result;
  log().info('expiry batch', { ...totals, failures: batchItemFailures.length });
  return { batchItemFailures };
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
