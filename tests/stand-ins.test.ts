// The local providers' stand-ins: every payment taken through the local checkout, and every refund
// and dispute made at the Stripe stand-in, kept and answered by the providers' list calls, which
// the reconciliation adapters read exactly as they read Stripe and Spherepay.

import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance, getPurchase } from '../core/index.js';
import type { PaymentsSource } from '../core/reconcile/port.js';
import { SpherepayActivity } from '../core/reconcile/spherepay.js';
import { StripeActivity } from '../core/reconcile/stripe.js';
import { LocalCheckout, standInsOf } from '../functions/local/local-providers.js';
import { localPaymentsSources, ProviderStandIns } from '../functions/local/provider-stand-ins.js';
import { StandInStores } from '../functions/local/stand-in-store.js';
import { type Api, startApi } from './support/api.js';
import { c, T0 } from './support/ledger.js';

let api: Api;
let admin: string;
let buyers = 0;
const fresh = () => `stand-in-buyer-${++buyers}`;
const PERIOD = { fromMs: T0 - 3_600_000, toMs: T0 + 86_400_000 };

beforeAll(async () => {
  api = await startApi();
  admin = await api.token('finance', 'credits:admin');
});
afterAll(async () => {
  await api.server.close();
  api.jobs.stop();
});

const standIns = () => standInsOf(api.payments)!;
const source = (provider: 'stripe' | 'spherepay'): PaymentsSource =>
  api.runtime.paymentsSources!.find((s) => s.provider === provider)!;

async function buy(method: 'card' | 'usdc', amount: string, pay: { notify?: boolean } = {}) {
  const buyer = fresh();
  const token = await api.token(buyer);
  const created = await api.call('POST', '/credits/purchases', { token, body: { amount, method } });
  expect(created.status, created.text).toBe(201);
  const query = pay.notify === false ? '?notify=false' : '';
  const paid = await fetch(`${api.url}/local/checkout/${created.body.purchaseId}/pay${query}`, { method: 'POST' });
  expect(paid.status, await paid.text()).toBe(200);
  return { buyer, token, purchaseId: created.body.purchaseId as string };
}

/** A list call to the Stripe stand-in, as any HTTP client makes it. */
async function stripeList(path: string, query = '') {
  const response = await fetch(`${standIns().url()}${path}?${query}`, {
    headers: { authorization: 'Bearer sk_test_any' },
  });
  return { status: response.status, body: (await response.json()) as any };
}

describe('the Stripe stand-in keeps what the local checkout took', () => {
  it("lists a paid card purchase as Stripe lists a charge, with the purchase in the charge's metadata", async () => {
    const { buyer, purchaseId } = await buy('card', '12.34');
    expect((await getPurchase(api.ledger, buyer, purchaseId)).status).toBe('completed');

    const charges = await stripeList('/v1/charges', 'limit=100&expand[]=data.balance_transaction');
    expect(charges.status).toBe(200);
    expect(charges.body).toMatchObject({ object: 'list', url: '/v1/charges', has_more: false });
    const charge = charges.body.data.find((ch: any) => ch.metadata.purchaseId === purchaseId);
    expect(charge).toMatchObject({
      object: 'charge',
      amount: 1234,
      amount_captured: 1234,
      currency: 'usd',
      status: 'succeeded',
      created: Math.floor(T0 / 1000),
      metadata: { purchaseId, accountId: buyer },
      balance_transaction: { object: 'balance_transaction', fee: 66, amount: 1234, net: 1168 },
    });
    expect(charge.id).toMatch(/^ch_/);
    expect(charge.balance_transaction.id).toMatch(/^txn_/);
    expect(standIns().requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v1/charges',
      query: { limit: '100', 'expand[]': 'data.balance_transaction' },
    });
    // Paying the same checkout again takes nothing more: a session is paid once.
    await fetch(`${api.url}/local/checkout/${purchaseId}/pay`, { method: 'POST' });
    const again = await stripeList('/v1/charges', 'limit=100');
    expect(again.body.data.filter((ch: any) => ch.metadata.purchaseId === purchaseId)).toHaveLength(1);
  });

  it('with notify=false takes the payment, sends no webhook: the purchase stays pending, and is listed', async () => {
    const { buyer, purchaseId } = await buy('card', '20.00', { notify: false });
    expect((await getPurchase(api.ledger, buyer, purchaseId)).status).toBe('pending');
    expect((await getBalance(api.ledger, buyer)).balance).toBe(0);

    const activity = await source('stripe').activity(PERIOD);
    expect(activity.payments.find((p) => p.purchaseId === purchaseId)).toEqual({
      provider: 'stripe',
      paymentId: expect.stringMatching(/^ch_/),
      purchaseId,
      accountId: buyer,
      amount: c('20.00'),
      fee: c('0.88'),
      createdAtMs: T0,
    });
  });

  it('offers the payment without the webhook on the checkout page', async () => {
    const buyer = fresh();
    const created = await api.call('POST', '/credits/purchases', {
      token: await api.token(buyer),
      body: { amount: '5.00', method: 'card' },
    });
    const html = await (await fetch(created.body.checkoutUrl)).text();
    expect(html).toContain(`action="/local/checkout/${created.body.purchaseId}/pay?notify=false"`);
  });

  it('refuses a notify that is neither true nor false, and keeps nothing', async () => {
    const buyer = fresh();
    const created = await api.call('POST', '/credits/purchases', {
      token: await api.token(buyer),
      body: { amount: '5.00', method: 'card' },
    });
    const before = standIns().stores.stripe.charges.length;
    const refused = await fetch(`${api.url}/local/checkout/${created.body.purchaseId}/pay?notify=no`, {
      method: 'POST',
    });
    expect(refused.status).toBe(400);
    expect(standIns().stores.stripe.charges).toHaveLength(before);
  });
});

