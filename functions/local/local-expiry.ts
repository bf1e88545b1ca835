// The nightly run on a laptop: the same fan-out and worker as on AWS, over the in-process queue
// (at least once, retries, dead letter after 5 receives). Runs when asked
// (POST /admin/jobs/expiry) and, with the system clock, every night at 00:05 UTC.

import type { ExpiryMessage } from '../../core/expiry/port.js';
import { fanOutDueAccounts, processAccount } from '../../core/expiry/run.js';
import { sweepOverdueCharges } from '../../core/grace/deadline.js';
import type { Ledger } from '../../core/ledger/ledger.js';
import { formatMicros, micros } from '../../core/money.js';
import { LocalQueue, LocalQueueSender } from '../../core/outcomes/local-queue.js';
import { DAY_MS, startOfUtcDay } from '../../core/time.js';

export interface LocalExpiryRun {
  accounts: number;
  lots: number;
  creditsExpired: string;
  notices: number;
  deadLettered: number;
  indexItemsRead: number;
}

export async function runExpiryLocally(ledger: Ledger): Promise<LocalExpiryRun> {
  let lots = 0;
  let notices = 0;
  let expired = micros(0);
  const queue = new LocalQueue<ExpiryMessage>({
    name: 'expiry',
    consumer: async (message) => {
      const done = await processAccount(ledger, message.accountId);
      lots += done.lotsExpired;
      notices += done.notices;
      expired = micros(expired + done.amountExpired);
    },
  });
  const fanOut = await fanOutDueAccounts(ledger, new LocalQueueSender(queue));
  await queue.drained();
  await sweepOverdueCharges(ledger);
  return {
    accounts: fanOut.accounts,
    lots,
    creditsExpired: formatMicros(expired),
    notices,
    deadLettered: queue.deadLetters.length,
    indexItemsRead: fanOut.indexItemsRead,
  };
}

/** Milliseconds from `nowMs` to the next 00:05 UTC. */
export function untilNextNightlyRun(nowMs: number): number {
  const todays = startOfUtcDay(nowMs) + 5 * 60_000;
  return (todays > nowMs ? todays : todays + DAY_MS) - nowMs;
}
