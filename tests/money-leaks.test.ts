// Money leaks found by trying the API as an attacker and as a careless payment provider would.
// Each test here states one leak; it failed before the fix it names and guards it since.

import { beforeAll, describe, expect, it } from 'vitest';
import { charge, check, getBalance, getPurchase, type Micros, requestWithdrawal } from '../core/index.js';
import { spherepaySignature } from '../core/payments/spherepay.js';
import { type Api, startApi } from './support/api.js';
import { c, expectInvariants, wholeTable } from './support/ledger.js';
import { buyCredits, providerDisputes } from './support/purchases.js';
import { pendingPurchase } from './support/route-samples.js';
import { refundEvent, sessionEvent, signStripe } from './support/stripe-events.js';
import { WALLET } from './support/wallet.js';

let api: Api;
let accounts = 0;
const fresh = (prefix = 'leak') => `${prefix}-${++accounts}`;
let keys = 0;
const key = () => `leak-key-${++keys}`;

beforeAll(async () => {
  api = await startApi();
});

function postStripe(event: object) {
  const body = JSON.stringify(event);
  const signature = signStripe(body, api.payments.webhookSecrets.stripe!);
  return api.call('POST', '/webhooks/stripe', {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}

describe('a user can not refund their own usage', () => {
  it('the owner is refused, so the usage can not be turned back into withdrawable credit', async () => {
    const owner = fresh();
    await buyCredits(api.ledger, owner, c('20'));
    const service = await api.token('deployments', 'credits:service');
    const user = await api.token(owner);
    const paid = await api.call('POST', '/credits/charges', {
      token: service,
      body: { deploymentId: 'gpu-1', amount: '20.00', accountId: owner },
      headers: { 'idempotency-key': key() },
    });
    expect(paid.status).toBe(201);

    const refund = await api.call('POST', `/credits/charges/${paid.body.chargeId}/refunds`, {
      token: user,
      body: { amount: '20.00' },
      headers: { 'idempotency-key': key() },
    });
    expect(refund.status, refund.text).toBe(403);
    expect(refund.body.code).toBe('forbidden');
    const withdrawal = await api.call('POST', '/credits/withdrawals', {
      token: user,
      body: {
        amount: '20.00',
        destination: { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' },
      },
    });
    expect(withdrawal.status).not.toBe(201);
    expect((await getBalance(api.ledger, owner)).balance).toBe(0);

    // The deployment system (and finance) still refund.
    const byService = await api.call('POST', `/credits/charges/${paid.body.chargeId}/refunds`, {
      token: service,
      body: { amount: '5.00', accountId: owner },
      headers: { 'idempotency-key': key() },
    });
    expect(byService.status).toBe(201);
    const admin = await api.token('finance', 'credits:admin');
    const byAdmin = await api.call('POST', `/credits/charges/${paid.body.chargeId}/refunds`, {
      token: admin,
      body: { amount: '5.00', accountId: owner },
      headers: { 'idempotency-key': key() },
    });
    expect(byAdmin.status).toBe(201);
    expect((await getBalance(api.ledger, owner)).balance).toBe(c('10'));
    await expectInvariants(api.ledger, owner, { expiriesApplied: true });
  });
});

describe('a provider refund that arrives before its payment', () => {
  it('is kept and applied when the payment arrives, never dropped', async () => {
    const buyer = fresh('early-refund');
    const purchase = await pendingPurchase(api, buyer, 'card', 20);
    const early = await postStripe(refundEvent(purchase, 500));
    expect(early.status).toBe(200);
    const completed = await postStripe(sessionEvent('checkout.session.completed', purchase));
    expect(completed.status).toBe(200);
    expect((await getBalance(api.ledger, buyer)).balance).toBe(c('15'));
    expect(await getPurchase(api.ledger, buyer, purchase.purchaseId)).toMatchObject({
      status: 'reversed',
      reversedAmount: c('5'),
    });
    await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
  });
});

describe('check and charge agree', () => {
  it('after 20 small charges on the allowance, check says no exactly when the charge would not be paid', async () => {
    const owner = fresh('many-debts');
    for (let i = 0; i < 20; i += 1) {
      const result = await charge(api.ledger, {
        accountId: owner,
        deploymentId: `tiny-${i}`,
        amount: c('0.10'),
        idempotencyKey: key(),
      });
      expect(result.status).toBe('paid');
    }
    const answer = await check(api.ledger, owner, c('0.10'));
    const result = await charge(api.ledger, {
      accountId: owner,
      deploymentId: 'tiny-20',
      amount: c('0.10'),
      idempotencyKey: key(),
    });
    expect(answer.withinAllowance).toBe(result.status === 'paid');
  });
});

describe('money the provider confirms is never refused', () => {
  it.each(['card', 'usdc'] as const)(
    'a paid %s purchase on an account holding 200 lots is credited',
    async (method) => {
      const buyer = fresh(`heavy-${method}`);
      for (let i = 0; i < 200; i += 1) {
        await buyCredits(api.ledger, buyer, c('1') as Micros);
      }
      const purchase = await pendingPurchase(api, buyer, method, 50);
      const page = await fetch(`${api.url}/local/checkout/${purchase.purchaseId}/pay`, { method: 'POST' });
      expect(page.status, await page.text()).toBe(200);
      expect((await getPurchase(api.ledger, buyer, purchase.purchaseId)).status).toBe('completed');
      expect((await getBalance(api.ledger, buyer)).balance).toBe(c('250'));
      await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
    },
  );
});

describe('signed but malformed provider events', () => {
  const malformed: [string, (event: Record<string, any>) => Record<string, any>][] = [
    ['data is null', (event) => ({ ...event, data: null })],
    ['data has no object', (event) => ({ ...event, data: {} })],
    // 2,000,000,000.00 USD: a safe integer of cents, over the 1,000,000,000-credit limit.
    [
      'the amount is over the money limit',
      (event) => ({
        ...event,
        data: { object: { ...event.data.object, amount_total: 200_000_000_000, amount_subtotal: 200_000_000_000 } },
      }),
    ],
    // A safe integer of cents whose micro-credits are not.
    [
      'the amount overflows micro-credits',
      (event) => ({ ...event, data: { object: { ...event.data.object, amount_total: 100_000_000_000_000 } } }),
    ],
    [
      'the amount is not a whole number of cents',
      (event) => ({ ...event, data: { object: { ...event.data.object, amount_total: 12.5 } } }),
    ],
  ];

  it.each(malformed)('%s: 400 problem+json, nothing changed', async (_name, edit) => {
    const purchase = await pendingPurchase(api, fresh('malformed'), 'card', 20);
    const before = await wholeTable(api.ledger.table);
    const response = await postStripe(edit(sessionEvent('checkout.session.completed', purchase)));
    expect(response.status, response.text).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });

  it.each(malformed.slice(0, 2))('a refund event where %s: 400, nothing changed', async (_name, edit) => {
    const purchase = await pendingPurchase(api, fresh('malformed'), 'card', 20);
    const before = await wholeTable(api.ledger.table);
    const response = await postStripe(edit(refundEvent(purchase, 500)));
    expect(response.status, response.text).toBe(400);
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });

  it.each<[string, (event: Record<string, any>) => unknown]>([
    ['data is null', (event) => ({ ...event, data: null })],
    ['data has no payment', (event) => ({ ...event, data: {} })],
    [
      'the amount is over the money limit',
      (event) => ({ ...event, data: { payment: { ...event.data.payment, amount: '2000000000.00' } } }),
    ],
  ])('a Spherepay payment where %s: 400, nothing changed', async (_name, edit) => {
    const purchase = await pendingPurchase(api, fresh('malformed'), 'usdc', 20);
    const event = {
      id: `evt_${purchase.purchaseId}`,
      name: 'payment.successful',
      data: {
        payment: { id: 'payment_1', amount: '20.00', currency: 'usdc', paymentLink: { id: purchase.providerRef } },
      },
    };
    const before = await wholeTable(api.ledger.table);
    const body = JSON.stringify(edit(event));
    const response = await api.call('POST', '/webhooks/spherepay', {
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        signature: spherepaySignature(body, api.payments.webhookSecrets.spherepay!),
      },
    });
    expect(response.status, response.text).toBe(400);
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });
});

describe('a withdrawal requested before a card refund or dispute', () => {
  it(
    'is not approved or paid out while the account owes what the provider took back; rejecting it repays that ' +
      'debt',
    async () => {
      const owner = fresh('chargeback');
      const card = await buyCredits(api.ledger, owner, c('100'));
      api.clock.advance(1_000);
      await buyCredits(api.ledger, owner, c('100'), 'spherepay');
      // The withdrawal holds the card lot (it expires first); the USDC lot is then spent on compute.
      const withdrawal = await requestWithdrawal(api.ledger, {
        accountId: owner,
        amount: c('100'),
        destination: WALLET,
      });
      await charge(api.ledger, { accountId: owner, deploymentId: 'gpu', amount: c('100'), idempotencyKey: key() });
      await providerDisputes(api.ledger, card, c('100'));
      expect((await getBalance(api.ledger, owner)).balance).toBe(c('-100'));

      const admin = await api.token('finance', 'credits:admin');
      const approve = await api.call('POST', `/admin/withdrawals/${withdrawal.withdrawalId}/approve`, { token: admin });
      expect(approve.status, approve.text).toBe(409);
      expect(approve.body.detail).toMatch(/owes 100.00/);
      const reject = await api.call('POST', `/admin/withdrawals/${withdrawal.withdrawalId}/reject`, {
        token: admin,
        body: { reason: 'card payment disputed' },
      });
      expect(reject.status).toBe(200);
      expect((await getBalance(api.ledger, owner)).balance).toBe(0);
      await expectInvariants(api.ledger, owner, { expiriesApplied: true });
    },
  );
});
