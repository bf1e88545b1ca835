// Money leaks found by trying the API as an attacker and as a careless payment provider would.
// Each test here states one leak; it failed before the fix it names and guards it since.

import { beforeAll, describe, expect, it } from 'vitest';
import { spherepaySignature } from '../core/payments/spherepay.js';
import { startApi, type Api } from './support/api.js';
import { wholeTable } from './support/ledger.js';
import { pendingPurchase } from './support/route-samples.js';
import { refundEvent, sessionEvent, signStripe } from './support/stripe-events.js';

let api: Api;
let accounts = 0;
const fresh = (prefix = 'leak') => `${prefix}-${++accounts}`;

beforeAll(async () => {
  api = await startApi();
});

function postStripe(event: object) {
  const body = JSON.stringify(event);
  const signature = signStripe(body, api.payments.webhookSecrets.stripe!);
  return api.call('POST', '/webhooks/stripe', { rawBody: body, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
}

describe('signed but malformed provider events', () => {
  const malformed: [string, (event: Record<string, any>) => Record<string, any>][] = [
    ['data is null', (event) => ({ ...event, data: null })],
    ['data has no object', (event) => ({ ...event, data: {} })],
    // 2,000,000,000.00 USD: a safe integer of cents, over the 1,000,000,000-credit limit.
    ['the amount is over the money limit', (event) => ({ ...event, data: { object: { ...event.data.object, amount_total: 200_000_000_000, amount_subtotal: 200_000_000_000 } } })],
    // A safe integer of cents whose micro-credits are not.
    ['the amount overflows micro-credits', (event) => ({ ...event, data: { object: { ...event.data.object, amount_total: 100_000_000_000_000 } } })],
    ['the amount is not a whole number of cents', (event) => ({ ...event, data: { object: { ...event.data.object, amount_total: 12.5 } } })],
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
    ['the amount is over the money limit', (event) => ({ ...event, data: { payment: { ...event.data.payment, amount: '2000000000.00' } } })],
  ])('a Spherepay payment where %s: 400, nothing changed', async (_name, edit) => {
    const purchase = await pendingPurchase(api, fresh('malformed'), 'usdc', 20);
    const event = { id: `evt_${purchase.purchaseId}`, name: 'payment.successful', data: { payment: { id: 'payment_1', amount: '20.00', currency: 'usdc', paymentLink: { id: purchase.providerRef } } } };
    const before = await wholeTable(api.ledger.table);
    const body = JSON.stringify(edit(event));
    const response = await api.call('POST', '/webhooks/spherepay', { rawBody: body, headers: { 'content-type': 'application/json', signature: spherepaySignature(body, api.payments.webhookSecrets.spherepay!) } });
    expect(response.status, response.text).toBe(400);
    expect(await wholeTable(api.ledger.table)).toEqual(before);
  });
});
