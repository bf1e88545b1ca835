// Buying credits and the providers' webhooks, over HTTP through the local server: Stripe events
// in Stripe's shapes signed with the SDK's helper, Spherepay events signed as SPEC §5 says. Each
// test asserts the ledger behind the answer.

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { charge, getBalance, getPurchase, grantPromotional, type Micros, type Purchase } from '../core/index.js';
import { spherepaySignature } from '../core/payments/spherepay.js';
import { type Api, startApi } from './support/api.js';
import { c, expectInvariants, snapshot, wholeTable } from './support/ledger.js';
import { pendingPurchase } from './support/route-samples.js';
import {
  disputeEvent,
  paymentIntentOf,
  refundEvent,
  type SessionEventType,
  sessionEvent,
  signStripe,
} from './support/stripe-events.js';

let api: Api;
let accounts = 0;
const fresh = () => `buyer-${++accounts}`;

beforeAll(async () => {
  api = await startApi();
});

function postStripe(event: object, options: { secret?: string; timestamp?: number; body?: string } = {}) {
  const body = options.body ?? JSON.stringify(event);
  const signature = signStripe(body, options.secret ?? api.payments.webhookSecrets.stripe!, options.timestamp);
  return api.call('POST', '/webhooks/stripe', {
    rawBody: body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  });
}

function postSpherepay(event: object, options: { secret?: string; body?: string } = {}) {
  const body = options.body ?? JSON.stringify(event);
  return api.call('POST', '/webhooks/spherepay', {
    rawBody: body,
    headers: {
      'content-type': 'application/json',
      signature: spherepaySignature(body, options.secret ?? api.payments.webhookSecrets.spherepay!),
    },
  });
}

const session = (type: SessionEventType, purchase: Purchase, options?: Parameters<typeof sessionEvent>[2]) =>
  postStripe(sessionEvent(type, purchase, options));

async function balanceOf(accountId: string): Promise<Micros> {
  return (await getBalance(api.ledger, accountId)).balance;
}

function expectProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body.code).toBe(code);
}

describe('POST /credits/purchases', () => {
  it('creates a pending purchase with a checkout URL, and GET shows it', async () => {
    const buyer = fresh();
    const token = await api.token(buyer);
    const created = await api.call('POST', '/credits/purchases', { token, body: { amount: '20.00', method: 'card' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      purchaseId: expect.stringMatching(/^pu_/),
      status: 'pending',
      amount: '20.00',
      method: 'card',
      checkoutUrl: `${api.url}/local/checkout/${created.body.purchaseId}`,
    });
    const read = await api.call('GET', `/credits/purchases/${created.body.purchaseId}`, { token });
    expect(read.body).toMatchObject({
      purchaseId: created.body.purchaseId,
      status: 'pending',
      amount: '20.00',
      method: 'card',
    });
    expectProblem(
      await api.call('GET', `/credits/purchases/${created.body.purchaseId}`, { token: await api.token(fresh()) }),
      404,
      'not_found',
    );
    expect(await balanceOf(buyer)).toBe(0);
  });

  it.each<[Record<string, string>, string]>([
    [{ amount: '4.99', method: 'card' }, 'below the 5.00 minimum'],
    [{ amount: '10000.01', method: 'card' }, 'above the 10,000.00 maximum'],
    [{ amount: '5.001', method: 'card' }, 'not whole cents'],
    [{ amount: '20', method: 'paypal' }, 'an unknown method'],
    [{ amount: '20' }, 'no method'],
  ])('refuses %j (%s) with 400 and stores nothing', async (body) => {
    const buyer = fresh();
    const before = await wholeTable(api.ledger.table);
    expectProblem(
      await api.call('POST', '/credits/purchases', { token: await api.token(buyer), body }),
      400,
      'invalid_request',
    );
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });

  it('a retry with the same Idempotency-Key gets the same purchase and checkout', async () => {
    const token = await api.token(fresh());
    const send = () =>
      api.call('POST', '/credits/purchases', {
        token,
        body: { amount: '50.00', method: 'usdc' },
        headers: { 'idempotency-key': 'buy-50' },
      });
    const [first, again] = [await send(), await send()];
    expect(again.body).toEqual(first.body);
  });

  it('answers 502 when the provider fails, and a retry with the same key then succeeds', async () => {
    const buyer = fresh();
    const token = await api.token(buyer);
    const real = api.payments.checkout.card!;
    api.payments.checkout.card = {
      name: 'stripe',
      createCheckout: () => Promise.reject(new (class extends Error {})('connection reset')),
    } as never;
    const send = () =>
      api.call('POST', '/credits/purchases', {
        token,
        body: { amount: '30.00', method: 'card' },
        headers: { 'idempotency-key': 'flaky' },
      });
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const refused = await send();
      expectProblem(refused, 502, 'provider_unavailable');
      // The buyer reads a generic detail; what the provider said is in the log, as the cause.
      expect(refused.body.detail).toBe(
        'the card checkout could not be created; retrying with the same Idempotency-Key is safe',
      );
      expect(refused.text).not.toContain('connection reset');
      const line = JSON.parse(String(logged.mock.calls.at(-1)![0])) as {
        code: string;
        error: { cause: { message: string } };
      };
      expect(line).toMatchObject({ code: 'provider_unavailable', error: { cause: { message: 'connection reset' } } });
    } finally {
      api.payments.checkout.card = real;
      logged.mockRestore();
    }
    const retried = await send();
    expect(retried.status).toBe(201);
    expect(retried.body.checkoutUrl).toContain(retried.body.purchaseId);
    expect((await snapshot(api.ledger.table, buyer)).state.lots).toEqual([]);
  });
});

