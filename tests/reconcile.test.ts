// Reconciliation in the daily close (SPEC §12), on DynamoDB Local with providers in memory: each
// category from the situation that makes it (a lost webhook, a credit no provider took, a refund
// the ledger never heard of, a payment taken twice, an amount that differs, a checkout left pending,
// a payout never sent), the roll-forward exact on every day, and the report stored once.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { approveWithdrawal, completeWithdrawal, requestWithdrawal } from '../core/index.js';
import { applyPaymentEvent, createPurchase } from '../core/ledger/purchases.js';
import { useMetrics } from '../core/metrics.js';
import { type Micros, micros } from '../core/money.js';
import {
  type CategoryName,
  categorize,
  itemIdOf,
  withdrawalDueBy,
  withdrawalStuck,
} from '../core/reconcile/categories.js';
import { leaksOf, recordCloseMetrics } from '../core/reconcile/metrics.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { type CloseReport, reportFromJson } from '../core/reconcile/report.js';
import { rollForwardGap } from '../core/reconcile/roll-forward.js';
import { c, deploy, FINANCE, newLedger } from './support/ledger.js';
import { MemoryPayments } from './support/memory-payments.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

const ANY = { min: micros(1), max: micros(Number.MAX_SAFE_INTEGER) };

async function setup() {
  const { ledger, clock, table } = await newLedger();
  const store = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'reconcile-')));
  const stripe = new MemoryPayments('stripe', clock);
  const spherepay = new MemoryPayments('spherepay', clock);
  const reports: CloseReport[] = [];
  const step = reconcileStep({ table, store, sources: [stripe, spherepay], onReport: (r) => reports.push(r) });
  const close = (day: string) => closeDays({ table, store, nowMs: clock.nowMs(), after: [step] }, day);
  const report = async (day: string) => reportFromJson((await store.closeReport(day, 'json')) ?? '{}');
  return { ledger, clock, table, store, stripe, spherepay, close, report, reports };
}

const ids = (report: CloseReport, category: CategoryName) =>
  report.categories[category].map((item) => item.purchaseId ?? item.detail);

