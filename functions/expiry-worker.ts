// The nightly run's second half (SQS event source, batches): expires each account's due lots and
// sends its notices. Powertools' batch processor runs the records and reports the failed ones
// alone (partial batch response), so one bad account never holds up the rest; after 5 receives
// SQS moves its message to the dead-letter queue.

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { expireFromMessage } from '../core/expiry/run.js';
import { errorFields, log } from '../core/log.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

const processor = new BatchProcessor(EventType.SQS);

export const handler = middy(async (event: SQSEvent, context: Context) => {
  const totals = { accounts: 0, lotsExpired: 0, notices: 0 };
  const expire = async (record: SQSRecord) => {
    try {
      const done = await expireFromMessage(runtime().ledger, record.body);
      totals.accounts += 1;
      totals.lotsExpired += done.lotsExpired;
      totals.notices += done.notices;
    } catch (error) {
      log().error('expiry of one account failed; it is retried', {
        messageId: record.messageId,
        error: errorFields(error),
      });
      throw error;
    }
  };
  const response = await processPartialResponse(event, expire, processor, { context });
  log().info('expiry batch', { ...totals, failures: response.batchItemFailures.length });
  return response;
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
