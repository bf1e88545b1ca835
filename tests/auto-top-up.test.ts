// SPEC §8, auto top-up: a card saved through the (local) setup page, a top-up started in the
// transaction that needs it, one in flight per account, the monthly limit, the PaymentIntent made
// after the commit with the purchase id as idempotency key, `payment_intent.*` events handled once
// each in any order, waiting charges paid inside their grace window, and three failures in a row
// turning it off. Plus the Stripe adapter's requests, against a local stub of Stripe.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { getCharge, listNotifications, type Micros, setAutoTopUp } from '../core/index.js';
import { purchaseFromItem } from '../core/items/purchase-read.js';
import { cardLabel } from '../core/payments/card-label.js';
import { StripeCheckout } from '../core/payments/stripe.js';
import { keys, SK_PREFIX } from '../core/table/keys.js';
import { localIntentEvent } from '../functions/local/local-events.js';
import { LocalCheckout, type LocalTestCard } from '../functions/local/local-providers.js';
import { type Api, startApi } from './support/api.js';
import { c, deploy } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let api: Api;

beforeAll(async () => {
  api = await startApi();
});

const cards = () => api.payments.cards as LocalCheckout;

/** Saves a test card for the account through the local setup page, as a user would. */
async function saveCard(token: string, accountId: string, card: LocalTestCard) {
  const setupUrl = await openCardSetup(token);
  const page = await fetch(setupUrl);
  const text = await page.text();
  expect(text).toContain('Declined card');
  expect(text).toContain(accountId);
  const chosen = await fetch(`${setupUrl}/${card}`, { method: 'POST' });
  expect(chosen.status).toBe(200);
}

/** The setup page the account's own request opens: a session of its own, like Stripe Checkout's. */
async function openCardSetup(token: string): Promise<string> {
  const setup = await api.call('POST', '/credits/auto-top-up/payment-method', { token });
  expect(setup.status).toBe(201);
  expect(setup.body.checkoutUrl).toMatch(new RegExp(`^${api.url}/local/card-setup/cs_local_setup_[0-9a-f]{32}$`));
  return setup.body.checkoutUrl as string;
}

async function enable(token: string, settings: Partial<Record<string, unknown>> = {}) {
  const set = await api.call('PUT', '/credits/auto-top-up', {
    token,
    body: { enabled: true, threshold: '5.00', amount: '20.00', monthlyLimit: '200.00', ...settings },
  });
  expect(set.status, JSON.stringify(set.body)).toBe(200);
  return set.body;
}

const pay = (accountId: string, amount: string) => deploy(api.ledger, accountId, amount);

/** The account's auto top-ups, oldest first. */
async function topUps(accountId: string) {
  const { items } = await api.ledger.table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': SK_PREFIX.purchase },
  });
  return items.map(purchaseFromItem).filter((p) => p.autoTopUp);
}

/** Waits for the in-process queue and the provider events it caused. */
async function settled(check: () => Promise<void>) {
  await vi.waitFor(
    async () => {
      await api.jobs.webhooks.drained();
      await check();
    },
    { timeout: 5_000, interval: 20 },
  );
}

