// The grace Lambda: EventBridge Scheduler invokes it at a pending charge's deadline with
// `{accountId, chargeId}`. Idempotent: a charge already paid, failed or cancelled is left alone,
// so a late, repeated or early delivery changes nothing it should not.

import middy from '@middy/core';
import { handleGraceDeadline } from '../core/grace/deadline.js';
import type { GraceEvent } from '../core/grace/port.js';
import { runtime } from './http/runtime.js';

export const handler = middy(async (event: GraceEvent) => {
  const outcome = await handleGraceDeadline(runtime().ledger, event);
  console.info(JSON.stringify({ level: 'info', msg: 'grace deadline', ...outcome }));
  return outcome;
});
