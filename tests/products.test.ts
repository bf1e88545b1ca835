// Products (SPEC §10) in the ledger: what each charge was for and what paid it, credit scoped to
// products (its order, its limits, refunds giving it back), usage by product from the day and month
// rollups (and from the entries of an account older than them), and the expiry forecast.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  charge,
  check,
  DAY_MS,
  expireDueLots,
  getBalance,
  getCharge,
  grantPromotional,
  type Ledger,
  listNotifications,
  listTransactions,
  type Product,
  refund,
  usage,
} from '../core/index.js';
import { keys } from '../core/table/keys.js';
import { type Api, startApi } from './support/api.js';
import { accountItems, c, expectInvariants, newLedger, wholeTable } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let seq = 0;

function pay(ledger: Ledger, accountId: string, amount: string, product?: Product, projectId?: string) {
  seq += 1;
  return charge(ledger, {
    accountId,
    deploymentId: `dep-${seq}`,
    amount: c(amount),
    idempotencyKey: `key-${seq}`,
    ...(product ? { product } : {}),
    ...(projectId ? { projectId } : {}),
  });
}

async function paid(ledger: Ledger, accountId: string, amount: string, product?: Product) {
  const result = await pay(ledger, accountId, amount, product);
  expect(result.status).toBe('paid');
  return result;
}

function grant(ledger: Ledger, accountId: string, amount: string, products?: Product[], expiresInDays?: number) {
  return grantPromotional(ledger, {
    accountId,
    amount: c(amount),
    expiresAtMs: expiresInDays === undefined ? null : ledger.nowMs() + expiresInDays * DAY_MS,
    description: products ? `Launch credit for ${products.join(', ')}` : 'Promotion',
    ...(products ? { products } : {}),
  });
}

async function lotRemaining(ledger: Ledger, accountId: string): Promise<Record<string, number>> {
  const { lots } = await getBalance(ledger, accountId);
  return Object.fromEntries(lots.map((lot) => [lot.lotId, lot.remaining]));
}

describe('what a charge was for and what paid it', () => {
  it('records product, deployment, project, what paid it; refunds carry the product', async () => {
    const { ledger } = await newLedger();
    const bought = await buyCredits(ledger, 'pf1', c('5'));
    const promo = await grant(ledger, 'pf1', '3', undefined, 60);
    const vm = await pay(ledger, 'pf1', '10', 'vm', 'proj-1');
    expect(vm).toMatchObject({ status: 'paid', usedAllowance: c('2') });
    const other = await paid(ledger, 'pf1', '1');

    const { items } = await listTransactions(ledger, { accountId: 'pf1', types: ['usage'] });
    expect(items.map((e) => [e.product, e.deploymentId, e.projectId, e.paidFrom, e.allowance])).toEqual([
      ['other', other.deploymentId, undefined, [], c('1')],
      [
        'vm',
        vm.deploymentId,
        'proj-1',
        [
          { lotId: promo.lotId, kind: 'promotional', amount: c('3') },
          { lotId: bought.lotId, kind: 'purchased', amount: c('5') },
        ],
        c('2'),
      ],
    ]);
    expect(await getCharge(ledger, 'pf1', vm.chargeId)).toMatchObject({ product: 'vm', projectId: 'proj-1' });

    await refund(ledger, { accountId: 'pf1', chargeId: vm.chargeId, amount: c('4'), idempotencyKey: 'pf1-r' });
    const refunds = await listTransactions(ledger, { accountId: 'pf1', types: ['refund'] });
    expect(refunds.items.map((e) => [e.product, e.deploymentId, e.projectId, e.amount])).toEqual([
      ['vm', vm.deploymentId, 'proj-1', c('4')],
    ]);
    await expectInvariants(ledger, 'pf1', { expiriesApplied: true });
  });

  it('filters the log by product: usage and refunds of that product only', async () => {
    const { ledger } = await newLedger();
    await buyCredits(ledger, 'pf2', c('50'));
    const vm = await paid(ledger, 'pf2', '2', 'vm');
    await paid(ledger, 'pf2', '3', 'inference');
    await paid(ledger, 'pf2', '4');
    await refund(ledger, { accountId: 'pf2', chargeId: vm.chargeId, amount: c('1'), idempotencyKey: 'pf2-r' });
    const of = async (product: Product) =>
      (await listTransactions(ledger, { accountId: 'pf2', product })).items.map((e) => [e.type, e.amount]);
    expect(await of('vm')).toEqual([
      ['refund', c('1')],
      ['usage', c('-2')],
    ]);
    expect(await of('inference')).toEqual([['usage', c('-3')]]);
    expect(await of('other')).toEqual([['usage', c('-4')]]);
    expect(await of('baremetal')).toEqual([]);
    // Pages of a filtered log hold only matching entries.
    const first = await listTransactions(ledger, { accountId: 'pf2', product: 'vm', limit: 1 });
    expect(first.items.map((e) => e.type)).toEqual(['refund']);
    const second = await listTransactions(ledger, {
      accountId: 'pf2',
      product: 'vm',
      limit: 1,
      cursor: first.nextCursor ?? '',
    });
    expect(second.items.map((e) => e.type)).toEqual(['usage']);
  });
});

