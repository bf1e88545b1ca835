// The grace Lambda: EventBridge Scheduler invokes it at a pending charge's deadline with
// `{accountId, chargeId}`. Idempotent: a charge already paid, failed or cancelled is left alone,
// so a late, repeated or early delivery changes nothing it should not.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { handleGraceDeadline } from '../core/grace/deadline.js';
import type { GraceEvent } from '../core/grace/port.js';
import { log } from '../core/log.js';
import { METRICS, metrics } from '../core/metrics.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async (event: GraceEvent) => {
  const outcome = await handleGraceDeadline(runtime().ledger, event).catch((error: unknown) => {
    // EventBridge retries it; if every retry fails, the sweep ends the charge. Counted for the alarm.
    metrics().add(METRICS.graceFailures, 1);
    throw error;
  });
  log().info('grace deadline', { ...outcome });
  return outcome;
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
