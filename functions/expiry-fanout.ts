// The nightly run's first half (EventBridge Scheduler cron, 00:05 UTC): one message per account
// with lots due to the expiry queue, then the sweep of overdue charges and unpublished outcomes.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { fanOutDueAccounts } from '../core/expiry/run.js';
import { SqsExpiryQueue } from '../core/expiry/sqs.js';
import { sweepOverdueCharges } from '../core/grace/deadline.js';
import { log } from '../core/log.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async () => {
  const queueUrl = process.env.EXPIRY_QUEUE_URL;
  if (!queueUrl) throw new Error('EXPIRY_QUEUE_URL is not set');
  const { ledger, publisher } = runtime();
  const fanOut = await fanOutDueAccounts(ledger, new SqsExpiryQueue(queueUrl), (line) => log().info(line));
  const deadlines = await sweepOverdueCharges(ledger);
  const outcomes = publisher ? await publisher.sweep() : undefined;
  const summary = {
    accounts: fanOut.accounts,
    indexItemsRead: fanOut.indexItemsRead,
    failed: fanOut.failed.length,
    deadlines,
    ...(outcomes ? { outcomes } : {}),
  };
  if (fanOut.failed.length) log().error('nightly run', summary);
  else log().info('nightly run', summary);
  if (fanOut.failed.length) throw new Error(`${fanOut.failed.length} accounts could not be queued; the run is retried`);
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