describe('credit scoped to products', () => {
  it('is taken first, fewest products first, then by expiry; it never pays another product', async () => {
    const { ledger } = await newLedger();
    const vmAndK8s = await grant(ledger, 'sc1', '10', ['vm', 'kubernetes'], 90);
    const vmOnly = await grant(ledger, 'sc1', '10', ['vm'], 200);
    const soonest = await grant(ledger, 'sc1', '10', undefined, 10);
    const bought = await buyCredits(ledger, 'sc1', c('10'));

    await paid(ledger, 'sc1', '12', 'vm');
    expect(await lotRemaining(ledger, 'sc1')).toEqual({
      [vmAndK8s.lotId]: c('8'),
      [soonest.lotId]: c('10'),
      [bought.lotId]: c('10'),
    });
    await paid(ledger, 'sc1', '3', 'kubernetes');
    await paid(ledger, 'sc1', '12', 'inference');
    expect(await lotRemaining(ledger, 'sc1')).toEqual({ [vmAndK8s.lotId]: c('5'), [bought.lotId]: c('8') });

    const balance = await getBalance(ledger, 'sc1');
    expect(balance).toMatchObject({ balance: c('13'), withdrawable: c('8') });
    expect(balance.scoped).toEqual([{ products: ['vm', 'kubernetes'], remaining: c('5') }]);
    expect(balance.lots.find((lot) => lot.lotId === vmAndK8s.lotId)?.products).toEqual(['vm', 'kubernetes']);
    expect(vmOnly.products).toEqual(['vm']);

    // What a product may take: its credit less the debt.
    expect(await check(ledger, 'sc1', c('9'), 'inference')).toMatchObject({
      product: 'inference',
      available: c('8'),
      balance: c('13'),
      sufficient: false,
      withinAllowance: true,
      shortfall: c('1'),
    });
    expect(await check(ledger, 'sc1', c('13'), 'kubernetes')).toMatchObject({
      available: c('13'),
      sufficient: true,
      shortfall: 0,
    });
    // Without a product, check answers as before (for `other`), naming neither.
    const plain = await check(ledger, 'sc1', c('9'));
    expect(plain).not.toHaveProperty('product');
    expect(plain).not.toHaveProperty('available');
    expect(plain).toMatchObject({ sufficient: false });
    await expectInvariants(ledger, 'sc1', { expiriesApplied: true });
  });

  it("leaves another product's charge to the allowance, then a payment, even with scoped credit at hand", async () => {
    const { ledger } = await newLedger();
    const launch = await grant(ledger, 'sc2', '50', ['inference']);
    expect(await pay(ledger, 'sc2', '5', 'vm')).toMatchObject({ status: 'paid', usedAllowance: c('5') });
    const waiting = await pay(ledger, 'sc2', '6', 'vm');
    // What must arrive for it: the charge and the debt VM credit would repay first.
    expect(waiting).toMatchObject({ status: 'pending_payment', shortfall: c('11') });
    expect((await getBalance(ledger, 'sc2')).debt).toBe(c('5'));

    // More credit for inference neither repays the VM debt nor pays the waiting VM charge.
    await grant(ledger, 'sc2', '20', ['inference']);
    expect(await getCharge(ledger, 'sc2', waiting.chargeId)).toMatchObject({ status: 'pending_payment' });
    expect((await getBalance(ledger, 'sc2')).debt).toBe(c('5'));

    // Credit any product may use does both, and the inference credit is untouched.
    await buyCredits(ledger, 'sc2', c('20'));
    expect(await getCharge(ledger, 'sc2', waiting.chargeId)).toMatchObject({ status: 'paid' });
    const balance = await getBalance(ledger, 'sc2');
    expect(balance).toMatchObject({ debt: 0, balance: c('79') });
    expect(balance.lots.find((lot) => lot.lotId === launch.lotId)?.remaining).toBe(c('50'));
    await expectInvariants(ledger, 'sc2', { expiriesApplied: true });
  });

  it("repays a charge's debt only with credit its product may use", async () => {
    const { ledger } = await newLedger();
    await paid(ledger, 'sc3', '4', 'inference');
    await grant(ledger, 'sc3', '10', ['vm']);
    expect(await getBalance(ledger, 'sc3')).toMatchObject({ debt: c('4'), balance: c('6') });
    await grant(ledger, 'sc3', '3', ['inference', 'ray_cluster']);
    expect(await getBalance(ledger, 'sc3')).toMatchObject({ debt: c('1'), balance: c('9') });
    // VM credit is 10, all of the debt (1) counts against it.
    expect(await check(ledger, 'sc3', c('9'), 'vm')).toMatchObject({ available: c('9'), sufficient: true });
    expect(await check(ledger, 'sc3', c('1'), 'inference')).toMatchObject({ available: c('-1'), sufficient: false });
    await expectInvariants(ledger, 'sc3', { expiriesApplied: true });
  });

  it('comes back to the very lots a refund restores, scope and all, even once the lot has expired', async () => {
    const { ledger, clock } = await newLedger();
    const scoped = await grant(ledger, 'sc4', '5', ['vm'], 3);
    const bought = await buyCredits(ledger, 'sc4', c('5'));
    const first = await paid(ledger, 'sc4', '4', 'vm');
    await refund(ledger, { accountId: 'sc4', chargeId: first.chargeId, amount: c('4'), idempotencyKey: 'sc4-r1' });
    expect(await lotRemaining(ledger, 'sc4')).toEqual({ [scoped.lotId]: c('5'), [bought.lotId]: c('5') });

    const second = await paid(ledger, 'sc4', '8', 'vm');
    clock.advance(4 * DAY_MS);
    await expireDueLots(ledger, 'sc4');
    await refund(ledger, { accountId: 'sc4', chargeId: second.chargeId, amount: c('8'), idempotencyKey: 'sc4-r2' });
    const balance = await getBalance(ledger, 'sc4');
    const reissued = balance.lots.find((lot) => lot.lotId !== bought.lotId);
    expect(reissued).toMatchObject({ kind: 'promotional', remaining: c('5'), products: ['vm'] });
    expect(balance.scoped).toEqual([{ products: ['vm'], remaining: c('5') }]);
    expect(balance.lots.find((lot) => lot.lotId === bought.lotId)?.remaining).toBe(c('5'));
    await expectInvariants(ledger, 'sc4', { expiriesApplied: true });
  });

  it('is refused when its scope is empty', async () => {
    const { ledger } = await newLedger();
    await expect(grant(ledger, 'sc5', '5', [])).rejects.toThrow('products, when given, names at least one product');
    expect(await accountItems(ledger.table, 'sc5')).toEqual([]);
  });
});