describe('reconciliation of a day', async () => {
  const t = await setup();
  const { ledger, clock, stripe, spherepay } = t;
  const DAY1 = '2026-01-31';

  // Matched: bought, paid, credited, at Stripe and at Spherepay.
  const matched = await buyCredits(ledger, 'rc-match', c('20'));
  stripe.pay(matched, c('20'));
  const matchedUsdc = await buyCredits(ledger, 'rc-match', c('7.5'), 'spherepay');
  spherepay.pay(matchedUsdc, c('7.5'));
  // Paid, not credited: the provider took the money, its webhook never arrived.
  const lost = await createPurchase(ledger, { accountId: 'rc-lost', amount: c('30'), method: 'card', limits: ANY });
  stripe.pay(lost, c('30'));
  // Credited, not paid: a credit applied though no provider took any money.
  const free = await buyCredits(ledger, 'rc-free', c('500'));
  // Refunded at the provider, not reversed in the ledger (its refund event never arrived).
  const refunded = await buyCredits(ledger, 'rc-refund', c('40'));
  stripe.reverse(stripe.pay(refunded, c('40')), 'refund', c('40'));
  // Paid twice at the provider for one purchase.
  const twice = await buyCredits(ledger, 'rc-twice', c('10'));
  stripe.pay(twice, c('10'));
  stripe.pay(twice, c('10'));
  // Credited a different amount than the provider took.
  const mismatch = await buyCredits(ledger, 'rc-mismatch', c('25'));
  stripe.pay(mismatch, c('15'));
  // Some usage, so the roll-forward has more than inflows.
  await deploy(ledger, 'rc-match', '3.25');
  // Pending for more than an hour, and pending for less (not stuck).
  const stuck = await createPurchase(ledger, { accountId: 'rc-stuck', amount: c('12'), method: 'usdc', limits: ANY });
  clock.set(Date.UTC(2026, 0, 31, 23, 30));
  const recent = await createPurchase(ledger, { accountId: 'rc-stuck', amount: c('13'), method: 'card', limits: ANY });
  clock.set(Date.UTC(2026, 1, 1, 0, 30));
  await t.close(DAY1);
  const report = await t.report(DAY1);

  it('matches what the provider took and the ledger credited', () => {
    expect(ids(report, 'matched')).toEqual(
      expect.arrayContaining([matched.purchaseId, matchedUsdc.purchaseId, refunded.purchaseId, twice.purchaseId]),
    );
    expect(report.categories.matched.find((i) => i.purchaseId === matchedUsdc.purchaseId)).toMatchObject({
      accountId: 'rc-match',
      provider: 'spherepay',
      ledgerMicros: String(c('7.5')),
      providerMicros: String(c('7.5')),
    });
  });

  it('reports a payment whose webhook was lost as owed to the user', () => {
    expect(report.categories.paidNotCredited).toEqual([
      expect.objectContaining({ purchaseId: lost.purchaseId, accountId: 'rc-lost', providerMicros: String(c('30')) }),
    ]);
  });

  it('reports a credit no provider took as a leak', () => {
    expect(report.categories.creditedNotPaid).toEqual([
      expect.objectContaining({ purchaseId: free.purchaseId, accountId: 'rc-free', ledgerMicros: String(c('500')) }),
    ]);
  });

  it('reports a provider refund the ledger did not apply', () => {
    expect(report.categories.reversedAtProviderOnly).toEqual([
      expect.objectContaining({
        purchaseId: refunded.purchaseId,
        ledgerMicros: '0',
        providerMicros: String(c('40')),
      }),
    ]);
  });

  it('reports two provider payments for one purchase', () => {
    expect(report.categories.duplicates).toEqual([
      expect.objectContaining({ purchaseId: twice.purchaseId, providerMicros: String(c('20')) }),
    ]);
  });

  it('reports an amount credited that differs from what the provider took', () => {
    expect(report.categories.amountMismatch).toEqual([
      expect.objectContaining({
        purchaseId: mismatch.purchaseId,
        ledgerMicros: String(c('25')),
        providerMicros: String(c('15')),
      }),
    ]);
  });

  it('reports purchases pending for more than an hour at the cut-off, not younger ones', () => {
    expect(ids(report, 'stuckPurchases')).toEqual([lost.purchaseId, stuck.purchaseId].sort());
    expect(ids(report, 'stuckPurchases')).not.toContain(recent.purchaseId);
  });

  it('rolls every balance forward exactly: the digest total less the debt', async () => {
    const digest = (await t.store.digest(DAY1))!;
    const credited = c('20') + c('7.5') + c('500') + c('40') + c('10') + c('25');
    expect(report.rollForward).toEqual({
      openingMicros: '0',
      inflowsMicros: String(credited),
      usageMicros: String(c('3.25')),
      expiriesMicros: '0',
      withdrawalsMicros: '0',
      adjustmentsMicros: '0',
      closingMicros: String(credited - c('3.25')),
      creditMicros: digest.digest.creditMicros,
      debtMicros: '0',
    });
    expect(rollForwardGap(report.rollForward)).toBe(0n);
    expect(report.rollForwardHolds).toBe(true);
    expect(report.digestHash).toBe(digest.digestHash);
  });

  it('stores the report once, beside the digest, in JSON and CSV; a close run again keeps it', async () => {
    const json = await t.store.closeReport(DAY1, 'json');
    const csv = (await t.store.closeReport(DAY1, 'csv'))!;
    expect(csv.split('\r\n')[0]).toBe(
      'category,itemId,purchaseId,accountId,provider,ledgerMicros,providerMicros,detail',
    );
    expect(csv).toContain(
      `paidNotCredited,${report.categories.paidNotCredited[0]!.itemId},${lost.purchaseId},rc-lost,stripe,,30000000,`,
    );
    expect(csv).toContain('rollForward,holds,,,,,,true');
    // A provider payment arriving later changes nothing already stored.
    await applyPaymentEvent(ledger, {
      provider: 'stripe',
      eventId: 'evt_late',
      accountId: 'rc-lost',
      purchaseId: lost.purchaseId,
      outcome: { kind: 'paid', amount: c('30'), paymentRef: 'pi_late' },
    });
    await t.close(DAY1);
    expect(await t.store.closeReport(DAY1, 'json')).toBe(json);
  });

  it('emits one metric per category, amounts in micro-credits, and counts the leaks the alarm watches', () => {
    const seen = new Map<string, number>();
    useMetrics({ add: (name, value) => seen.set(name, (seen.get(name) ?? 0) + value) });
    try {
      recordCloseMetrics(report);
    } finally {
      useMetrics({ add: () => undefined });
    }
    expect(Object.fromEntries(seen)).toMatchObject({
      CloseMatched: 4,
      ClosePaidNotCredited: 1,
      ClosePaidNotCreditedMicros: c('30'),
      CloseCreditedNotPaid: 1,
      CloseCreditedNotPaidMicros: c('500'),
      CloseAmountMismatch: 1,
      CloseAmountMismatchMicros: c('10'),
      CloseReversedAtProviderOnly: 1,
      CloseReversedAtProviderOnlyMicros: c('40'),
      CloseDuplicates: 1,
      CloseDuplicatesMicros: c('20'),
      CloseStuckPurchases: 2,
      CloseStuckWithdrawals: 0,
      CloseRollForwardBroken: 0,
    });
    // credited not paid, credited 25 for 15 paid, the refund not applied; two provider payments are no leak
    expect(seen.get('CloseLeaks')).toBe(3);
    expect(leaksOf({ ...report, rollForwardHolds: false })).toBe(4);
  });

  it('gives each item an id derived from the day, the category and its subject', () => {
    const item = report.categories.paidNotCredited[0]!;
    expect(item.itemId).toBe(itemIdOf(DAY1, 'paidNotCredited', lost.purchaseId));
    const all = Object.values(report.categories)
      .flat()
      .map((i) => i.itemId);
    expect(new Set(all).size).toBe(all.length);
  });

  it('looks three days back: a payment credited the next day is matched then', async () => {
    clock.set(Date.UTC(2026, 1, 2, 0, 30));
    await t.close('2026-02-01');
    const next = await t.report('2026-02-01');
    expect(ids(next, 'matched')).toContain(lost.purchaseId);
    expect(ids(next, 'paidNotCredited')).toEqual([]);
    expect(next.period).toEqual({ from: '2026-01-29T00:00:00.000Z', to: '2026-02-02T00:00:00.000Z' });
    expect(next.rollForward.openingMicros).toBe(report.rollForward.closingMicros);
    expect(next.rollForwardHolds).toBe(true);
  });
});

