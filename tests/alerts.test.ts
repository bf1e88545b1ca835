// SPEC §8: low-balance and allowance alerts, once per crossing, in the transaction that crosses;
// the threshold's routes; the balance at a time. (The model-based property test checks the alert
// counts over random operation sequences too: tests/support/model-commands.ts.)

import { beforeAll, describe, expect, it } from 'vitest';
import {
  balanceAt,
  listNotifications,
  type NotificationType,
  setLowBalanceThreshold,
  setNegativeAllowance,
} from '../core/index.js';
import type { Ledger } from '../core/ledger/ledger.js';
import { type Api, startApi } from './support/api.js';
import { c, deploy, expectInvariants, newLedger } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

const pay = deploy;

async function alerts(ledger: Ledger, accountId: string): Promise<NotificationType[]> {
  return (await listNotifications(ledger, accountId, 100))
    .map((n) => n.type)
    .filter((type) => type === 'low_balance' || type === 'allowance_in_use')
    .reverse();
}

describe('low-balance alerts', () => {
  it('fire once when an operation takes the balance below the threshold, and re-arm only at or above it', async () => {
    const { ledger, clock } = await newLedger();
    await buyCredits(ledger, 'low-1', c('30'));
    expect(await alerts(ledger, 'low-1')).toEqual([]);
    await pay(ledger, 'low-1', '15'); // 15: still at or above 10
    expect(await alerts(ledger, 'low-1')).toEqual([]);
    clock.advance(1000);
    await pay(ledger, 'low-1', '6'); // 9: crosses
    expect(await alerts(ledger, 'low-1')).toEqual(['low_balance']);
    const [notice] = await listNotifications(ledger, 'low-1', 1);
    expect(notice!.message).toBe('Your balance is 9.00, below your alert threshold of 10.00.');
    clock.advance(1000);
    await pay(ledger, 'low-1', '4'); // 5: still below, no second alert
    await buyCredits(ledger, 'low-1', c('2')); // 7: below, not re-armed
    await pay(ledger, 'low-1', '1');
    expect(await alerts(ledger, 'low-1')).toEqual(['low_balance']);
    clock.advance(1000);
    await buyCredits(ledger, 'low-1', c('4')); // 10: at the threshold, re-armed
    await pay(ledger, 'low-1', '0.01'); // 9.99: crosses again
    expect(await alerts(ledger, 'low-1')).toEqual(['low_balance', 'low_balance']);
    await expectInvariants(ledger, 'low-1');
  });

  it('a new account below the default threshold is not alerted until it has been at or above it', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'low-2', c('5'));
    await pay(ledger, 'low-2', '1');
    expect(await alerts(ledger, 'low-2')).toEqual([]);
  });

  it('going below zero writes allowance_in_use once, until the balance is back at zero or more', async () => {
    const { ledger, clock } = await newLedger();
    await buyCredits(ledger, 'neg-1', c('12'));
    await pay(ledger, 'neg-1', '14'); // -2: crosses 10 and 0 in one charge
    expect(await alerts(ledger, 'neg-1')).toEqual(['low_balance', 'allowance_in_use']);
    const latest = await listNotifications(ledger, 'neg-1', 1);
    expect(latest[0]!.message).toBe(
      'Your balance is -2.00: deployments are running on your negative allowance of 10.00.',
    );
    clock.advance(1000);
    await pay(ledger, 'neg-1', '3'); // -5
    expect(await alerts(ledger, 'neg-1')).toEqual(['low_balance', 'allowance_in_use']);
    await buyCredits(ledger, 'neg-1', c('5')); // 0: re-armed for zero, still below 10
    await pay(ledger, 'neg-1', '1'); // -1
    expect(await alerts(ledger, 'neg-1')).toEqual(['low_balance', 'allowance_in_use', 'allowance_in_use']);
  });

  it('a threshold set to null turns the alert off; one set above the balance alerts nobody', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'set-1', c('50'));
    await setLowBalanceThreshold(ledger, 'set-1', null);
    await pay(ledger, 'set-1', '45');
    expect(await alerts(ledger, 'set-1')).toEqual([]);
    await setLowBalanceThreshold(ledger, 'set-1', c('20')); // balance 5: already below, no alert
    await pay(ledger, 'set-1', '1');
    expect(await alerts(ledger, 'set-1')).toEqual([]);
    await buyCredits(ledger, 'set-1', c('30')); // 34: re-armed
    await pay(ledger, 'set-1', '15'); // 19: crosses 20
    expect(await alerts(ledger, 'set-1')).toEqual(['low_balance']);
  });

  it('a larger allowance settling pending charges alerts in that same transaction', async () => {
    const { ledger } = await newLedger({ defaultAllowance: c('0') });
    await buyCredits(ledger, 'set-2', c('11'));
    const pending = await pay(ledger, 'set-2', '12');
    expect(pending.status).toBe('pending_payment');
    expect(await alerts(ledger, 'set-2')).toEqual([]);
    await setNegativeAllowance(ledger, 'set-2', c('5'));
    expect(await alerts(ledger, 'set-2')).toEqual(['low_balance', 'allowance_in_use']);
  });

  it('50 concurrent charges that cross the threshold write exactly one alert', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'race-1', c('59'));
    const results = await Promise.all(Array.from({ length: 50 }, () => pay(ledger, 'race-1', '1')));
    expect(results.every((r) => r.status === 'paid')).toBe(true);
    expect(await alerts(ledger, 'race-1')).toEqual(['low_balance']);
    await expectInvariants(ledger, 'race-1');
  });
});