describe('Stripe webhooks', () => {
  it(
    'a paid Checkout Session credits exactly the amount paid, as a purchased lot for 12 months, and ' + 'notifies',
    async () => {
      const buyer = fresh();
      const purchase = await pendingPurchase(api, buyer, 'card', 20);
      const response = await session('checkout.session.completed', purchase);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ received: true, handled: 'payment', effect: 'credited' });

      expect(await balanceOf(buyer)).toBe(c('20'));
      const stored = await getPurchase(api.ledger, buyer, purchase.purchaseId);
      expect(stored).toMatchObject({
        status: 'completed',
        paidAmount: c('20'),
        paymentRef: `pi_${purchase.purchaseId.slice(3)}`,
      });
      const balance = await api.call('GET', '/credits/balance', { token: await api.token(buyer) });
      expect(balance.body.lots).toEqual([
        expect.objectContaining({
          lotId: stored.lotId,
          kind: 'purchased',
          amount: '20.00',
          withdrawable: true,
          expiresAt: '2027-01-31T12:00:00.000Z',
        }),
      ]);
      const notifications = await api.call('GET', '/notifications', { token: await api.token(buyer) });
      expect(notifications.body.items.map((n: any) => n.type)).toContain('purchase_completed');
      const snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
      expect(snap.entries.map((e) => [e.type, e.reference])).toEqual([['purchase', purchase.purchaseId]]);
    },
  );

  it('credits what Stripe reports as paid, even when it differs from what was asked', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'card', 20);
    await session('checkout.session.completed', purchase, { cents: 1850 });
    expect(await balanceOf(buyer)).toBe(c('18.50'));
  });

  it('the same event delivered five times at once credits once', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'card', 40);
    const event = sessionEvent('checkout.session.completed', purchase);
    const responses = await Promise.all(Array.from({ length: 5 }, () => postStripe(event)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.filter((r) => r.body.effect === 'credited')).toHaveLength(5); // replays answer as the first did
    expect(await balanceOf(buyer)).toBe(c('40'));
    expect((await snapshot(api.ledger.table, buyer)).lots).toHaveLength(1);
  });

  it('async_payment_succeeded before completed: credited once, by whichever says paid first', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'card', 25);
    expect((await session('checkout.session.async_payment_succeeded', purchase)).body.effect).toBe('credited');
    expect((await session('checkout.session.completed', purchase)).body.effect).toBe('none');
    expect(await balanceOf(buyer)).toBe(c('25'));
    await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
  });

  it('completed while the payment is still processing waits for async_payment_succeeded', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'card', 25);
    const unpaid = await session('checkout.session.completed', purchase, { session: { payment_status: 'unpaid' } });
    expect(unpaid.body).toMatchObject({ handled: 'ignored' });
    expect(await balanceOf(buyer)).toBe(0);
    await session('checkout.session.async_payment_succeeded', purchase);
    expect(await balanceOf(buyer)).toBe(c('25'));
  });

  it('expired after completed changes nothing; async_payment_failed fails a pending purchase', async () => {
    const buyer = fresh();
    const paid = await pendingPurchase(api, buyer, 'card', 10);
    await session('checkout.session.completed', paid);
    expect((await session('checkout.session.expired', paid)).body.effect).toBe('none');
    expect((await getPurchase(api.ledger, buyer, paid.purchaseId)).status).toBe('completed');

    const failing = await pendingPurchase(api, buyer, 'card', 10);
    expect((await session('checkout.session.async_payment_failed', failing)).body.effect).toBe('failed');
    const expiring = await pendingPurchase(api, buyer, 'card', 10);
    expect((await session('checkout.session.expired', expiring)).body.effect).toBe('expired');
    const read = await api.call('GET', `/credits/purchases/${failing.purchaseId}`, { token: await api.token(buyer) });
    expect(read.body.status).toBe('failed');
    expect(await balanceOf(buyer)).toBe(c('10'));
  });

  it('new credit pays the debt first, then settles pending charges oldest first', async () => {
    const buyer = fresh();
    const first = await pendingPurchase(api, buyer, 'card', 5);
    await session('checkout.session.completed', first);
    const onAllowance = await charge(api.ledger, {
      accountId: buyer,
      deploymentId: 'a',
      amount: c('12'),
      idempotencyKey: 'a',
    });
    expect(onAllowance.status).toBe('paid');
    const older = await charge(api.ledger, {
      accountId: buyer,
      deploymentId: 'b',
      amount: c('20'),
      idempotencyKey: 'b',
    });
    const newer = await charge(api.ledger, {
      accountId: buyer,
      deploymentId: 'c',
      amount: c('30'),
      idempotencyKey: 'c',
    });
    expect([older.status, newer.status]).toEqual(['pending_payment', 'pending_payment']);

    const second = await pendingPurchase(api, buyer, 'card', 25);
    await session('checkout.session.completed', second);
    // 25 in: 7 repays the debt, 18 left pays the older 20 using 2 of the allowance; the newer 30 can not fit.
    const snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
    expect(snap.state.pending.map((p) => p.chargeId)).toEqual([newer.chargeId]);
    expect(snap.charges.find((ch) => ch.chargeId === older.chargeId)?.status).toBe('paid');
    expect(await balanceOf(buyer)).toBe(c('-2'));
  });

  it(
    'a card refund takes back the unspent part and turns the spent part into debt, and flags the ' + 'account',
    async () => {
      const buyer = fresh();
      const purchase = await pendingPurchase(api, buyer, 'card', 20);
      await session('checkout.session.completed', purchase);
      await charge(api.ledger, { accountId: buyer, deploymentId: 'd', amount: c('18'), idempotencyKey: 'spend' });

      const partial = await postStripe(refundEvent(purchase, 500));
      expect(partial.body).toMatchObject({ handled: 'reversal', effect: 'reversed' });
      // 5.00 refunded: 2.00 unspent comes off the lot, 3.00 already spent becomes debt.
      let snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
      expect(snap.state.flagged).toBe(true);
      expect(await balanceOf(buyer)).toBe(c('-3'));

      const whole = await postStripe(refundEvent(purchase, 2000));
      expect(whole.body.effect).toBe('reversed');
      expect(await balanceOf(buyer)).toBe(c('-18'));
      const again = await postStripe(refundEvent(purchase, 2000));
      expect(again.body.effect).toBe('none');
      snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
      expect(snap.entries.filter((e) => e.type === 'reversal').map((e) => e.amount)).toEqual([c('-5'), c('-15')]);
      expect(await getPurchase(api.ledger, buyer, purchase.purchaseId)).toMatchObject({
        status: 'reversed',
        reversedAmount: c('20'),
        providerRefunded: c('20'),
      });
    },
  );

  it('a dispute reverses the purchase; the same dispute event twice reverses once', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'card', 30);
    await session('checkout.session.completed', purchase);
    const event = disputeEvent(purchase, 3000);
    expect((await postStripe(event)).body.effect).toBe('reversed');
    expect((await postStripe(event)).body.effect).toBe('reversed');
    expect(await balanceOf(buyer)).toBe(0);
    const snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
    expect(snap.state.flagged).toBe(true);
    expect(snap.entries.map((e) => e.type)).toEqual(['purchase', 'reversal']);
  });

  it(
    'sessions that are not IO Credits purchases are acknowledged and ignored; a refund of a payment never ' +
      'seen is held, not dropped',
    async () => {
      const buyer = fresh();
      const purchase = await pendingPurchase(api, buyer, 'card', 10);
      const before = await wholeTable(api.ledger.table);
      const foreignSession = await session('checkout.session.completed', purchase, {
        session: { client_reference_id: null, metadata: {} },
      });
      expect(foreignSession.body).toMatchObject({ handled: 'ignored' });
      const other = await postStripe({
        ...sessionEvent('checkout.session.completed', purchase),
        type: 'customer.created',
      });
      expect(other.body).toMatchObject({ handled: 'ignored' });
      expect(await wholeTable(api.ledger.table)).toEqual(before);
      // Another product's payment, or one of ours whose completed event has not arrived: kept on
      // the payment's lookup item only, touching no account.
      const unknown = { ...purchase, purchaseId: 'pu_SOMEONEELSE' };
      const refund = refundEvent(unknown, 500);
      expect((await postStripe(refund)).body).toMatchObject({ handled: 'held' });
      expect((await postStripe(refund)).body).toMatchObject({ handled: 'held' });
      const added = (await wholeTable(api.ledger.table)).filter(
        (item) => !before.some((b) => b.pk === item.pk && b.sk === item.sk),
      );
      expect(added).toEqual([
        expect.objectContaining({
          pk: `PAYMENT#stripe#${paymentIntentOf(unknown)}`,
          sk: 'PAYMENT',
          held: [expect.objectContaining({ eventId: refund.id })],
        }),
      ]);
    },
  );

  describe('bad input is refused, logged and changes nothing', () => {
    const cases: [string, (p: Purchase) => Promise<{ status: number; headers: Headers; body: any }>, number, string][] =
      [
        [
          'a signature made with another secret',
          (p) => postStripe(sessionEvent('checkout.session.completed', p), { secret: 'whsec_not_ours' }),
          400,
          'invalid_request',
        ],
        [
          'a timestamp ten minutes old',
          (p) =>
            postStripe(sessionEvent('checkout.session.completed', p), {
              timestamp: Math.floor(Date.now() / 1000) - 600,
            }),
          400,
          'invalid_request',
        ],
        [
          'no signature',
          (p) =>
            api.call('POST', '/webhooks/stripe', {
              rawBody: JSON.stringify(sessionEvent('checkout.session.completed', p)),
              headers: { 'content-type': 'application/json' },
            }),
          400,
          'invalid_request',
        ],
        [
          'a body changed after signing',
          async (p) => {
            const body = JSON.stringify(sessionEvent('checkout.session.completed', p));
            const signature = signStripe(body, api.payments.webhookSecrets.stripe!);
            return api.call('POST', '/webhooks/stripe', {
              rawBody: body.replace('"amount_total":2000', '"amount_total":200000'),
              headers: { 'content-type': 'application/json', 'stripe-signature': signature },
            });
          },
          400,
          'invalid_request',
        ],
        [
          'a signed body that is not JSON',
          () => postStripe({}, { body: '{"id": "evt_1", "type": ' }),
          400,
          'invalid_request',
        ],
        [
          'a payment in euros',
          (p) => postStripe(sessionEvent('checkout.session.completed', p, { session: { currency: 'eur' } })),
          400,
          'invalid_request',
        ],
        ['a refund in euros', (p) => postStripe(refundEvent(p, 500, { currency: 'eur' })), 400, 'invalid_request'],
        [
          'an IO Credits purchase id that does not exist',
          (p) =>
            postStripe(
              sessionEvent('checkout.session.completed', { ...p, purchaseId: 'pu_01ARZ3NDEKTSV4RRFFQ69G5FAV' }),
            ),
          404,
          'not_found',
        ],
        [
          "an account that is not the purchase's",
          (p) =>
            postStripe(
              sessionEvent('checkout.session.completed', p, { session: { metadata: { accountId: 'someone-else' } } }),
            ),
          400,
          'invalid_request',
        ],
      ];

    it.each(cases)('%s', async (_name, send, status, code) => {
      const purchase = await pendingPurchase(api, fresh(), 'card', 20);
      const before = await wholeTable(api.ledger.table);
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        expectProblem(await send(purchase), status, code);
        const logged = warn.mock.calls.map(
          (args) => JSON.parse(String(args[0])) as { message: string; status: number; route: string },
        );
        expect(logged).toContainEqual(
          expect.objectContaining({ message: 'webhook refused', status, route: 'POST /webhooks/stripe' }),
        );
      } finally {
        warn.mockRestore();
      }
      expect(await wholeTable(api.ledger.table)).toEqual(before);
    });
  });
});