describe('refunds and disputes made at the Stripe stand-in', () => {
  it('a refund is listed and, notified, reverses the purchase', async () => {
    const { buyer, purchaseId } = await buy('card', '30.00');
    const refund = await api.call('POST', '/local/providers/stripe/refunds', {
      token: admin,
      body: { purchaseId, amount: '10.00' },
    });
    expect(refund.status, refund.text).toBe(201);
    expect(refund.body).toMatchObject({ object: 'refund', purchaseId, amount: '10.00', webhook: { status: 200 } });
    expect(refund.body.id).toMatch(/^re_/);
    expect((await getBalance(api.ledger, buyer)).balance).toBe(c('20.00'));

    const refunds = await stripeList('/v1/refunds', 'limit=100&expand[]=data.charge');
    const listed = refunds.body.data.find((r: any) => r.id === refund.body.id);
    expect(listed).toMatchObject({ object: 'refund', amount: 1000, status: 'succeeded', currency: 'usd' });
    expect(listed.charge.metadata.purchaseId).toBe(purchaseId);

    const activity = await source('stripe').activity(PERIOD);
    expect(activity.reversals.find((r) => r.reversalId === refund.body.id)).toEqual({
      provider: 'stripe',
      kind: 'refund',
      reversalId: refund.body.id,
      paymentId: listed.charge.id,
      purchaseId,
      amount: c('10.00'),
      createdAtMs: T0,
      status: 'succeeded',
    });
  });

  it('a refund without the webhook is listed but leaves the ledger as it was', async () => {
    const { buyer, purchaseId } = await buy('card', '15.00');
    const refund = await api.call('POST', '/local/providers/stripe/refunds', {
      token: admin,
      body: { purchaseId, notify: false },
    });
    expect(refund.status, refund.text).toBe(201);
    expect(refund.body).toMatchObject({ amount: '15.00', webhook: null });
    expect((await getPurchase(api.ledger, buyer, purchaseId)).status).toBe('completed');
    expect((await getBalance(api.ledger, buyer)).balance).toBe(c('15.00'));
    const activity = await source('stripe').activity(PERIOD);
    expect(activity.reversals.find((r) => r.reversalId === refund.body.id)).toMatchObject({
      purchaseId,
      amount: c('15.00'),
    });
    // Nothing is left to refund; a refund past it is refused and keeps nothing.
    const count = standIns().stores.stripe.reversals.length;
    const again = await api.call('POST', '/local/providers/stripe/refunds', {
      token: admin,
      body: { purchaseId, amount: '0.01' },
    });
    expect(again.status).toBe(409);
    expect(standIns().stores.stripe.reversals).toHaveLength(count);
  });

  it('a dispute is listed, notified, and one per charge', async () => {
    const { buyer, purchaseId } = await buy('card', '40.00');
    const dispute = await api.call('POST', '/local/providers/stripe/disputes', { token: admin, body: { purchaseId } });
    expect(dispute.status, dispute.text).toBe(201);
    expect(dispute.body).toMatchObject({ object: 'dispute', amount: '40.00', webhook: { status: 200 } });
    expect(dispute.body.id).toMatch(/^dp_/);
    expect((await getPurchase(api.ledger, buyer, purchaseId)).status).toBe('reversed');
    const disputes = await stripeList('/v1/disputes', 'limit=100');
    expect(disputes.body.data.find((d: any) => d.id === dispute.body.id)).toMatchObject({
      object: 'dispute',
      amount: 4000,
      status: 'needs_response',
    });
    const second = await api.call('POST', '/local/providers/stripe/disputes', { token: admin, body: { purchaseId } });
    expect(second.status).toBe(409);
  });

  it('refuses what is not a refund of a payment the stand-in took', async () => {
    const { purchaseId: unpaid } = await (async () => {
      const created = await api.call('POST', '/credits/purchases', {
        token: await api.token(fresh()),
        body: { amount: '5.00', method: 'card' },
      });
      return { purchaseId: created.body.purchaseId as string };
    })();
    const { purchaseId, token } = await buy('card', '5.00');
    const count = standIns().stores.stripe.reversals.length;
    const tries: [string | undefined, unknown, number][] = [
      [admin, { purchaseId: unpaid }, 404],
      [admin, { purchaseId, amount: '5.01' }, 409],
      [admin, { purchaseId, amount: '0.001' }, 400],
      [admin, { purchaseId, amount: '-1.00' }, 400],
      [admin, { purchaseId: 'pu_nope' }, 400],
      [admin, { purchaseId, extra: true }, 400],
      [token, { purchaseId }, 403],
      [undefined, { purchaseId }, 401],
    ];
    for (const [who, body, status] of tries) {
      const answer = await api.call('POST', '/local/providers/stripe/refunds', {
        ...(who ? { token: who } : {}),
        body,
      });
      expect(answer.status, `${JSON.stringify(body)}: ${answer.text}`).toBe(status);
    }
    expect(standIns().stores.stripe.reversals).toHaveLength(count);
  });
});

