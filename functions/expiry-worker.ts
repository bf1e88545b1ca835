// The nightly run's second half (SQS event source, batches): expires each account's due lots and
// sends its notices. Powertools' batch processor runs the records and reports the failed ones
// alone (partial batch response), so one bad account never holds up the rest; after 5 receives
// SQS moves its message to the dead-letter queue.

import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { expireFromMessage } from '../core/expiry/run.js';
import type { Ledger } from '../core/ledger/ledger.js';
import { errorFields, log } from '../core/log.js';
import { add, type Micros, ZERO } from '../core/money.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

/** A batch's answer to SQS (the records that failed), and what the batch expired. */
export interface ExpiryBatchResult extends SQSBatchResponse {
  accounts: number;
  lotsExpired: number;
  amountExpired: Micros;
  notices: number;
}

/** One batch of expiry messages on `ledger`: each record's account expired; a failure fails that record only. */
export async function expireBatch(ledger: Ledger, event: SQSEvent, context?: Context): Promise<ExpiryBatchResult> {
  const totals = { accounts: 0, lotsExpired: 0, amountExpired: ZERO, notices: 0 };
  const expire = async (record: SQSRecord) => {
    try {
      const done = await expireFromMessage(ledger, record.body);
      totals.accounts += 1;
      totals.lotsExpired += done.lotsExpired;
      totals.amountExpired = add(totals.amountExpired, done.amountExpired);
      totals.notices += done.notices;
    } catch (error) {
      log().error('expiry of one account failed; it is retried', {
        messageId: record.messageId,
        error: errorFields(error),
      });
      throw error;
    }
  };
  // A processor per batch: it holds the batch's records and failures while it runs.
  const processor = new BatchProcessor(EventType.SQS);
  const { batchItemFailures } = await processPartialResponse(event, expire, processor, context ? { context } : {});
  return { batchItemFailures, ...totals };
}

export const handler = middy(async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  const { batchItemFailures, accounts, lotsExpired, notices } = await expireBatch(runtime().ledger, event, context);
  log().info('expiry batch', { accounts, lotsExpired, notices, failures: batchItemFailures.length });
  return { batchItemFailures };
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