describe('withdrawals approved and not completed', () => {
  it('are stuck 7 business days after their approval (Monday to Friday, UTC), not before', async () => {
    const t = await setup();
    const { ledger, clock } = t;
    await buyCredits(ledger, 'rc-wd', c('100'));
    // Saturday 2026-01-31 12:00: due by Tuesday 2026-02-10 12:00.
    const late = await requestWithdrawal(ledger, { accountId: 'rc-wd', amount: c('20'), destination: WALLET });
    await approveWithdrawal(ledger, late.withdrawalId, FINANCE);
    const paid = await requestWithdrawal(ledger, { accountId: 'rc-wd', amount: c('10'), destination: WALLET });
    await approveWithdrawal(ledger, paid.withdrawalId, FINANCE);
    await completeWithdrawal(ledger, paid.withdrawalId, 'tx-1', FINANCE);
    clock.set(Date.UTC(2026, 1, 1, 1));
    await t.close('2026-01-31');
    clock.set(Date.UTC(2026, 1, 11, 1));
    const closed = await t.close('2026-02-10');
    expect(closed.map((d) => d.published.digest.day)).toHaveLength(10);
    expect(new Set(t.reports.map((r) => r.day)).size).toBe(11);
    expect((await t.report('2026-02-09')).categories.stuckWithdrawals).toEqual([]);
    const feb10 = await t.report('2026-02-10');
    expect(feb10.categories.stuckWithdrawals).toEqual([
      expect.objectContaining({ accountId: 'rc-wd', ledgerMicros: String(c('20')) }),
    ]);
    expect(feb10.categories.stuckWithdrawals[0]!.detail).toContain(late.withdrawalId);
    const jan31 = await t.report('2026-01-31');
    expect(jan31.rollForward).toMatchObject({ withdrawalsMicros: String(c('30')), closingMicros: String(c('70')) });
    expect(jan31.rollForwardHolds).toBe(true);
  });

  it('the rule: 7 business days later, weekends skipped', () => {
    const friday = Date.UTC(2026, 1, 6, 9);
    expect(new Date(withdrawalDueBy(friday)).toISOString()).toBe('2026-02-17T09:00:00.000Z');
    const monday = Date.UTC(2026, 1, 2, 9);
    expect(new Date(withdrawalDueBy(monday)).toISOString()).toBe('2026-02-11T09:00:00.000Z');
    expect(withdrawalStuck(monday, Date.UTC(2026, 1, 11, 9) - 1)).toBe(false);
    expect(withdrawalStuck(monday, Date.UTC(2026, 1, 11, 9))).toBe(true);
  });
});

