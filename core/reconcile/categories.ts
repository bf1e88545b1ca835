// What reconciliation (SPEC §12) finds, from what it read: the ledger's purchases of the period and
// the purchase credits of the closed day, the providers' payments and reversals of the period, and
// the withdrawals waiting for their payout. Pure: the same inputs give the same items, in the same
// order, with the same ids (a hash of the day, the category and what the item is about), so a close
// run again reports what it reported.
//
//   per purchase id (ledger ∪ providers):
//     paid at a provider ─┬─ not credited ───────────────► paidNotCredited   (the user is owed)
//                         └─ credited ─┬─ same amount ───► matched
//                                      └─ other amount ──► amountMismatch
//     credited, no provider payment ─────────────────────► creditedNotPaid   (a leak)
//     two provider payments, or two credits of the day ──► duplicates
//     refunded or disputed at a provider beyond what the ledger took back ─► reversedAtProviderOnly
//     pending for more than an hour ─────────────────────► stuckPurchases
//   approved withdrawals not completed 7 business days after their approval ─► stuckWithdrawals

import { createHash } from 'node:crypto';
import type { Purchase } from '../items/purchase.js';
import type { Withdrawal } from '../items/withdrawal.js';
import { creditPartOf } from '../ledger/provider-reversals.js';
import { micros } from '../money.js';
import { addBusinessDays } from '../time.js';
import type { ProviderPayment, ProviderReversal } from './port.js';

export const CATEGORY_NAMES = [
  'matched',
  'paidNotCredited',
  'creditedNotPaid',
  'amountMismatch',
  'reversedAtProviderOnly',
  'duplicates',
  'stuckPurchases',
  'stuckWithdrawals',
] as const;
export type CategoryName = (typeof CATEGORY_NAMES)[number];

/** A purchase pending longer than this is stuck. */
export const STUCK_PURCHASE_MS = 3_600_000;
/** An approved withdrawal not completed within this many business days (Monday to Friday, UTC) is stuck. */
export const WITHDRAWAL_BUSINESS_DAYS = 7;

/** Who marked an item resolved, when, and why (kept apart from the write-once report). */
export interface Resolution {
  by: string;
  at: string;
  note: string;
}

/** One finding. Amounts are integer micro-credits as decimal strings, like the digest's. */
export interface ReportItem {
  itemId: string;
  purchaseId?: string;
  accountId: string;
  provider?: string;
  ledgerMicros?: string;
  providerMicros?: string;
  detail: string;
  resolved?: Resolution;
}

export type Categories = Record<CategoryName, ReportItem[]>;

/** A purchase credit of the closed day, as its ledger entry records it. */
export interface CreditEntry {
  accountId: string;
  /** The entry's reference: the purchase id. */
  purchaseId: string;
  amount: number;
}

export interface Findings {
  day: string;
  cutoffMs: number;
  purchases: readonly Purchase[];
  credits: readonly CreditEntry[];
  payments: readonly ProviderPayment[];
  reversals: readonly ProviderReversal[];
  /** The withdrawals approved and not completed. */
  approved: readonly Withdrawal[];
}

/** When an approved withdrawal becomes stuck: 7 business days after its (last) approval. */
export function withdrawalDueBy(approvedAtMs: number): number {
  return addBusinessDays(approvedAtMs, WITHDRAWAL_BUSINESS_DAYS);
}

/** Whether a withdrawal approved at `approvedAtMs` and not completed is stuck at `atMs`. */
export function withdrawalStuck(approvedAtMs: number, atMs: number): boolean {
  return withdrawalDueBy(approvedAtMs) <= atMs;
}

/** A finding's id: the same day, category and subject always give the same id. */
export function itemIdOf(day: string, category: CategoryName, key: string): string {
  return `ri_${createHash('sha256').update(`${day}\n${category}\n${key}`).digest('hex').slice(0, 24)}`;
}