describe('usage by product', () => {
  it('reads one rollup item per bucket plus the account item, whatever the number of charges', async () => {
    const { ledger, clock } = await newLedger();
    await buyCredits(ledger, 'u1', c('1000'));
    const vm = await paid(ledger, 'u1', '1', 'vm');
    for (let i = 0; i < 20; i += 1) await paid(ledger, 'u1', '2', 'vm');
    await paid(ledger, 'u1', '3', 'inference');
    await refund(ledger, { accountId: 'u1', chargeId: vm.chargeId, amount: c('0.5'), idempotencyKey: 'u1-r' });
    // Nothing is written out during the day: the charges wrote what they always wrote.
    const rollups = async () =>
      (await accountItems(ledger.table, 'u1')).filter((i) => String(i.sk).startsWith('USAGE#')).map((i) => i.sk);
    expect(await rollups()).toEqual([]);

    clock.set(Date.UTC(2026, 1, 1, 0, 5));
    await paid(ledger, 'u1', '4', 'kubernetes');
    expect(await rollups()).toEqual(['USAGE#D#2026-01-31', 'USAGE#M#2026-01']);
    clock.set(Date.UTC(2026, 1, 3, 9));
    await paid(ledger, 'u1', '5');
    expect(await rollups()).toEqual(['USAGE#D#2026-01-31', 'USAGE#D#2026-02-01', 'USAGE#M#2026-01', 'USAGE#M#2026-02']);

    const query = {
      accountId: 'u1',
      fromMs: Date.UTC(2026, 0, 1),
      toMs: Date.UTC(2026, 1, 28),
      groupBy: 'product',
    } as const;
    ledger.table.meter.reset();
    const daily = await usage(ledger, { ...query, granularity: 'day' });
    expect(ledger.table.meter.snapshot().find((r) => r.label === 'usage')?.itemsRead).toBe(1 + 2);
    expect(daily.buckets).toEqual([
      {
        start: '2026-01-31T00:00:00.000Z',
        usage: c('44'),
        refunds: c('0.5'),
        net: c('43.5'),
        byProduct: {
          vm: { usage: c('41'), refunds: c('0.5'), net: c('40.5') },
          inference: { usage: c('3'), refunds: 0, net: c('3') },
        },
      },
      {
        start: '2026-02-01T00:00:00.000Z',
        usage: c('4'),
        refunds: 0,
        net: c('4'),
        byProduct: { kubernetes: { usage: c('4'), refunds: 0, net: c('4') } },
      },
      {
        start: '2026-02-03T00:00:00.000Z',
        usage: c('5'),
        refunds: 0,
        net: c('5'),
        byProduct: { other: { usage: c('5'), refunds: 0, net: c('5') } },
      },
    ]);
    expect(daily.total.byProduct).toEqual({
      vm: { usage: c('41'), refunds: c('0.5'), net: c('40.5') },
      kubernetes: { usage: c('4'), refunds: 0, net: c('4') },
      inference: { usage: c('3'), refunds: 0, net: c('3') },
      other: { usage: c('5'), refunds: 0, net: c('5') },
    });

    ledger.table.meter.reset();
    const monthly = await usage(ledger, { ...query, granularity: 'month' });
    expect(ledger.table.meter.snapshot().find((r) => r.label === 'usage')?.itemsRead).toBe(1 + 2);
    expect(monthly.buckets.map((b) => [b.start, b.net, Object.keys(b.byProduct ?? {})])).toEqual([
      ['2026-01-01T00:00:00.000Z', c('43.5'), ['vm', 'inference']],
      ['2026-02-01T00:00:00.000Z', c('9'), ['kubernetes', 'other']],
    ]);
    expect(monthly.total).toEqual({ ...daily.total, start: monthly.total.start });

    // Without groupBy the buckets are what they were before products.
    const plain = await usage(ledger, { ...query, granularity: 'month', groupBy: undefined });
    expect(plain.buckets[0]).toEqual({
      start: '2026-01-01T00:00:00.000Z',
      usage: c('44'),
      refunds: c('0.5'),
      net: c('43.5'),
    });
  });

  it('answers from the entries of an account older than the rollups, and counts from its next operation', async () => {
    const { ledger, clock } = await newLedger();
    await buyCredits(ledger, 'u2', c('100'));
    await paid(ledger, 'u2', '2', 'vm');
    clock.set(Date.UTC(2026, 1, 1, 10));
    await paid(ledger, 'u2', '3', 'inference');
    const query = {
      accountId: 'u2',
      fromMs: Date.UTC(2026, 0, 1),
      toMs: Date.UTC(2026, 1, 28),
      granularity: 'day',
      groupBy: 'product',
    } as const;
    const expected = await usage(ledger, query);

    // As an account from before the rollups: no counters, no rollup items, entries only.
    for (const item of await accountItems(ledger.table, 'u2'))
      if (String(item.sk).startsWith('USAGE#'))
        await ledger.table.delete({ pk: item.pk as string, sk: item.sk as string });
    await ledger.table.update({ Key: keys.account('u2'), UpdateExpression: 'REMOVE rollupsSince, usageDays' });
    expect(await usage(ledger, query)).toEqual(expected);

    clock.set(Date.UTC(2026, 1, 2, 10));
    await paid(ledger, 'u2', '4', 'vm');
    clock.set(Date.UTC(2026, 1, 3, 10));
    await paid(ledger, 'u2', '1', 'vm');
    const after = await usage(ledger, query);
    expect(after.buckets.map((b) => [b.start.slice(0, 10), b.net])).toEqual([
      ['2026-01-31', c('2')],
      ['2026-02-01', c('3')],
      ['2026-02-02', c('4')],
      ['2026-02-03', c('1')],
    ]);
    expect(after.total.byProduct).toEqual({
      vm: { usage: c('7'), refunds: 0, net: c('7') },
      inference: { usage: c('3'), refunds: 0, net: c('3') },
    });
  });
});