describe('provider events in any order', () => {
  // One card payment of 20.00 with a partial refund (5.00), a second refund bringing the total to
  // 7.00 and a dispute of 8.00. Stripe sends these in any order and may repeat any of them; the
  // ledger must end the same whichever it gets first, and never keep credit the buyer got back.
  type Name = 'completed' | 'refund 5.00' | 'refund to 7.00' | 'dispute 8.00';
  const names: Name[] = ['completed', 'refund 5.00', 'refund to 7.00', 'dispute 8.00'];
  const orders: Name[][] = [];
  const permute = (done: Name[], left: Name[]): void => {
    if (left.length === 0) orders.push(done);
    for (const next of left)
      permute(
        [...done, next],
        left.filter((n) => n !== next),
      );
  };
  permute([], names);

  it.each(orders.map((order) => [order.join(' → '), order] as const))(
    '%s: the same end, each event twice',
    async (_label, order) => {
      const buyer = fresh();
      const purchase = await pendingPurchase(api, buyer, 'card', 20);
      const dispute = disputeEvent(purchase, 800);
      const events: Record<Name, object> = {
        completed: sessionEvent('checkout.session.completed', purchase),
        'refund 5.00': refundEvent(purchase, 500),
        'refund to 7.00': refundEvent(purchase, 700),
        'dispute 8.00': dispute,
      };
      for (const name of order) {
        const first = await postStripe(events[name]);
        const again = await postStripe(events[name]);
        expect([first.status, again.status]).toEqual([200, 200]);
        expect(again.body.handled).toBe(first.body.handled);
      }
      // 20.00 paid, 7.00 refunded and 8.00 disputed: 5.00 left, nothing spent so no debt.
      expect(await balanceOf(buyer)).toBe(c('5'));
      expect(await getPurchase(api.ledger, buyer, purchase.purchaseId)).toMatchObject({
        status: 'reversed',
        paidAmount: c('20'),
        reversedAmount: c('15'),
        providerRefunded: c('7'),
      });
      const snap = await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
      expect(snap.state.flagged).toBe(true);
      expect(snap.entries.filter((e) => e.type === 'purchase').map((e) => e.amount)).toEqual([c('20')]);
      expect(snap.entries.filter((e) => e.type === 'reversal').reduce((t, e) => t + (e.amount as number), 0)).toBe(
        -c('15'),
      );
      expect(snap.lots).toEqual([expect.objectContaining({ amount: c('20'), reversed: c('15') })]);
    },
  );

  it('a refund held for a payment credited later reverses spent credit into debt like any other', async () => {
    const buyer = fresh();
    await grantPromotional(api.ledger, {
      accountId: buyer,
      amount: c('10'),
      expiresAtMs: null,
      description: 'welcome',
    });
    const purchase = await pendingPurchase(api, buyer, 'card', 20);
    expect((await postStripe(refundEvent(purchase, 2000))).body.handled).toBe('held');
    expect(await balanceOf(buyer)).toBe(c('10'));
    expect((await session('checkout.session.completed', purchase)).body).toMatchObject({
      handled: 'payment',
      effect: 'credited',
    });
    expect(await balanceOf(buyer)).toBe(c('10'));
    expect(await getPurchase(api.ledger, buyer, purchase.purchaseId)).toMatchObject({
      status: 'reversed',
      reversedAmount: c('20'),
    });
    await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
  });

  it('a refund held while the payment is being credited is applied by one of the two, once', async () => {
    for (let round = 0; round < 5; round += 1) {
      const buyer = fresh();
      const purchase = await pendingPurchase(api, buyer, 'card', 20);
      const [paid, refunded] = await Promise.all([
        session('checkout.session.completed', purchase),
        postStripe(refundEvent(purchase, 600)),
      ]);
      expect([paid.status, refunded.status]).toEqual([200, 200]);
      expect(await balanceOf(buyer)).toBe(c('14'));
      await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
    }
  });
});