describe('categories from what was read', () => {
  const base = { day: '2026-03-02', cutoffMs: Date.UTC(2026, 2, 3), approved: [], reversals: [] };
  const purchase = (purchaseId: string, status: 'completed' | 'pending', amount: Micros) => ({
    purchaseId,
    accountId: 'acct',
    status,
    amount,
    method: 'card' as const,
    provider: 'stripe' as const,
    createdAt: '2026-03-02T10:00:00.000Z',
    updatedAt: '2026-03-02T10:00:00.000Z',
    ...(status === 'completed' ? { paidAmount: amount } : {}),
  });

  it('reports two credits for one purchase as a duplicate, and a credit with no purchase as not paid', () => {
    const found = categorize({
      ...base,
      purchases: [purchase('pu_1', 'completed', c('5'))],
      credits: [
        { accountId: 'acct', purchaseId: 'pu_1', amount: c('5') },
        { accountId: 'acct', purchaseId: 'pu_1', amount: c('5') },
        { accountId: 'acct', purchaseId: 'pu_ghost', amount: c('9') },
      ],
      payments: [{ provider: 'stripe', paymentId: 'ch_1', purchaseId: 'pu_1', amount: c('5'), createdAtMs: 0 }],
    });
    expect(found.duplicates).toEqual([
      expect.objectContaining({
        purchaseId: 'pu_1',
        ledgerMicros: String(c('10')),
        detail: expect.stringMatching(/2 credits/),
      }),
    ]);
    expect(found.creditedNotPaid).toEqual([
      expect.objectContaining({ purchaseId: 'pu_ghost', ledgerMicros: String(c('9')) }),
    ]);
    expect(found.matched.map((i) => i.purchaseId)).toEqual(['pu_1']);
  });

  it('ignores payments that are not for credits, and finds a refund by its payment when it names no purchase', () => {
    const found = categorize({
      ...base,
      purchases: [purchase('pu_2', 'completed', c('8'))],
      credits: [],
      payments: [
        { provider: 'stripe', paymentId: 'ch_2', purchaseId: 'pu_2', amount: c('8'), createdAtMs: 0 },
        { provider: 'stripe', paymentId: 'ch_other', amount: c('99'), createdAtMs: 0 },
      ],
      reversals: [
        { provider: 'stripe', kind: 'dispute', reversalId: 'dp_1', paymentId: 'ch_2', amount: c('8'), createdAtMs: 1 },
      ],
    });
    expect(found.paidNotCredited).toEqual([]);
    expect(found.reversedAtProviderOnly.map((i) => i.purchaseId)).toEqual(['pu_2']);
  });

  it('counts the tax paid on top of the credit as paid, and a reversal of it in the credit it took back', () => {
    // 100.00 of credit and 20.00 of tax: Stripe took 120.00, and a refund of 60.00 took back 50.00 of credit.
    const taxed = (reversedAmount: Micros) => ({
      ...purchase('pu_tax', 'completed', c('100')),
      paidTax: c('20'),
      reversedAmount,
    });
    const read = (reversedAmount: Micros) =>
      categorize({
        ...base,
        purchases: [taxed(reversedAmount)],
        credits: [],
        payments: [{ provider: 'stripe', paymentId: 'ch_t', purchaseId: 'pu_tax', amount: c('120'), createdAtMs: 0 }],
        reversals: [
          {
            provider: 'stripe',
            kind: 'refund',
            reversalId: 're_t',
            paymentId: 'ch_t',
            amount: c('60'),
            createdAtMs: 1,
          },
        ],
      });
    const applied = read(c('50'));
    expect(applied.matched.map((i) => i.purchaseId)).toEqual(['pu_tax']);
    expect(applied.amountMismatch).toEqual([]);
    expect(applied.reversedAtProviderOnly).toEqual([]);
    expect(read(c('0')).reversedAtProviderOnly).toEqual([
      expect.objectContaining({ purchaseId: 'pu_tax', ledgerMicros: '0', providerMicros: String(c('60')) }),
    ]);
  });

  it('is the same, ids included, whatever order it read things in', () => {
    const payments = [
      { provider: 'stripe' as const, paymentId: 'a', purchaseId: 'pu_3', amount: c('1'), createdAtMs: 1 },
      { provider: 'stripe' as const, paymentId: 'b', purchaseId: 'pu_4', amount: c('1'), createdAtMs: 2 },
    ];
    const one = categorize({ ...base, purchases: [], credits: [], payments });
    const two = categorize({ ...base, purchases: [], credits: [], payments: [...payments].reverse() });
    expect(two).toEqual(one);
  });
});