describe('the expiry forecast', () => {
  it('forecasts what expiring credit 30 days of usage leave unspent; the 7-day notice only for it', async () => {
    const { ledger, clock } = await newLedger();
    clock.set(Date.UTC(2026, 0, 1, 12));
    await buyCredits(ledger, 'f1', c('1000'));
    const expiresAtMs = Date.UTC(2026, 1, 20, 12);
    const grantUntil = (amount: string, products?: Product[]) =>
      grantPromotional(ledger, {
        accountId: 'f1',
        amount: c(amount),
        expiresAtMs,
        description: 'Launch',
        ...(products ? { products } : {}),
      });
    const promo = await grantUntil('100');
    const k8s = await grantUntil('50', ['kubernetes']);
    // 2.00 of VM usage a day, from the promotional credit (it expires first), never the Kubernetes credit.
    const day = async (date: number) => {
      clock.set(date);
      await paid(ledger, 'f1', '2', 'vm');
    };
    for (let d = 2; d <= 31; d += 1) await day(Date.UTC(2026, 0, d, 12));

    const balance = await getBalance(ledger, 'f1');
    expect(balance.expiringSoon.map((lot) => [lot.lotId, lot.remaining, lot.forecastUnused])).toEqual([
      [k8s.lotId, c('50'), c('50')],
      [promo.lotId, c('40'), 0],
    ]);
    // The 30-day notice always goes, for both.
    expect(await expireDueLots(ledger, 'f1')).toMatchObject({ notices: 2 });

    for (let d = 1; d <= 13; d += 1) await day(Date.UTC(2026, 1, d, 12));
    // 7 days before: 14.00 of the promotional credit is left and a week of usage takes it all.
    expect((await lotRemaining(ledger, 'f1'))[promo.lotId]).toBe(c('14'));
    expect(await expireDueLots(ledger, 'f1')).toMatchObject({ notices: 1 });
    const expiring = (await listNotifications(ledger, 'f1')).filter((n) => n.type === 'credits_expiring');
    expect(expiring.map((n) => n.message)).toEqual([
      '50.00 credits expire within 7 days: 50.00 on 2026-02-20. At your current usage 50.00 of it will go unused.',
      '90.00 credits expire within 30 days: 50.00 on 2026-02-20, 40.00 on 2026-02-20.',
    ]);
    // Each lot's 7-day notice was decided once: nothing more the next day.
    clock.advance(DAY_MS);
    expect(await expireDueLots(ledger, 'f1')).toMatchObject({ notices: 0 });
  });

  it('is what the lot holds when there is no usage to forecast from', async () => {
    const { ledger } = await newLedger();
    const promo = await grant(ledger, 'f2', '25', undefined, 20);
    const { expiringSoon } = await getBalance(ledger, 'f2');
    expect(expiringSoon).toEqual([expect.objectContaining({ lotId: promo.lotId, forecastUnused: c('25') })]);
  });
});