describe('settings', () => {
  it('needs a saved card; a bad setting is a 400 that changes nothing', async () => {
    const token = await api.token('atu-settings');
    const off = await api.call('GET', '/credits/auto-top-up', { token });
    expect(off.body).toEqual({
      accountId: 'atu-settings',
      enabled: false,
      threshold: '10.00',
      amount: '50.00',
      monthlyLimit: '500.00',
      card: null,
      failuresInARow: 0,
      topUpInFlight: false,
      spentThisMonth: '0.00',
    });
    const refused = await api.call('PUT', '/credits/auto-top-up', {
      token,
      body: { enabled: true, threshold: '5.00', amount: '20.00', monthlyLimit: '100.00' },
    });
    expect(refused.status).toBe(409);
    await saveCard(token, 'atu-settings', 'pm_card_visa');
    for (const body of [
      { enabled: true, threshold: '5.00', amount: '4.99', monthlyLimit: '100.00' },
      { enabled: true, threshold: '5.00', amount: '10000.01', monthlyLimit: '20000.00' },
      { enabled: true, threshold: '5.00', amount: '20.001', monthlyLimit: '100.00' },
      { enabled: true, threshold: '10.005', amount: '20.00', monthlyLimit: '100.00' },
      { enabled: true, threshold: '-1.00', amount: '20.00', monthlyLimit: '100.00' },
      { enabled: true, threshold: '5.00', amount: '20.00', monthlyLimit: '100.001' },
      { enabled: true, threshold: '5.00', amount: '50.00', monthlyLimit: '40.00' },
      { enabled: 'yes', threshold: '5.00', amount: '20.00', monthlyLimit: '100.00' },
    ]) {
      const bad = await api.call('PUT', '/credits/auto-top-up', { token, body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    // The rule is the ledger's own, whoever calls it.
    await expect(
      setAutoTopUp(api.ledger, 'atu-settings', {
        enabled: true,
        threshold: c('10.005'),
        amount: c('20'),
        monthlyLimit: c('100'),
      }),
    ).rejects.toThrow('threshold must be whole cents');
    expect((await api.call('GET', '/credits/auto-top-up', { token })).body).toMatchObject({
      enabled: false,
      card: 'Visa •••• 4242',
    });
    expect(await enable(token)).toMatchObject({ enabled: true, amount: '20.00', monthlyLimit: '200.00' });
  });
});

describe('the local card setup', () => {
  it('acts only for the account whose request opened it, and once', async () => {
    const victim = await api.token('atu-victim');
    const attacker = await api.token('atu-attacker');
    await saveCard(victim, 'atu-victim', 'pm_card_visa');
    // Another account's id in the URL is no setup at all: nothing can replace the victim's card.
    for (const path of ['/local/card-setup/atu-victim/pm_card_chargeDeclined', '/local/card-setup/atu-victim']) {
      const forged = await fetch(`${api.url}${path}`, { method: path.endsWith('Declined') ? 'POST' : 'GET' });
      expect(forged.status, path).toBe(404);
    }
    const guessed = await fetch(`${api.url}/local/card-setup/cs_local_setup_${'0'.repeat(32)}/pm_card_visa`, {
      method: 'POST',
    });
    expect(guessed.status).toBe(404);
    // The attacker's own setup saves a card to the attacker's account only, and only once.
    const own = await openCardSetup(attacker);
    expect((await fetch(`${own}/pm_card_chargeDeclined`, { method: 'POST' })).status).toBe(200);
    expect((await fetch(`${own}/pm_card_visa`, { method: 'POST' })).status).toBe(409);
    expect((await api.call('GET', '/credits/auto-top-up', { token: victim })).body.card).toBe('Visa •••• 4242');
    expect((await api.call('GET', '/credits/auto-top-up', { token: attacker })).body.card).toBe('Visa •••• 0002');
  });
});

describe('a charge waiting for credit', () => {
  it('is paid inside its grace window by a top-up made once, whatever order its events come in', async () => {
    const token = await api.token('atu-1');
    await buyCredits(api.ledger, 'atu-1', c('5'));
    await saveCard(token, 'atu-1', 'pm_card_visa');
    await enable(token, { threshold: '1.00', amount: '40.00' });
    const pending = await pay('atu-1', '30'); // 5 - 30 < -10 allowance: it waits
    expect(pending.status).toBe('pending_payment');
    await settled(async () => expect((await getCharge(api.ledger, 'atu-1', pending.chargeId)).status).toBe('paid'));
    const [topUp] = await topUps('atu-1');
    expect(topUp).toMatchObject({
      status: 'completed',
      amount: c('40'),
      providerRef: `pi_local_${topUp!.purchaseId.slice(3)}`,
    });
    expect(await topUps('atu-1')).toHaveLength(1);

    // The same event again, and a failure event for another intent: neither changes anything.
    const again = localIntentEvent(
      { ...topUp!, paymentIntentId: topUp!.providerRef!, failure: null },
      api.payments.webhookSecrets.stripe!,
    );
    const stray = localIntentEvent(
      { ...topUp!, purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF', paymentIntentId: 'pi_other', failure: 'card_declined' },
      api.payments.webhookSecrets.stripe!,
    );
    const answers = [];
    for (const event of [again, stray, again]) {
      const answer = await api.call('POST', event.path, { rawBody: event.body, headers: event.headers });
      answers.push([answer.status, answer.body.code ?? answer.body.handled]);
    }
    // The same event replays what it did; a failure for a purchase that does not exist is refused.
    expect(answers).toEqual([
      [200, 'payment'],
      [404, 'not_found'],
      [200, 'payment'],
    ]);
    const view = await api.call('GET', '/credits/auto-top-up', { token });
    expect(view.body).toMatchObject({ topUpInFlight: false, failuresInARow: 0, spentThisMonth: '40.00' });
    expect((await api.call('GET', '/credits/balance', { token })).body.balance).toBe('15.00');
  });

  it('with a declining card, fails at its deadline, and the user is told why', async () => {
    const token = await api.token('atu-2');
    await buyCredits(api.ledger, 'atu-2', c('5'));
    await saveCard(token, 'atu-2', 'pm_card_chargeDeclined');
    await enable(token, { threshold: '1.00' });
    const pending = await pay('atu-2', '30'); // its top-up is for the 25.00 it is short
    await settled(async () => expect((await topUps('atu-2'))[0]?.status).toBe('failed'));
    const notes = (await listNotifications(api.ledger, 'atu-2')).map((n) => [n.type, n.message]);
    expect(notes).toContainEqual([
      'top_up_failed',
      'The automatic top-up of 25.00 credits failed (card declined): the card was not charged.',
    ]);
    api.clock.advance(api.ledger.config.gracePeriodMs + 1_000);
    await api.jobs.afterClockMove();
    expect((await getCharge(api.ledger, 'atu-2', pending.chargeId)).status).toBe('failed');
    expect((await listNotifications(api.ledger, 'atu-2')).map((n) => n.type)).toContain('charge_failed');
  });

  it('three failures in a row turn auto top-up off, with a notification saying why', async () => {
    const token = await api.token('atu-3');
    await buyCredits(api.ledger, 'atu-3', c('50'));
    await saveCard(token, 'atu-3', 'pm_card_authenticationRequired');
    await enable(token, { threshold: '100.00' }); // below it already: the first top-up starts now
    for (let failed = 1; failed <= 3; failed += 1) {
      await settled(async () =>
        expect((await topUps('atu-3')).filter((p) => p.status === 'failed')).toHaveLength(failed),
      );
      if (failed < 3) await pay('atu-3', '1'); // the next operation tries again
    }
    const view = await api.call('GET', '/credits/auto-top-up', { token });
    expect(view.body).toMatchObject({
      enabled: false,
      failuresInARow: 3,
      topUpInFlight: false,
      spentThisMonth: '0.00',
    });
    const notes = await listNotifications(api.ledger, 'atu-3');
    expect(notes.map((n) => n.type)).toContain('auto_top_up_disabled');
    await pay('atu-3', '1');
    await api.jobs.webhooks.drained();
    expect(await topUps('atu-3')).toHaveLength(3);
  });
});

describe('the top-up a waiting charge starts', () => {
  it('covers the charge without the allowance: one card payment, the charge paid, no allowance used', async () => {
    const token = await api.token('atu-cover');
    await saveCard(token, 'atu-cover', 'pm_card_visa');
    await enable(token, { threshold: '0.00', amount: '5.00', monthlyLimit: '100.00' });
    const pending = await pay('atu-cover', '25.001'); // balance 0, allowance 10: it waits
    expect(pending).toMatchObject({ status: 'pending_payment', shortfall: c('25.001') });
    await settled(async () => expect((await getCharge(api.ledger, 'atu-cover', pending.chargeId)).status).toBe('paid'));
    await api.jobs.webhooks.drained();
    const made = await topUps('atu-cover');
    expect(made.map((p) => [p.status, p.amount])).toEqual([['completed', c('25.01')]]);
    const ledger = await api.call('GET', '/credits/transactions', { token });
    expect(ledger.body.items.map((e: { amount: string }) => e.amount)).toEqual(['-25.001', '25.01']);
    const balance = await api.call('GET', '/credits/balance', { token });
    expect(balance.body).toMatchObject({ balance: '0.009', debt: '0.00' });
    const notes = (await listNotifications(api.ledger, 'atu-cover')).map((n) => n.type);
    expect(notes).not.toContain('allowance_in_use');
  });

  it('is not made when it would pass the monthly limit: the charge fails at its deadline', async () => {
    const token = await api.token('atu-over');
    await saveCard(token, 'atu-over', 'pm_card_visa');
    await enable(token, { threshold: '0.00', amount: '20.00', monthlyLimit: '40.00' });
    const pending = await pay('atu-over', '40.01'); // its top-up would be 40.01 > 40.00
    expect(pending.status).toBe('pending_payment');
    await api.jobs.webhooks.drained();
    expect(await topUps('atu-over')).toEqual([]);
    api.clock.advance(api.ledger.config.gracePeriodMs + 1_000);
    await api.jobs.afterClockMove();
    expect((await getCharge(api.ledger, 'atu-over', pending.chargeId)).status).toBe('failed');
    expect((await api.call('GET', '/credits/auto-top-up', { token })).body).toMatchObject({
      spentThisMonth: '0.00',
      topUpInFlight: false,
    });
  });
});

describe('the monthly limit', () => {
  it('allows top-ups that bring the month exactly to the limit, and none past it', async () => {
    const token = await api.token('atu-edge');
    await buyCredits(api.ledger, 'atu-edge', c('100'));
    await saveCard(token, 'atu-edge', 'pm_card_visa');
    await enable(token, { threshold: '1000.00', amount: '20.00', monthlyLimit: '40.00' }); // the first starts now
    await settled(async () => expect((await topUps('atu-edge'))[0]?.status).toBe('completed'));
    await pay('atu-edge', '1'); // 20 + 20 = 40: exactly the limit
    await settled(async () => expect((await topUps('atu-edge'))[1]?.status).toBe('completed'));
    await pay('atu-edge', '1'); // 40 + 20 > 40
    await api.jobs.webhooks.drained();
    expect((await topUps('atu-edge')).map((p) => p.amount)).toEqual([c('20'), c('20')]);
    expect((await api.call('GET', '/credits/auto-top-up', { token })).body).toMatchObject({
      spentThisMonth: '40.00',
      topUpInFlight: false,
    });
  });
});

describe('under concurrency', () => {
  it('50 concurrent charges that cross the threshold start exactly one top-up', async () => {
    const token = await api.token('atu-4');
    await buyCredits(api.ledger, 'atu-4', c('60'));
    await saveCard(token, 'atu-4', 'pm_card_visa');
    await enable(token, { threshold: '20.00', amount: '50.00' });
    const results = await Promise.all(Array.from({ length: 50 }, () => pay('atu-4', '1')));
    expect(results.every((r) => r.status === 'paid')).toBe(true);
    await settled(async () => expect((await topUps('atu-4'))[0]?.status).toBe('completed'));
    const made = await topUps('atu-4');
    expect(made).toHaveLength(1);
    // The card was charged once, for that top-up: one PaymentIntent among this account's purchases.
    expect(made.filter((p) => cards().intents.has(p.purchaseId))).toHaveLength(1);
    expect(cards().intents.get(made[0]!.purchaseId)).toBe(made[0]!.providerRef);
  });

  it('the monthly limit holds when many charges race', async () => {
    const token = await api.token('atu-5');
    await buyCredits(api.ledger, 'atu-5', c('100'));
    await saveCard(token, 'atu-5', 'pm_card_visa');
    await enable(token, { threshold: '1000.00', amount: '20.00', monthlyLimit: '50.00' });
    for (let round = 0; round < 4; round += 1) {
      await Promise.all(Array.from({ length: 10 }, () => pay('atu-5', '0.5')));
      await api.jobs.webhooks.drained();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // 20 + 20 = 40 fits in 50; a third would make 60.
    expect((await topUps('atu-5')).map((p) => p.amount)).toEqual([c('20'), c('20')]);
  });
});

describe('the Stripe adapter', () => {
  let stub: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((done) => (stub ? stub.close(() => done()) : done()));
    stub = undefined;
  });

  async function startStub(answer: (path: string) => { status: number; body: unknown }) {
    const seen: { path: string; headers: IncomingMessage['headers']; form: Record<string, string> }[] = [];
    stub = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, form: Object.fromEntries(new URLSearchParams(body)) });
        const { status, body: out } = answer(req.url ?? '');
        res
          .writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_stub' })
          .end(JSON.stringify(out));
      });
    });
    await new Promise<void>((done) => stub!.listen(0, '127.0.0.1', done));
    const stripe = new StripeCheckout({
      secretKey: 'sk_test_stub',
      successUrl: 'https://credits.io.net/?purchase={PURCHASE_ID}',
      cancelUrl: 'https://credits.io.net/',
      endpoint: { host: '127.0.0.1', port: (stub!.address() as { port: number }).port, protocol: 'http' },
    });
    return { stripe, seen };
  }

  it('charges the saved card off session, with the purchase id as the idempotency key', async () => {
    const { stripe, seen } = await startStub(() => ({
      status: 200,
      body: { id: 'pi_stub', object: 'payment_intent', status: 'succeeded' },
    }));
    const answer = await stripe.chargeSavedCard({
      purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF',
      accountId: 'ada',
      amount: 20_000_000 as Micros,
      customerId: 'cus_1',
      paymentMethodId: 'pm_1',
    });
    expect(answer).toEqual({ paymentIntentId: 'pi_stub' });
    expect(seen[0]!.path).toBe('/v1/payment_intents');
    expect(seen[0]!.headers['idempotency-key']).toBe('pu_01KG9YS7G0B9EM6WWH1PNE2SCF');
    expect(seen[0]!.form).toMatchObject({
      amount: '2000',
      currency: 'usd',
      customer: 'cus_1',
      payment_method: 'pm_1',
      off_session: 'true',
      confirm: 'true',
      'metadata[purchaseId]': 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF',
      'metadata[accountId]': 'ada',
      'metadata[autoTopUp]': 'true',
    });
  });

  it('a declined card answers its intent (the failure event ends the top-up)', async () => {
    const { stripe } = await startStub(() => ({
      status: 402,
      body: {
        error: {
          type: 'card_error',
          code: 'card_declined',
          decline_code: 'insufficient_funds',
          message: 'Your card has insufficient funds.',
          payment_intent: { id: 'pi_declined', object: 'payment_intent', status: 'requires_payment_method' },
        },
      },
    }));
    const answer = await stripe.chargeSavedCard({
      purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCG',
      accountId: 'ada',
      amount: 20_000_000 as Micros,
      customerId: 'cus_1',
      paymentMethodId: 'pm_1',
    });
    expect(answer).toEqual({ paymentIntentId: 'pi_declined' });
  });

  it('names a saved card by the brand and last digits Stripe reports of it', async () => {
    const { stripe, seen } = await startStub(() => ({
      status: 200,
      body: { id: 'pm_1', object: 'payment_method', type: 'card', card: { brand: 'mastercard', last4: '4444' } },
    }));
    const card = await stripe.describeCard('pm_1');
    expect(card).toEqual({ brand: 'mastercard', last4: '4444' });
    expect(cardLabel(card)).toBe('Mastercard •••• 4444');
    expect(seen.map((s) => s.path)).toEqual(['/v1/payment_methods/pm_1']);
  });

  it('saves a card through Checkout in setup mode, on the account’s customer', async () => {
    const { stripe, seen } = await startStub((path) =>
      path === '/v1/customers'
        ? { status: 200, body: { id: 'cus_new', object: 'customer' } }
        : {
            status: 200,
            body: { id: 'cs_setup', object: 'checkout.session', url: 'https://checkout.stripe.com/c/setup' },
          },
    );
    expect(await stripe.createCardSetup({ accountId: 'ada' })).toEqual({
      checkoutUrl: 'https://checkout.stripe.com/c/setup',
    });
    expect(seen.map((s) => s.path)).toEqual(['/v1/customers', '/v1/checkout/sessions']);
    expect(seen[0]!.headers['idempotency-key']).toBe('io-credits-customer-ada');
    expect(seen[1]!.form).toMatchObject({
      mode: 'setup',
      currency: 'usd',
      customer: 'cus_new',
      'setup_intent_data[metadata][accountId]': 'ada',
      'setup_intent_data[metadata][purpose]': 'auto_top_up',
      success_url: 'https://credits.io.net/settings?card=saved',
    });
  });
});