export function emptyCategories(): Categories {
  return {
    matched: [],
    paidNotCredited: [],
    creditedNotPaid: [],
    amountMismatch: [],
    reversedAtProviderOnly: [],
    duplicates: [],
    stuckPurchases: [],
    stuckWithdrawals: [],
  };
}

/** Every item of every category through `f`, categories and order kept. */
export function mapItems(c: Categories, f: (item: ReportItem) => ReportItem): Categories {
  return {
    matched: c.matched.map(f),
    paidNotCredited: c.paidNotCredited.map(f),
    creditedNotPaid: c.creditedNotPaid.map(f),
    amountMismatch: c.amountMismatch.map(f),
    reversedAtProviderOnly: c.reversedAtProviderOnly.map(f),
    duplicates: c.duplicates.map(f),
    stuckPurchases: c.stuckPurchases.map(f),
    stuckWithdrawals: c.stuckWithdrawals.map(f),
  };
}

interface Subject {
  purchaseId: string;
  purchase?: Purchase;
  payments: ProviderPayment[];
  reversals: ProviderReversal[];
  credits: CreditEntry[];
}

export function categorize(findings: Findings): Categories {
  const categories = emptyCategories();
  const add = (category: CategoryName, key: string, item: Omit<ReportItem, 'itemId'>) =>
    categories[category].push({ itemId: itemIdOf(findings.day, category, key), ...item });
  for (const subject of subjectsOf(findings)) purchaseFindings(findings, subject, add);
  for (const w of findings.approved) {
    const approvedAt = w.approvals.at(-1)?.at ?? w.updatedAt;
    if (w.status !== 'approved' || !withdrawalStuck(Date.parse(approvedAt), findings.cutoffMs)) continue;
    add('stuckWithdrawals', w.withdrawalId, {
      accountId: w.accountId,
      ledgerMicros: String(w.amount),
      detail:
        `withdrawal ${w.withdrawalId} approved at ${approvedAt}, ` +
        `not completed within ${WITHDRAWAL_BUSINESS_DAYS} business days`,
    });
  }
  return categories;
}

type Add = (category: CategoryName, key: string, item: Omit<ReportItem, 'itemId'>) => void;

function purchaseFindings(findings: Findings, subject: Subject, add: Add): void {
  const { purchaseId, purchase, payments, credits } = subject;
  const accountId = purchase?.accountId ?? credits[0]?.accountId ?? payments[0]?.accountId ?? '';
  const provider = purchase?.provider ?? payments[0]?.provider;
  const base = { purchaseId, accountId, ...(provider ? { provider } : {}) };
  const credited = purchase ? purchase.status === 'completed' || purchase.status === 'reversed' : credits.length > 0;
  // What the buyer paid, as the provider counts it: the credit, and any tax paid on top of it.
  const ledgerAmount =
    purchase?.paidAmount !== undefined
      ? purchase.paidAmount + (purchase.paidTax ?? 0)
      : credits.reduce((total, c) => total + c.amount, 0);
  const payment = payments[0];
  if (payments.length > 1)
    add('duplicates', `provider:${purchaseId}`, {
      ...base,
      providerMicros: String(payments.reduce((total, p) => total + p.amount, 0)),
      detail: `${payments.length} provider payments for one purchase: ${payments.map((p) => p.paymentId).join(', ')}`,
    });
  if (credits.length > 1)
    add('duplicates', `ledger:${purchaseId}`, {
      ...base,
      ledgerMicros: String(credits.reduce((total, c) => total + c.amount, 0)),
      detail: `${credits.length} credits for one purchase on ${findings.day}`,
    });
  if (payment && !credited)
    add('paidNotCredited', purchaseId, {
      ...base,
      providerMicros: String(payment.amount),
      detail: `paid at ${payment.provider} (${payment.paymentId}), purchase ${purchase?.status ?? 'unknown'}`,
    });
  else if (!payment && credited)
    add('creditedNotPaid', purchaseId, {
      ...base,
      ledgerMicros: String(ledgerAmount),
      detail: `credited without a provider payment in the period${purchase ? '' : ' (no purchase recorded)'}`,
    });
  else if (payment && credited) {
    const same = ledgerAmount === payment.amount;
    add(same ? 'matched' : 'amountMismatch', purchaseId, {
      ...base,
      ledgerMicros: String(ledgerAmount),
      providerMicros: String(payment.amount),
      detail: same
        ? `paid at ${payment.provider} (${payment.paymentId}) and credited`
        : `credited ${ledgerAmount > payment.amount ? 'more' : 'less'} than ${payment.provider} took ` +
          `(${payment.paymentId})`,
    });
  }
  reversalFindings(subject, base, add);
  if (purchase?.status === 'pending' && Date.parse(purchase.createdAt) + STUCK_PURCHASE_MS <= findings.cutoffMs)
    add('stuckPurchases', purchaseId, {
      ...base,
      ledgerMicros: String(purchase.amount),
      detail: `pending since ${purchase.createdAt}`,
    });
}

