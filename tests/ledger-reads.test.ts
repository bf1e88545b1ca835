// Withdrawals and the read side: the transactions log, usage, notifications and check.

import { describe, expect, it } from 'vitest';
import {
  approveWithdrawal,
  Conflict,
  cancelWithdrawal,
  charge,
  check,
  completeWithdrawal,
  DAY_MS,
  Forbidden,
  getBalance,
  grantPromotional,
  InsufficientCredits,
  InvalidRequest,
  type Ledger,
  listNotifications,
  listTransactions,
  listWithdrawals,
  listWithdrawalsByStatus,
  markNotificationRead,
  NotFound,
  refund,
  rejectWithdrawal,
  requestWithdrawal,
  usage,
} from '../core/index.js';
import { keys } from '../core/table/keys.js';
import { c, expectInvariants, FINANCE, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

let seq = 0;
const buy = (ledger: Ledger, accountId: string, amount: string) =>
  buyCredits(ledger, accountId, c(amount), 'spherepay');
const pay = (ledger: Ledger, accountId: string, amount: string) =>
  charge(ledger, { accountId, deploymentId: 'dep', amount: c(amount), idempotencyKey: `k${++seq}` });

describe('withdrawals', () => {
  it('only accounts that have paid for credits may withdraw, and only purchased credit', async () => {
    const { ledger } = await newLedger();
    await grantPromotional(ledger, { accountId: 'w1', amount: c('50'), expiresAtMs: null, description: 'Trial' });
    await expect(requestWithdrawal(ledger, { accountId: 'w1', amount: c('1'), destination: WALLET })).rejects.toThrow(
      Forbidden,
    );
    await buy(ledger, 'w1', '20');
    expect((await getBalance(ledger, 'w1')).withdrawable).toBe(c('20'));
    await expect(
      requestWithdrawal(ledger, { accountId: 'w1', amount: c('20.01'), destination: WALLET }),
    ).rejects.toThrow(InsufficientCredits);
    await expect(
      requestWithdrawal(ledger, { accountId: 'w1', amount: c('1.001'), destination: WALLET }),
    ).rejects.toThrow(InvalidRequest);
    const snap = await expectInvariants(ledger, 'w1', { expiriesApplied: true });
    expect(snap.withdrawals).toHaveLength(0);
  });

  it(
    'pays out only to the address the account gave: one stored without a destination can only be ' + 'rejected',
    async () => {
      const { ledger, table } = await newLedger();
      await buy(ledger, 'w9', '30');
      const w = await requestWithdrawal(ledger, { accountId: 'w9', amount: c('10'), destination: WALLET });
      expect(w.destination).toEqual(WALLET);
      // As a withdrawal requested before destinations were asked for is stored.
      await table.update({ Key: keys.withdrawal('w9', w.withdrawalId), UpdateExpression: 'REMOVE destination' });
      await expect(approveWithdrawal(ledger, w.withdrawalId, FINANCE)).rejects.toThrow(/names no destination/);
      const rejected = await rejectWithdrawal(ledger, w.withdrawalId, 'no address was given', FINANCE);
      expect(rejected.status).toBe('rejected');
      expect((await getBalance(ledger, 'w9')).balance).toBe(c('30'));
      await expectInvariants(ledger, 'w9', { expiriesApplied: true });
    },
  );

  it('a request takes the amount from the soonest-expiring purchased lots at once, into review', async () => {
    const { ledger, clock } = await newLedger();
    const older = await buy(ledger, 'w2', '10');
    clock.advance(30 * DAY_MS);
    const newer = await buy(ledger, 'w2', '10');
    await grantPromotional(ledger, {
      accountId: 'w2',
      amount: c('5'),
      expiresAtMs: clock.nowMs() + DAY_MS,
      description: 'Promo',
    });
    clock.set(Date.UTC(2026, 10, 27, 9)); // a Friday
    const w = await requestWithdrawal(ledger, { accountId: 'w2', amount: c('12'), destination: WALLET });
    expect(w).toMatchObject({ status: 'pending_review', amount: c('12'), expectedBy: '2026-12-08T09:00:00.000Z' });
    const balance = await getBalance(ledger, 'w2');
    expect(balance).toMatchObject({ balance: c('8'), withdrawable: c('8'), pendingWithdrawals: c('12') });
    const snap = await expectInvariants(ledger, 'w2'); // the promotional lot expired and awaits the nightly run
    expect(snap.state.lots.filter((l) => l.kind === 'promotional').map((l) => l.remaining)).toEqual([c('5')]);
    expect(
      Object.fromEntries(snap.state.lots.filter((l) => l.kind === 'purchased').map((l) => [l.lotId, l.remaining])),
    ).toEqual({ [newer.lotId]: c('8') });
    expect(snap.state.lots.find((l) => l.lotId === older.lotId)).toBeUndefined();
  });

  it('finance approves then completes; the credit is gone for good', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'w3', '10');
    const w = await requestWithdrawal(ledger, { accountId: 'w3', amount: c('4'), destination: WALLET });
    expect((await listWithdrawalsByStatus(ledger, 'pending_review')).map((x) => x.withdrawalId)).toContain(
      w.withdrawalId,
    );
    await expect(completeWithdrawal(ledger, w.withdrawalId, 'payout-1', FINANCE)).rejects.toThrow(Conflict);
    await approveWithdrawal(ledger, w.withdrawalId, FINANCE);
    const done = await completeWithdrawal(ledger, w.withdrawalId, 'payout-1', FINANCE);
    expect(done).toMatchObject({ status: 'completed', payoutReference: 'payout-1' });
    expect((await listWithdrawalsByStatus(ledger, 'pending_review')).map((x) => x.withdrawalId)).not.toContain(
      w.withdrawalId,
    );
    expect(await getBalance(ledger, 'w3')).toMatchObject({ balance: c('6'), pendingWithdrawals: 0 });
    await expect(cancelWithdrawal(ledger, 'w3', w.withdrawalId)).rejects.toThrow(Conflict);
    await expectInvariants(ledger, 'w3', { expiriesApplied: true });
  });

  it('a rejection or the user cancel gives the credit back the way a refund does', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'w4', '10');
    const rejected = await requestWithdrawal(ledger, { accountId: 'w4', amount: c('3'), destination: WALLET });
    const cancelled = await requestWithdrawal(ledger, { accountId: 'w4', amount: c('2'), destination: WALLET });
    await rejectWithdrawal(ledger, rejected.withdrawalId, 'bank details do not match', FINANCE);
    await cancelWithdrawal(ledger, 'w4', cancelled.withdrawalId);
    const snap = await expectInvariants(ledger, 'w4', { expiriesApplied: true });
    expect(snap.state.lots.map((l) => [l.lotId, l.remaining])).toEqual([[lot.lotId, c('10')]]);
    expect(snap.entries.map((e) => e.type)).toEqual([
      'purchase',
      'withdrawal',
      'withdrawal',
      'withdrawal_reversal',
      'withdrawal_reversal',
    ]);
    expect((await listWithdrawals(ledger, 'w4')).map((w) => w.status).sort()).toEqual(['cancelled', 'rejected']);
    // After expiry the credit comes back as a new purchased lot for 30 days.
    const late = await requestWithdrawal(ledger, { accountId: 'w4', amount: c('1'), destination: WALLET });
    clock.set(Date.parse(lot.expiresAt!) + 1);
    await rejectWithdrawal(ledger, late.withdrawalId, 'late', FINANCE);
    const after = await getBalance(ledger, 'w4');
    expect(after.lots).toEqual([expect.objectContaining({ kind: 'purchased', amount: c('1'), withdrawable: true })]);
  });

  it('an unknown withdrawal is not found', async () => {
    const { ledger } = await newLedger();
    await expect(approveWithdrawal(ledger, 'wd_nope', FINANCE)).rejects.toThrow(NotFound);
  });
});

