// Reconciliation (SPEC §12), the step of the daily close that follows a day's digest: the ledger
// against the payment providers over the day and the three before it, and the roll-forward of every
// account's balance over the day, stored beside the digest once (report.ts).
//
//   closed day D ─► report of D stored? ─ yes ─► that report (run twice, or after a crash: the same)
//               └─ no ─► providers' payments and reversals of [D−3, D+1)      (PaymentsSource)
//                        purchases created in [D−3, D+1), and those named      (ledger-reads.ts)
//                        entries of D of the accounts changed on D ─► credits of D, the flows
//                        approved withdrawals
//                        ─► categories (categories.ts), roll-forward (roll-forward.ts) ─► store
//
// Cost follows the period's activity: the providers' list calls, the period's purchase index keys
// and one read per purchase, the day's entries of the accounts that changed.

import { assert } from '../assert.js';
import type { CloseStep } from '../close/close.js';
import type { DigestStore } from '../close/store.js';
import type { Purchase } from '../items/purchase.js';
import type { Leaf } from '../proof/hashes.js';
import type { PublishedDigest } from '../proof/verify.js';
import type { LedgerTable } from '../table/table.js';
import { DAY_MS, iso } from '../time.js';
import { type Categories, type CreditEntry, categorize } from './categories.js';
import {
  approvedWithdrawals,
  changedOn,
  type DayEntry,
  entriesBetween,
  inBatches,
  purchasesById,
  purchasesCreated,
  type ReadCount,
} from './ledger-reads.js';
import type { PaymentsSource, ProviderActivity } from './port.js';
import { type CloseReport, type ProviderRead, reportCsv, reportFromJson, reportJson } from './report.js';
import { FlowSums, rollForwardHolds, rollForwardOf } from './roll-forward.js';

/** Days before the closed one that are read again: a payment can be credited days after it is taken. */
export const LOOK_BACK_DAYS = 3;

export interface ReconcileDeps {
  table: LedgerTable;
  store: DigestStore;
  sources: readonly PaymentsSource[];
  /** Told of each report built (a new one, or the one stored before): metrics, logs. */
  onReport?: (report: CloseReport, isNew: boolean) => void;
}

/** The close step: reconcile each day once its digest is published. */
export function reconcileStep(deps: ReconcileDeps): CloseStep {
  return async (closed) => {
    await reconcileDay(deps, closed.published);
  };
}

/** The day's report: the one stored, or built now and stored. */
export async function reconcileDay(deps: ReconcileDeps, published: PublishedDigest): Promise<CloseReport> {
  const { day } = published.digest;
  const stored = await deps.store.closeReport(day, 'json');
  if (stored !== undefined) {
    const report = reportFromJson(stored);
    deps.onReport?.(report, false);
    return report;
  }
  const report = await buildReport(deps, published);
  const isNew = await deps.store.publishCloseReport(day, { json: reportJson(report), csv: reportCsv(report) });
  const kept = isNew ? report : reportFromJson((await deps.store.closeReport(day, 'json')) ?? '');
  deps.onReport?.(kept, isNew);
  return kept;
}