function reversalFindings(subject: Subject, base: Omit<ReportItem, 'itemId' | 'detail'>, add: Add): void {
  if (subject.reversals.length === 0) return;
  const atProvider = subject.reversals.reduce((total, r) => total + r.amount, 0);
  const inLedger = subject.purchase?.reversedAmount ?? 0;
  // With tax paid on top, the ledger takes back the credit's part of each reversal, each rounded
  // down to the micro-credit (provider-reversals.ts): that part, less a micro-credit a reversal.
  const { purchase } = subject;
  const owed =
    purchase?.paidTax && atProvider > 0
      ? creditPartOf(purchase, micros(atProvider)) - subject.reversals.length
      : atProvider;
  if (owed <= inLedger) return;
  add('reversedAtProviderOnly', subject.purchaseId, {
    ...base,
    ledgerMicros: String(inLedger),
    providerMicros: String(atProvider),
    detail: `${subject.reversals.map((r) => `${r.kind} ${r.reversalId}`).join(', ')} at the provider, not applied`,
  });
}

/** Everything known about each purchase id, by purchase id. */
function subjectsOf(findings: Findings): Subject[] {
  const subjects = new Map<string, Subject>();
  const subject = (purchaseId: string): Subject => {
    let found = subjects.get(purchaseId);
    if (!found) {
      found = { purchaseId, payments: [], reversals: [], credits: [] };
      subjects.set(purchaseId, found);
    }
    return found;
  };
  for (const purchase of findings.purchases) subject(purchase.purchaseId).purchase = purchase;
  const purchaseOfRef = new Map<string, string>();
  for (const p of findings.purchases)
    if (p.paymentRef) purchaseOfRef.set(`${p.provider}:${p.paymentRef}`, p.purchaseId);
  const purchaseOfPayment = new Map<string, string>();
  for (const payment of byTime(findings.payments)) {
    const purchaseId = payment.purchaseId ?? purchaseOfRef.get(`${payment.provider}:${payment.paymentId}`);
    if (purchaseId === undefined) continue; // not a payment for credits
    purchaseOfPayment.set(`${payment.provider}:${payment.paymentId}`, purchaseId);
    subject(purchaseId).payments.push(payment);
  }
  for (const reversal of byTime(findings.reversals)) {
    const purchaseId = reversal.purchaseId ?? purchaseOfPayment.get(`${reversal.provider}:${reversal.paymentId}`);
    if (purchaseId !== undefined) subject(purchaseId).reversals.push(reversal);
  }
  for (const credit of findings.credits) subject(credit.purchaseId).credits.push(credit);
  return [...subjects.values()].sort((a, b) => (a.purchaseId < b.purchaseId ? -1 : 1));
}

function byTime<T extends { createdAtMs: number }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => a.createdAtMs - b.createdAtMs);
}
