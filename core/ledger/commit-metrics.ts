// What a committed draft did, as business metrics (core/metrics.ts): credits bought, charged and
// expired, charges paid, failed and left waiting, withdrawals requested. Counted by the engine
// once per commit, never for an attempt that lost.

import type { EntryType } from '../items/entry.js';
import { METRICS, type MetricName, metrics } from '../metrics.js';
import { MICROS_PER_CREDIT } from '../money.js';
import type { ChargeOutcome, Draft } from './draft.js';

export function recordMetrics(draft: Draft): void {
  const sink = metrics();
  const ofType = (type: EntryType) => draft.entries.filter((e) => e.type === type);
  const credits = (type: EntryType) =>
    ofType(type).reduce((total, e) => total + Math.abs(e.amount), 0) / MICROS_PER_CREDIT;
  const outcomes = (status: ChargeOutcome['status']) => draft.outcomes.filter((o) => o.status === status).length;
  const figures: [MetricName, number][] = [
    [METRICS.creditsPurchased, credits('purchase')],
    [METRICS.creditsCharged, credits('usage')],
    [METRICS.creditsExpired, credits('expiry')],
    [METRICS.chargesPaid, outcomes('paid')],
    [METRICS.chargesFailed, outcomes('failed')],
    [METRICS.chargesPending, draft.deadlines.length],
    [METRICS.withdrawalsRequested, ofType('withdrawal').length],
  ];
  for (const [name, value] of figures) if (value > 0) sink.add(name, value);
}