describe('over HTTP', () => {
  let api: Api;
  let service: string;
  let admin: string;
  beforeAll(async () => {
    api = await startApi();
    [service, admin] = await Promise.all([
      api.token('deployments', 'credits:service'),
      api.token('finance', 'credits:admin'),
    ]);
  });
  let keyed = 0;
  const post = (path: string, token: string, body: unknown) =>
    api.call('POST', path, { token, body, headers: { 'idempotency-key': `http-${++keyed}` } });
  const expectProblem = (response: { status: number; body: any }, status: number) => {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.body).toMatchObject({ status, code: 'invalid_request', detail: expect.any(String) });
  };

  it('charges, grants, check, balance, transactions and usage speak products', async () => {
    const user = await api.token('hp1');
    const granted = await post('/admin/accounts/hp1/grants', admin, {
      amount: '20',
      description: 'Inference launch',
      products: ['inference', 'vm', 'inference'],
    });
    expect(granted.status).toBe(201);
    expect(granted.body.products).toEqual(['vm', 'inference']);
    await buyCredits(api.ledger, 'hp1', c('10'));

    const charged = await post('/credits/charges', service, {
      accountId: 'hp1',
      deploymentId: 'dep-inf-1',
      product: 'inference',
      projectId: 'proj.alpha',
      amount: '12.5',
    });
    expect(charged.status).toBe(201);
    expect(
      (await post('/credits/charges', service, { accountId: 'hp1', deploymentId: 'dep-2', amount: '1' })).status,
    ).toBe(201);

    const balance = await api.call('GET', '/credits/balance', { token: user });
    expect(balance.body).toMatchObject({
      balance: '16.50',
      withdrawable: '9.00',
      scoped: [{ products: ['vm', 'inference'], remaining: '7.50' }],
    });
    expect((await api.call('GET', '/credits/check?amount=8&product=vm', { token: user })).body).toEqual({
      amount: '8.00',
      product: 'vm',
      available: '16.50',
      balance: '16.50',
      sufficient: true,
      withinAllowance: true,
      shortfall: '0.00',
    });
    expect((await api.call('GET', '/credits/check?amount=10&product=baremetal', { token: user })).body).toMatchObject({
      available: '9.00',
      sufficient: false,
      shortfall: '1.00',
    });

    const log = await api.call('GET', '/credits/transactions?product=inference', { token: user });
    expect(log.body.items).toEqual([
      expect.objectContaining({
        type: 'usage',
        amount: '-12.50',
        product: 'inference',
        deploymentId: 'dep-inf-1',
        projectId: 'proj.alpha',
        paidFrom: [{ lotId: granted.body.lotId, kind: 'promotional', amount: '12.50' }],
        allowance: '0.00',
      }),
    ]);
    const csv = await api.call('GET', '/credits/transactions?format=csv&product=inference', { token: user });
    expect(csv.text.trim().split('\n')[1]).toMatch(new RegExp(`,inference,dep-inf-1,${granted.body.lotId}:12\\.50$`));

    const grouped = await api.call('GET', '/credits/usage?from=2026-01-01&to=2026-01-31&groupBy=product', {
      token: user,
    });
    expect(grouped.body.total).toEqual({
      usage: '13.50',
      refunds: '0.00',
      net: '13.50',
      byProduct: {
        inference: { usage: '12.50', refunds: '0.00', net: '12.50' },
        other: { usage: '1.00', refunds: '0.00', net: '1.00' },
      },
    });
    expect(grouped.body.buckets).toHaveLength(1);
  });

  it('refuses what is not in the catalog or not a scope, changing nothing', async () => {
    const user = await api.token('hp2');
    await buyCredits(api.ledger, 'hp2', c('10'));
    const before = await wholeTable(api.ledger.table);
    const charge = (extra: object) =>
      post('/credits/charges', service, { accountId: 'hp2', deploymentId: 'dep', amount: '1', ...extra });
    expectProblem(await charge({ product: 'gpu' }), 400);
    expectProblem(await charge({ product: 'VM' }), 400);
    expectProblem(await charge({ projectId: '' }), 400);
    expectProblem(await charge({ projectId: 'has space' }), 400);
    expectProblem(await charge({ projectId: 'p'.repeat(129) }), 400);
    const grant = (products: unknown) =>
      post('/admin/accounts/hp2/grants', admin, { amount: '5', description: 'Launch', products });
    expectProblem(await grant([]), 400);
    expectProblem(await grant(['gpu']), 400);
    expectProblem(await grant('vm'), 400);
    expectProblem(await api.call('GET', '/credits/check?amount=1&product=gpu', { token: user }), 400);
    expectProblem(await api.call('GET', '/credits/transactions?product=gpu', { token: user }), 400);
    expectProblem(await api.call('GET', '/credits/usage?groupBy=deployment', { token: user }), 400);
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });
});