describe('Spherepay webhooks', () => {
  const paymentEvent = (purchase: Purchase, amount: string, overrides: Record<string, unknown> = {}) => ({
    id: `evt_${purchase.purchaseId.slice(3)}`,
    name: 'payment.successful',
    data: {
      payment: {
        id: `payment_${purchase.purchaseId.slice(3)}`,
        status: 'succeeded',
        amount,
        currency: 'usdc',
        paymentLink: { id: purchase.providerRef },
        ...overrides,
      },
    },
  });

  it('payment.successful credits the USDC paid, once however often it arrives', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'usdc', 75);
    const event = paymentEvent(purchase, '75.000000');
    const responses = await Promise.all([postSpherepay(event), postSpherepay(event), postSpherepay(event)]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await balanceOf(buyer)).toBe(c('75'));
    expect((await getPurchase(api.ledger, buyer, purchase.purchaseId)).status).toBe('completed');
    await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
  });

  it('reads an amount sent as a JSON number from its text', async () => {
    const buyer = fresh();
    const purchase = await pendingPurchase(api, buyer, 'usdc', 10);
    const body = JSON.stringify(paymentEvent(purchase, 'AMOUNT')).replace('"AMOUNT"', '10.000001');
    expect((await postSpherepay({}, { body })).status).toBe(200);
    expect(await balanceOf(buyer)).toBe(c('10.000001'));
  });

  it.each([
    ['another secret', (p: Purchase) => postSpherepay(paymentEvent(p, '10'), { secret: 'not-ours' }), 400],
    ['a currency other than USDC', (p: Purchase) => postSpherepay(paymentEvent(p, '10', { currency: 'eth' })), 400],
    [
      'an unknown payment link',
      (p: Purchase) => postSpherepay(paymentEvent(p, '10', { paymentLink: { id: 'paymentLink_unknown' } })),
      404,
    ],
    ['no amount', (p: Purchase) => postSpherepay(paymentEvent(p, '10', { amount: undefined })), 400],
    ['a malformed body', () => postSpherepay({}, { body: 'not json' }), 400],
  ])('refuses %s and changes nothing', async (_name, send, status) => {
    const purchase = await pendingPurchase(api, fresh(), 'usdc', 10);
    const before = await wholeTable(api.ledger.table);
    expect((await send(purchase)).status).toBe(status);
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });
});

