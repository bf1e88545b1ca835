// The daily close (EventBridge Scheduler cron, 00:30 UTC, for the cut-off at 00:00): yesterday's
// digest and leaves to the Object Lock bucket (core/close/close.ts), and any day missed before it;
// then each day's reconciliation (core/reconcile/) against the providers whose keys it is given
// (Secrets Manager, as the checkout's), its report beside the digest and its metrics.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { closeDays, dayToClose } from '../core/close/close.js';
import { log } from '../core/log.js';
import { leaksOf, recordCloseMetrics } from '../core/reconcile/metrics.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { digestsOf } from './http/digests.js';
import { paymentsSourcesFromEnv } from './http/payments-sources.js';
import { runtime } from './http/runtime.js';
import { secrets } from './http/secrets.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async () => {
  const current = runtime();
  const { ledger } = current;
  const digests = digestsOf(current);
  if (!digests) throw new Error('DIGEST_BUCKET is not set');
  const nowMs = ledger.nowMs();
  const reconcile = reconcileStep({
    table: ledger.table,
    store: digests,
    sources: current.paymentsSources ?? paymentsSourcesFromEnv(process.env),
    onReport: (report, isNew) => {
      if (isNew) recordCloseMetrics(report);
      log().info('close report', { day: report.day, leaks: leaksOf(report), itemsRead: report.itemsRead });
    },
  });
  const closed = await closeDays({ table: ledger.table, store: digests, nowMs, after: [reconcile] }, dayToClose(nowMs));
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
  .use(secrets())
  .use(flushMetrics());