describe("auto top-up's off-session charges", () => {
  it('a top-up on the paying test card is kept as a charge; a declined one takes nothing', async () => {
    const cards = new LocalCheckout('card');
    cards.standIns = new ProviderStandIns(new Set(['stripe']));
    // Its outcome event goes to a server that refuses it: only what the stand-in keeps matters here.
    cards.serverUrl = `${api.url}/nowhere`;
    cards.nowMs = () => T0;
    const topUp = { accountId: 'ada', amount: c('25.00'), customerId: 'cus_local' };
    const paid = await cards.chargeSavedCard({
      ...topUp,
      purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF',
      paymentMethodId: 'pm_card_visa',
    });
    await cards.chargeSavedCard({
      ...topUp,
      purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCG',
      paymentMethodId: 'pm_card_chargeDeclined',
    });
    expect(cards.standIns.stores.stripe.charges).toEqual([
      expect.objectContaining({
        paymentIntent: paid.paymentIntentId,
        amountCents: 2500,
        createdS: T0 / 1000,
        metadata: { autoTopUp: 'true', purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF', accountId: 'ada' },
      }),
    ]);
  });
});

describe('the Spherepay stand-in', () => {
  it("lists a paid USDC purchase, and Spherepay's adapter reads exactly what was paid", async () => {
    const { buyer, purchaseId } = await buy('usdc', '7.77');
    const activity = await source('spherepay').activity(PERIOD);
    expect(activity.payments.find((p) => p.purchaseId === purchaseId)).toEqual({
      provider: 'spherepay',
      paymentId: expect.stringMatching(/^payment_local_/),
      purchaseId,
      accountId: buyer,
      providerRef: (await getPurchase(api.ledger, buyer, purchaseId)).providerRef,
      amount: c('7.77'),
      createdAtMs: T0,
    });
    expect(standIns().requests.at(-1)).toMatchObject({ method: 'GET', path: '/spherepay/v1/payment' });
  });
});

describe('what the stand-ins keep outlives their server', () => {
  it('a store read again from its folder lists the same payments, refunds and disputes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stand-ins-'));
    try {
      const first = new ProviderStandIns(new Set(['stripe', 'spherepay']), dir);
      const [charge] = first.stores.stripe.seed([
        { purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF', accountId: 'ada', amount: c('9.99'), createdAtMs: T0 },
      ]);
      first.stores.stripe.refund('pu_01KG9YS7G0B9EM6WWH1PNE2SCF', c('1.00'), T0 + 1000);
      first.stores.spherepay.seed([{ purchaseId: 'pu_x', amount: c('3.000001'), createdAtMs: T0 }]);
      await first.listen();
      const before = await localPaymentsSources(first, {})[0]!.activity(PERIOD);
      await first.close();

      const second = new ProviderStandIns(new Set(['stripe', 'spherepay']), dir);
      await second.listen();
      const sources = localPaymentsSources(second, {});
      const after = await sources.find((s) => s.provider === 'stripe')!.activity(PERIOD);
      expect(after).toEqual(before);
      expect(after.payments.map((p) => [p.paymentId, p.amount])).toEqual([[charge!.id, c('9.99')]]);
      expect(after.reversals.map((r) => r.amount)).toEqual([c('1.00')]);
      const usdc = await sources.find((s) => s.provider === 'spherepay')!.activity(PERIOD);
      expect(usdc.payments.map((p) => p.amount)).toEqual([c('3.000001')]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a torn last line (the server stopped while writing) is dropped, and the next write starts a line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'stand-ins-'));
    try {
      const stores = new StandInStores(dir);
      stores.stripe.seed([{ purchaseId: 'pu_a', amount: c('1.00'), createdAtMs: T0 }]);
      const file = join(dir, 'stripe.jsonl');
      appendFileSync(file, '{"type":"charge","id":"ch_tor');
      const reopened = new StandInStores(dir);
      expect(reopened.stripe.charges).toHaveLength(1);
      reopened.stripe.seed([{ purchaseId: 'pu_b', amount: c('2.00'), createdAtMs: T0 }]);
      expect(new StandInStores(dir).stripe.charges.map((ch) => ch.amountCents)).toEqual([100, 200]);
      // A broken line before the last is not a torn write: the store refuses to start.
      writeFileSync(file, `{"type":"charge"\n${readFileSync(file, 'utf8')}`);
      expect(() => new StandInStores(dir)).toThrow(/stripe.jsonl:1 is not JSON/);
      writeFileSync(file, `{"type":"charge","id":"ch_x","amountCents":12.5}\n`);
      expect(() => new StandInStores(dir)).toThrow(/stripe.jsonl:1 is not a stand-in record/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the reconciliation adapters read the stand-ins at scale', () => {
  it('10,000 charges seeded in one write are read back, every one, to the micro-credit', async () => {
    const standIn = new ProviderStandIns(new Set(['stripe', 'spherepay']));
    const day = { fromMs: Date.UTC(2026, 1, 1), toMs: Date.UTC(2026, 1, 2) };
    const count = 10_000;
    const seeded = standIn.stores.stripe.seed(
      Array.from({ length: count }, (_, i) => ({
        purchaseId: `pu_seed_${i}`,
        accountId: `acct-${i % 97}`,
        amount: c(`${5 + (i % 500)}.${String(i % 100).padStart(2, '0')}`),
        createdAtMs: day.fromMs + Math.floor((i * 86_400_000) / count),
      })),
    );
    standIn.stores.spherepay.seed(
      Array.from({ length: 1_000 }, (_, i) => ({
        purchaseId: `pu_usdc_${i}`,
        amount: c(`1.${String(i).padStart(6, '0')}`),
        createdAtMs: day.fromMs + i * 1000,
      })),
    );
    await standIn.listen();
    try {
      const started = performance.now();
      const stripe = await new StripeActivity({
        secretKey: 'sk_test_local',
        endpoint: { host: '127.0.0.1', port: Number(new URL(standIn.url()!).port), protocol: 'http' },
        limits: { ratePerSecond: 1_000, burst: 100 },
      }).activity(day);
      const stripeMs = performance.now() - started;
      const usdc = await new SpherepayActivity({
        apiKey: 'local',
        baseUrl: `${standIn.url()}/spherepay/v1`,
        limits: { ratePerSecond: 1_000, burst: 100 },
      }).activity(day);

      expect(stripe.payments).toHaveLength(count);
      expect(stripe.calls).toBe(100 + 1 + 1);
      const total = (amounts: number[]) => amounts.reduce((sum, amount) => sum + amount, 0);
      expect(total(stripe.payments.map((p) => p.amount))).toBe(total(seeded.map((ch) => ch.amountCents * 10_000)));
      expect(new Set(stripe.payments.map((p) => p.purchaseId)).size).toBe(count);
      expect(usdc.payments).toHaveLength(1_000);
      expect(usdc.calls).toBe(10);
      expect(total(usdc.payments.map((p) => p.amount))).toBe(1_000 * 1_000_000 + (999 * 1_000) / 2);
      console.log(`stand-in read: ${count} charges in ${stripe.calls} calls, ${Math.round(stripeMs)} ms`);
    } finally {
      await standIn.close();
    }
  });
});
