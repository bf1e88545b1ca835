// The nightly run's second half (SQS event source, batches): expires each account's due lots and
// sends its notices; a failing account is reported alone (partial batch response), so one bad
// account never holds up the rest; after 5 receives SQS moves its message to the dead-letter queue.

import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { handleExpiryBatch } from '../core/expiry/run.js';
import { runtime } from './http/runtime.js';

export const handler = middy(async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const result = await handleExpiryBatch(
    runtime().ledger,
    event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
    (line) => console.error(line),
  );
  const { batchItemFailures, ...totals } = result;
  console.info(
    JSON.stringify({
      level: 'info',
      msg: 'expiry batch',
      ...totals,
      amountExpired: totals.amountExpired,
      failures: batchItemFailures.length,
    }),
  );
  return { batchItemFailures };
});