export async function buildReport(deps: ReconcileDeps, published: PublishedDigest): Promise<CloseReport> {
  const { day } = published.digest;
  const cutoffMs = Date.parse(published.digest.cutoff);
  const dayStartMs = cutoffMs - DAY_MS;
  const period = { fromMs: dayStartMs - LOOK_BACK_DAYS * DAY_MS, toMs: cutoffMs };
  const count: ReadCount = { items: 0 };
  const activities = await Promise.all(deps.sources.map((source) => source.activity(period)));
  const leaves = await deps.store.leaves(day);
  assert(leaves !== undefined, `the leaves of ${day} are published with its digest`);
  const changed = await changedOn(deps.table, day, count);
  const dayEntries = await inBatches(changed, (accountId) =>
    entriesBetween(deps.table, accountId, dayStartMs, cutoffMs, count),
  );
  const flows = new FlowSums();
  const credits: CreditEntry[] = [];
  dayEntries.forEach((entries, i) => {
    const accountId = changed[i] ?? '';
    for (const e of entries) {
      flows.add(e.type, e.amount);
      if (e.type === 'purchase') credits.push({ accountId, purchaseId: e.reference, amount: e.amount });
    }
  });
  const opening = await openingOf(deps.store, day, leaves, changed, dayEntries);
  const rollForward = rollForwardOf(opening, flows, leaves);
  const payments = activities.flatMap((a) => a.payments);
  const reversals = activities.flatMap((a) => a.reversals);
  const purchases = await purchasesOf(deps.table, period, credits, activities, count);
  const categories: Categories = categorize({
    day,
    cutoffMs,
    purchases,
    credits,
    payments,
    reversals,
    approved: await approvedWithdrawals(deps.table, count),
  });
  return {
    day,
    digestHash: published.digestHash,
    period: { from: iso(period.fromMs), to: iso(period.toMs) },
    categories,
    rollForward,
    rollForwardHolds: rollForwardHolds(rollForward, published.digest.creditMicros),
    providers: deps.sources.map((source, i) => providerRead(source, activities[i])),
    itemsRead: count.items,
  };
}

function providerRead(source: PaymentsSource, activity: ProviderActivity | undefined): ProviderRead {
  return {
    provider: source.provider,
    calls: activity?.calls ?? 0,
    payments: activity?.payments.length ?? 0,
    reversals: activity?.reversals.length ?? 0,
  };
}

/**
 * Σ balances at the day's start: the previous digest's leaves. On a ledger's first close there is
 * none: an account that did not change keeps its leaf's balance, one that did starts from its first
 * entry's balance before that entry.
 */
async function openingOf(
  store: DigestStore,
  day: string,
  leaves: readonly Leaf[],
  changed: readonly string[],
  dayEntries: readonly (readonly DayEntry[])[],
): Promise<bigint> {
  const previousDay = await store.latestBefore(day);
  const previous = previousDay === undefined ? undefined : await store.leaves(previousDay);
  if (previous) return previous.reduce((total, leaf) => total + BigInt(leaf.balanceMicros), 0n);
  const entriesOf = new Map(changed.map((accountId, i) => [accountId, dayEntries[i] ?? []]));
  let opening = 0n;
  for (const leaf of leaves) opening += startBalance(leaf, entriesOf.get(leaf.accountId) ?? []);
  return opening;
}

/** An account's balance before its entries of the day: its closing balance less what they moved. */
function startBalance(leaf: Leaf, entries: readonly DayEntry[]): bigint {
  return entries.reduce((balance, e) => balance - BigInt(e.amount), BigInt(leaf.balanceMicros));
}

/** The period's purchases, and those created before it that a provider or a credit of the day names. */
async function purchasesOf(
  table: LedgerTable,
  period: { fromMs: number; toMs: number },
  credits: readonly CreditEntry[],
  activities: readonly ProviderActivity[],
  count: ReadCount,
): Promise<Purchase[]> {
  const created = await purchasesCreated(table, period.fromMs, period.toMs, count);
  const known = new Set(created.map((p) => p.purchaseId));
  const named = new Map<string, { purchaseId: string; accountId?: string }>();
  for (const credit of credits)
    if (!known.has(credit.purchaseId))
      named.set(credit.purchaseId, { purchaseId: credit.purchaseId, accountId: credit.accountId });
  for (const activity of activities)
    for (const { purchaseId } of [...activity.payments, ...activity.reversals])
      if (purchaseId !== undefined && !known.has(purchaseId) && !named.has(purchaseId))
        named.set(purchaseId, { purchaseId });
  const older = await purchasesById(
    table,
    [...named.values()].sort((a, b) => (a.purchaseId < b.purchaseId ? -1 : 1)),
    count,
  );
  return [...created, ...older].sort((a, b) => (a.purchaseId < b.purchaseId ? -1 : 1));
}
