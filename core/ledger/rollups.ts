// Writing usage out as rollup items (SPEC §10): the rule the engine applies after every plan, so
// an operation of a later day writes the earlier days the account item still counts as their day
// and month items (items/usage.ts). Reading usage back is ledger/usage.ts; this part is apart
// because every operation applies it, while only the usage and balance reads read rollups.

import { type UsageByProduct, usageItems } from '../items/usage.js';
import { micros } from '../money.js';
import { PRODUCTS } from '../products.js';
import type { Draft } from './draft.js';
import { USAGE_DAYS_WRITTEN_OUT } from './room.js';

/** The rule the engine applies after every plan: days before today are written out as rollup items. */
export function writeOutPastDays(draft: Draft): void {
  const past = draft.takeUsageDaysBefore(draft.now.slice(0, 10), USAGE_DAYS_WRITTEN_OUT);
  if (past.length === 0) return;
  const months = new Map<string, UsageByProduct>();
  for (const day of past) {
    draft.write({ item: usageItems.day(draft.accountId, day) });
    const month = months.get(day.day.slice(0, 7)) ?? {};
    months.set(day.day.slice(0, 7), addUsage(month, day.byProduct));
  }
  for (const [month, byProduct] of months) draft.write({ item: usageItems.month(draft.accountId, month, byProduct) });
}

/** The sum of two buckets' usage by product. */
export function addUsage(into: UsageByProduct, more: UsageByProduct): UsageByProduct {
  const sum: UsageByProduct = { ...into };
  for (const product of PRODUCTS) {
    const a = sum[product];
    const b = more[product];
    if (!b) continue;
    sum[product] = a
      ? { usage: micros(a.usage + b.usage), refunds: micros(a.refunds + b.refunds) }
      : { usage: b.usage, refunds: b.refunds };
  }
  return sum;
}