describe('the local checkout (npm start without provider keys)', () => {
  it.each(['card', 'usdc'])(
    '%s: create a purchase, follow checkoutUrl, press Pay, and the credit is there',
    async (method) => {
      const buyer = fresh();
      const token = await api.token(buyer);
      const created = await api.call('POST', '/credits/purchases', { token, body: { amount: '12.34', method } });
      const page = await fetch(created.body.checkoutUrl);
      const html = await page.text();
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      expect(action).toBe(`/local/checkout/${created.body.purchaseId}/pay`);

      const paid = await fetch(new URL(action!, created.body.checkoutUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(paid.status).toBe(200);
      expect(await paid.text()).toContain('credited');

      const balance = await api.call('GET', '/credits/balance', { token });
      expect(balance.body.balance).toBe('12.34');
      const transactions = await api.call('GET', '/credits/transactions', { token });
      expect(transactions.body.items).toEqual([
        expect.objectContaining({
          type: 'purchase',
          category: 'Credit Inflow',
          amount: '12.34',
          reference: created.body.purchaseId,
        }),
      ]);
      expect((await api.call('GET', `/credits/purchases/${created.body.purchaseId}`, { token })).body.status).toBe(
        'completed',
      );
      await expectInvariants(api.ledger, buyer, { expiriesApplied: true });
    },
  );
});