describe('the balance at a time', () => {
  it('is what the last entry at or before the instant recorded; zero before the first', async () => {
    const { ledger, clock } = await newLedger();
    const start = clock.nowMs();
    const first = await buyCredits(ledger, 'at-1', c('20'));
    clock.advance(60_000);
    await pay(ledger, 'at-1', '7.5');
    const afterCharge = clock.nowMs();
    clock.advance(60_000);
    await pay(ledger, 'at-1', '2.5');
    expect(await balanceAt(ledger, 'at-1', start - 1)).toEqual({
      accountId: 'at-1',
      at: new Date(start - 1).toISOString(),
      balance: 0,
      transactionId: null,
    });
    expect((await balanceAt(ledger, 'at-1', start)).balance).toBe(c('20'));
    expect((await balanceAt(ledger, 'at-1', afterCharge - 1)).balance).toBe(c('20'));
    expect((await balanceAt(ledger, 'at-1', afterCharge)).balance).toBe(c('12.5'));
    expect((await balanceAt(ledger, 'at-1', afterCharge + 59_999)).balance).toBe(c('12.5'));
    expect((await balanceAt(ledger, 'at-1', clock.nowMs())).balance).toBe(c('10'));
    expect(first.purchaseId).toMatch(/^pu_/);
  });

  it('is one query of one item (0.5 RCU)', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'at-2', c('20'));
    for (let i = 0; i < 5; i += 1) await pay(ledger, 'at-2', '1');
    ledger.table.meter.reset();
    await balanceAt(ledger, 'at-2', ledger.nowMs());
    expect(ledger.table.meter.snapshot()).toEqual([
      {
        label: 'balanceAt',
        readUnits: 0.5,
        itemsRead: 1,
        writeUnits: 0,
        billedWriteUnits: 0,
        billedIndexWriteUnits: 0,
        calls: 1,
      },
    ]);
  });
});

describe('over HTTP', () => {
  let api: Api;
  let user: string;
  beforeAll(async () => {
    api = await startApi();
    user = await api.token('carol');
  });

  it('GET and PUT /credits/alerts read and set the threshold; a bad one is a 400 that changes nothing', async () => {
    expect((await api.call('GET', '/credits/alerts', { token: user })).body).toEqual({
      accountId: 'carol',
      lowBalanceThreshold: '10.00',
    });
    const set = await api.call('PUT', '/credits/alerts', { token: user, body: { lowBalanceThreshold: '25.50' } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ accountId: 'carol', lowBalanceThreshold: '25.50' });
    for (const body of [{ lowBalanceThreshold: '-1' }, { lowBalanceThreshold: 'ten' }, {}, { other: 1 }]) {
      const refused = await api.call('PUT', '/credits/alerts', { token: user, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
    }
    expect((await api.call('GET', '/credits/alerts', { token: user })).body.lowBalanceThreshold).toBe('25.50');
    const off = await api.call('PUT', '/credits/alerts', { token: user, body: { lowBalanceThreshold: null } });
    expect(off.body).toEqual({ accountId: 'carol', lowBalanceThreshold: null });
  });

  it('GET /credits/balance?at= answers the recorded balance; a future instant is a 400', async () => {
    await buyCredits(api.ledger, 'carol', c('20'));
    const at = new Date(api.clock.nowMs()).toISOString();
    const response = await api.call('GET', `/credits/balance?at=${encodeURIComponent(at)}`, { token: user });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accountId: 'carol', at, balance: '20.00', transactionId: expect.any(String) });
    const future = new Date(api.clock.nowMs() + 1000).toISOString();
    const refused = await api.call('GET', `/credits/balance?at=${encodeURIComponent(future)}`, { token: user });
    expect(refused.status).toBe(400);
    expect((await api.call('GET', '/credits/balance?at=yesterday', { token: user })).status).toBe(400);
  });
});
