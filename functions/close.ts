// The daily close (EventBridge Scheduler cron, 00:30 UTC, for the cut-off at 00:00): yesterday's
// digest and leaves to the Object Lock bucket (core/close/close.ts), and any day missed before it.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { closeDays, dayToClose } from '../core/close/close.js';
import { log } from '../core/log.js';
import { digestsOf } from './http/digests.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async () => {
  const current = runtime();
  const { ledger } = current;
  const digests = digestsOf(current);
  if (!digests) throw new Error('DIGEST_BUCKET is not set');
  const nowMs = ledger.nowMs();
  const closed = await closeDays({ table: ledger.table, store: digests, nowMs }, dayToClose(nowMs));
  const summary = closed.map(({ published, accountsRead }) => ({
    day: published.digest.day,
    digestHash: published.digestHash,
    accounts: published.digest.accounts,
    creditMicros: published.digest.creditMicros,
    accountsRead,
  }));
  log().info('daily close', { days: summary });
  return summary;
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