describe('the transactions log', () => {
  it('lists newest first, filters by type and date, and pages with a cursor without gaps', async () => {
    const { ledger, clock } = await newLedger();
    await buy(ledger, 't1', '100');
    for (let i = 0; i < 7; i += 1) {
      clock.advance(DAY_MS);
      await pay(ledger, 't1', `1.${i}`);
    }
    const all = await listTransactions(ledger, { accountId: 't1', limit: 100 });
    expect(all.items).toHaveLength(8);
    expect(all.nextCursor).toBeNull();
    expect(all.items.map((e) => e.createdAt)).toEqual([...all.items.map((e) => e.createdAt)].sort().reverse());
    expect(all.items[0]).toMatchObject({
      type: 'usage',
      category: 'Usage Deductions',
      amount: c('-1.6'),
      balanceAfter: c('90.9'),
    });
    expect(all.items.at(-1)).toMatchObject({ type: 'purchase', category: 'Credit Inflow' });

    const pages: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i += 1) {
      const page = await listTransactions(ledger, { accountId: 't1', limit: 3, cursor });
      pages.push(...page.items.map((e) => e.transactionId));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(pages).toEqual(all.items.map((e) => e.transactionId));

    const purchases = await listTransactions(ledger, { accountId: 't1', types: ['purchase'], limit: 5 });
    expect(purchases.items.map((e) => e.type)).toEqual(['purchase']);
    const window = await listTransactions(ledger, {
      accountId: 't1',
      fromMs: Date.parse(all.items[4]!.createdAt),
      toMs: Date.parse(all.items[2]!.createdAt),
    });
    expect(window.items.map((e) => e.transactionId)).toEqual(all.items.slice(2, 5).map((e) => e.transactionId));
  });

  it('refuses a malformed cursor and an out-of-range limit', async () => {
    const { ledger } = await newLedger();
    await expect(listTransactions(ledger, { accountId: 't2', cursor: 'CHARGE#x' })).rejects.toThrow(InvalidRequest);
    await expect(listTransactions(ledger, { accountId: 't2', limit: 101 })).rejects.toThrow(InvalidRequest);
  });
});

