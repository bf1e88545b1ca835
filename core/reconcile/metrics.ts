// One metric per category of a new close report (SPEC §12), and the leaks the alarm watches
// (infra/alarms.ts): credited without a provider payment, credited more than the provider took,
// refunded or disputed at the provider and not reversed here, a purchase credited twice, and a
// roll-forward that does not add up. Amounts are integer micro-credits.

import { METRICS, type MetricName, metrics } from '../metrics.js';
import { CATEGORY_NAMES, type CategoryName, type ReportItem } from './categories.js';
import type { CloseReport } from './report.js';

const COUNT: Record<CategoryName, MetricName> = {
  matched: METRICS.closeMatched,
  paidNotCredited: METRICS.closePaidNotCredited,
  creditedNotPaid: METRICS.closeCreditedNotPaid,
  amountMismatch: METRICS.closeAmountMismatch,
  reversedAtProviderOnly: METRICS.closeReversedAtProviderOnly,
  duplicates: METRICS.closeDuplicates,
  stuckPurchases: METRICS.closeStuckPurchases,
  stuckWithdrawals: METRICS.closeStuckWithdrawals,
};

/** The money at stake in an item of each category that has any. */
const MICROS: Partial<Record<CategoryName, { metric: MetricName; of: (item: ReportItem) => bigint }>> = {
  paidNotCredited: { metric: METRICS.closePaidNotCreditedMicros, of: (i) => micros(i.providerMicros) },
  creditedNotPaid: { metric: METRICS.closeCreditedNotPaidMicros, of: (i) => micros(i.ledgerMicros) },
  amountMismatch: { metric: METRICS.closeAmountMismatchMicros, of: (i) => abs(mismatch(i)) },
  reversedAtProviderOnly: {
    metric: METRICS.closeReversedAtProviderOnlyMicros,
    of: (i) => micros(i.providerMicros) - micros(i.ledgerMicros),
  },
  duplicates: { metric: METRICS.closeDuplicatesMicros, of: (i) => micros(i.ledgerMicros ?? i.providerMicros) },
  stuckWithdrawals: { metric: METRICS.closeStuckWithdrawalsMicros, of: (i) => micros(i.ledgerMicros) },
};

function micros(text: string | undefined): bigint {
  return text === undefined ? 0n : BigInt(text);
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

/** Credited less what the provider took: above zero is money the ledger gave away. */
function mismatch(item: ReportItem): bigint {
  return micros(item.ledgerMicros) - micros(item.providerMicros);
}

/** The items of a report that are leaks, and a broken roll-forward as one more. */
export function leaksOf(report: CloseReport): number {
  const { categories } = report;
  return (
    categories.creditedNotPaid.length +
    categories.amountMismatch.filter((i) => mismatch(i) > 0n).length +
    categories.reversedAtProviderOnly.length +
    // A duplicate of credits carries the ledger's amount; one of provider payments only the provider's.
    categories.duplicates.filter((i) => i.ledgerMicros !== undefined).length +
    (report.rollForwardHolds ? 0 : 1)
  );
}

export function recordCloseMetrics(report: CloseReport): void {
  const port = metrics();
  for (const category of CATEGORY_NAMES) {
    const items = report.categories[category];
    port.add(COUNT[category], items.length);
    const money = MICROS[category];
    if (money) port.add(money.metric, Number(items.reduce((total, item) => total + money.of(item), 0n)));
  }
  port.add(METRICS.closeRollForwardBroken, report.rollForwardHolds ? 0 : 1);
  port.add(METRICS.closeLeaks, leaksOf(report));
}
