// The sweep Lambda (every few minutes, and part of the nightly run): ends pending charges whose
// deadline passed without their schedule firing, and publishes charge outcomes that were never
// published. Both are found through the sparse charge index, never by a scan.

import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { sweepOverdueCharges } from '../core/grace/deadline.js';
import { log } from '../core/log.js';
import { runtime } from './http/runtime.js';
import { logger } from './log.js';
import { flushMetrics } from './metrics.js';

export const handler = middy(async () => {
  const { ledger, publisher } = runtime();
  const deadlines = await sweepOverdueCharges(ledger);
  const outcomes = publisher ? await publisher.sweep() : undefined;
  log().info('sweep', { deadlines, ...(outcomes ? { outcomes } : {}) });
  return { deadlines, ...(outcomes ? { outcomes } : {}) };
})
  .use(injectLambdaContext(logger))
  .use(flushMetrics());
