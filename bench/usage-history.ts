// A heavy account's history for the usage benchmarks: `charges` charges spread evenly over the 13
// months before `endMs`, through the ledger as the deployment system makes them (so the rollup
// items are the ones the ledger writes), products taken in turn, credit bought at the start of each
// month. Charges of a day are sent 30 at a time, so they commit together (ledger/commit.ts).

import {
  addCalendarMonths,
  charge,
  DAY_MS,
  type Ledger,
  type ManualClock,
  type Micros,
  PRODUCTS,
} from '../core/index.js';
import { buyCredits } from '../tests/support/purchases.js';

export const HISTORY_MONTHS = 13;
const SENT_AT_ONCE = 30;
const CHARGE = 500_000 as Micros; // 0.50 credits

export async function chargeHistory(
  ledger: Ledger,
  clock: ManualClock,
  accountId: string,
  options: { charges: number; endMs: number; log: (line: string) => void },
): Promise<{ startMs: number; seconds: number }> {
  const startMs = addCalendarMonths(options.endMs, -HISTORY_MONTHS);
  const days = Math.round((options.endMs - startMs) / DAY_MS);
  const perDay = options.charges / days;
  const started = performance.now();
  let made = 0;
  let month = '';
  for (let day = 0; day < days; day += 1) {
    const dayStart = startMs + day * DAY_MS;
    clock.set(dayStart);
    const thisMonth = new Date(dayStart).toISOString().slice(0, 7);
    if (thisMonth !== month) {
      month = thisMonth;
      // A month's charges and then some: purchased credit lasts 12 months, so each month buys its own.
      await buyCredits(ledger, accountId, ((Math.ceil(perDay * 31 * 0.5) + 100) * 1_000_000) as Micros);
    }
    const due = Math.round(perDay * (day + 1)) - made;
    for (let sent = 0; sent < due; sent += SENT_AT_ONCE) {
      clock.set(dayStart + Math.floor(((sent + 1) * (DAY_MS - 60_000)) / due));
      const batch = Math.min(SENT_AT_ONCE, due - sent);
      await Promise.all(
        Array.from({ length: batch }, (_, i) => {
          const n = made + sent + i;
          return charge(ledger, {
            accountId,
            deploymentId: `dep-${n % 997}`,
            product: PRODUCTS[n % PRODUCTS.length],
            amount: CHARGE,
            idempotencyKey: `history-${n}`,
          });
        }),
      );
    }
    made += due;
    if (day % 30 === 29 || day === days - 1)
      options.log(`  ${made.toLocaleString('en-US')} of ${options.charges.toLocaleString('en-US')} charges made…`);
  }
  clock.set(options.endMs);
  return { startMs, seconds: Math.round((performance.now() - started) / 1000) };
}
