// The sweep Lambda (every few minutes, and part of the nightly run): ends pending charges whose
// deadline passed without their schedule firing, and publishes charge outcomes that were never
// published. Both are found through the sparse charge index, never by a scan.

import middy from '@middy/core';
import { sweepOverdueCharges } from '../core/grace/deadline.js';
import { runtime } from './http/runtime.js';

export const handler = middy(async () => {
  const { ledger, publisher } = runtime();
  const deadlines = await sweepOverdueCharges(ledger);
  const outcomes = publisher ? await publisher.sweep() : undefined;
  console.info(JSON.stringify({ level: 'info', msg: 'sweep', deadlines, ...(outcomes ? { outcomes } : {}) }));
  return { deadlines, ...(outcomes ? { outcomes } : {}) };
});