describe('usage', () => {
  it('adds usage and refunds per UTC day and per month', async () => {
    const { ledger, clock } = await newLedger();
    clock.set(Date.UTC(2026, 2, 30, 10));
    await buy(ledger, 'u1', '100');
    const first = await pay(ledger, 'u1', '3');
    await refund(ledger, { accountId: 'u1', chargeId: first.chargeId, amount: c('1'), idempotencyKey: 'u1r' });
    clock.set(Date.UTC(2026, 2, 31, 23, 59));
    await pay(ledger, 'u1', '2.5');
    clock.set(Date.UTC(2026, 3, 1, 0, 1));
    await pay(ledger, 'u1', '0.000125');
    const from = Date.UTC(2026, 2, 1);
    const to = Date.UTC(2026, 3, 30);
    const daily = await usage(ledger, { accountId: 'u1', fromMs: from, toMs: to, granularity: 'day' });
    expect(daily.buckets).toEqual([
      { start: '2026-03-30T00:00:00.000Z', usage: c('3'), refunds: c('1'), net: c('2') },
      { start: '2026-03-31T00:00:00.000Z', usage: c('2.5'), refunds: 0, net: c('2.5') },
      { start: '2026-04-01T00:00:00.000Z', usage: c('0.000125'), refunds: 0, net: c('0.000125') },
    ]);
    expect(daily.total).toMatchObject({ usage: c('5.500125'), refunds: c('1'), net: c('4.500125') });
    const monthly = await usage(ledger, { accountId: 'u1', fromMs: from, toMs: to, granularity: 'month' });
    expect(monthly.buckets.map((b) => [b.start, b.net])).toEqual([
      ['2026-03-01T00:00:00.000Z', c('4.5')],
      ['2026-04-01T00:00:00.000Z', c('0.000125')],
    ]);
  });
});

describe('check and notifications', () => {
  it('check says whether an amount fits the balance and the allowance', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'n1', '5');
    expect(await check(ledger, 'n1', c('5'))).toEqual({
      amount: c('5'),
      balance: c('5'),
      sufficient: true,
      withinAllowance: true,
      shortfall: 0,
    });
    expect(await check(ledger, 'n1', c('15'))).toEqual({
      amount: c('15'),
      balance: c('5'),
      sufficient: false,
      withinAllowance: true,
      shortfall: c('10'),
    });
    expect(await check(ledger, 'n1', c('15.000001'))).toMatchObject({
      sufficient: false,
      withinAllowance: false,
      shortfall: c('10.000001'),
    });
  });

  it('operations notify the user, newest first, and notifications can be marked read', async () => {
    const { ledger, clock } = await newLedger();
    await buy(ledger, 'n2', '5');
    clock.advance(1000);
    await pay(ledger, 'n2', '8');
    clock.advance(1000);
    await pay(ledger, 'n2', '50');
    const items = await listNotifications(ledger, 'n2');
    expect(items.map((n) => n.type)).toEqual(['top_up_needed', 'allowance_in_use', 'purchase_completed']);
    await markNotificationRead(ledger, 'n2', items[0]!.notificationId);
    expect((await listNotifications(ledger, 'n2'))[0]!.read).toBe(true);
    await expect(markNotificationRead(ledger, 'n2', 'nt_missing')).rejects.toThrow(NotFound);
  });
});
