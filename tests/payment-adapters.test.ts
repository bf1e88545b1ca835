// The provider adapters' outgoing requests, against local HTTP stubs of Stripe's Checkout
// Sessions, PaymentIntents and Invoices endpoints and Spherepay's price and payment-link endpoints.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRequest, type Micros, ProviderUnavailable } from '../core/index.js';
import { createPurchase, getPurchase } from '../core/ledger/purchases.js';
import { getDocument } from '../core/ledger/receipts.js';
import { micros } from '../core/money.js';
import { SpherepayCheckout } from '../core/payments/spherepay.js';
import { StripeCheckout, stripeAction } from '../core/payments/stripe.js';
import { applyWebhookAction } from '../core/payments/webhooks.js';
import { c, newLedger } from './support/ledger.js';
import { paymentIntentOf, sessionEvent } from './support/stripe-events.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let stub: Server | undefined;

afterEach(async () => {
  await new Promise<void>((done) => (stub ? stub.close(() => done()) : done()));
  stub = undefined;
});

/** A stub that records each request and answers with `answer(request)`. */
async function startStub(
  answer: (seen: Seen) => { status: number; body: unknown },
): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  stub = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      const { status, body } = answer(request);
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_stub' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((done) => stub!.listen(0, '127.0.0.1', done));
  return { port: (stub!.address() as { port: number }).port, seen };
}

const request = {
  purchaseId: 'pu_01KG9YS7G0B9EM6WWH1PNE2SCF',
  accountId: 'ada',
  amount: 20_500_000 as Micros,
  method: 'card' as const,
};

describe('Stripe Checkout adapter', () => {
  const options = (port: number) => ({
    secretKey: 'sk_test_stub',
    successUrl: 'https://credits.io.net/?purchase={PURCHASE_ID}',
    cancelUrl: 'https://credits.io.net/?purchase={PURCHASE_ID}&cancelled=1',
    endpoint: { host: '127.0.0.1', port, protocol: 'http' as const },
  });

  it(
    'creates a payment-mode session for the exact amount in USD, tied to the purchase, with the purchase id ' +
      'as idempotency key',
    async () => {
      const { port, seen } = await startStub(() => ({
        status: 200,
        body: { id: 'cs_test_stub', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_stub' },
      }));
      const checkout = await new StripeCheckout(options(port)).createCheckout(request);
      expect(checkout).toEqual({
        checkoutUrl: 'https://checkout.stripe.com/c/pay/cs_test_stub',
        providerRef: 'cs_test_stub',
      });

      expect(seen).toHaveLength(1);
      const [sent] = seen;
      expect(sent!.method).toBe('POST');
      expect(sent!.path).toBe('/v1/checkout/sessions');
      expect(sent!.headers['idempotency-key']).toBe(request.purchaseId);
      expect(sent!.headers.authorization).toBe('Bearer sk_test_stub');
      const form = Object.fromEntries(new URLSearchParams(sent!.body));
      expect(form).toMatchObject({
        mode: 'payment',
        client_reference_id: request.purchaseId,
        'metadata[accountId]': 'ada',
        'metadata[purchaseId]': request.purchaseId,
        'payment_intent_data[metadata][accountId]': 'ada',
        'payment_intent_data[metadata][purchaseId]': request.purchaseId,
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'usd',
        'line_items[0][price_data][unit_amount]': '2050',
        // {PURCHASE_ID} becomes the purchase, so back in the app its status is followed.
        success_url: `https://credits.io.net/?purchase=${request.purchaseId}`,
        cancel_url: `https://credits.io.net/?purchase=${request.purchaseId}&cancelled=1`,
      });
      // Without STRIPE_INVOICES, no invoice and no tax id are asked of Stripe.
      expect(Object.keys(form).filter((key) => /^(invoice_creation|tax_id_collection)/.test(key))).toEqual([]);
    },
  );

  it('with invoices on, the session makes an invoice carrying the purchase and collects the tax id', async () => {
    const { port, seen } = await startStub(() => ({
      status: 200,
      body: { id: 'cs_test_stub', object: 'checkout.session', url: 'https://checkout.stripe.com/c/pay/cs_test_stub' },
    }));
    await new StripeCheckout({ ...options(port), invoices: true }).createCheckout(request);
    const form = Object.fromEntries(new URLSearchParams(seen[0]!.body));
    expect(form).toMatchObject({
      mode: 'payment',
      'invoice_creation[enabled]': 'true',
      'invoice_creation[invoice_data][metadata][purchaseId]': request.purchaseId,
      'invoice_creation[invoice_data][metadata][accountId]': 'ada',
      'tax_id_collection[enabled]': 'true',
    });
  });

  it("a completed session with an invoice: the receipt links the invoice's hosted page, read from Stripe", async () => {
    const invoiceUrl = 'https://invoice.stripe.com/i/acct_stub/test_invoice_stub';
    const { port, seen } = await startStub((r) =>
      r.path.startsWith('/v1/invoices/in_stub')
        ? { status: 200, body: { id: 'in_stub', object: 'invoice', hosted_invoice_url: invoiceUrl } }
        : {
            status: 200,
            body: {
              id: r.path.split('/')[3]?.split('?')[0],
              object: 'payment_intent',
              latest_charge: {
                id: 'ch_stub',
                object: 'charge',
                payment_method_details: { type: 'card', card: { brand: 'mastercard', last4: '4444' } },
              },
            },
          },
    );
    const { ledger } = await newLedger();
    const purchase = await createPurchase(ledger, {
      accountId: 'invoiced',
      amount: c('40.00'),
      method: 'card',
      limits: { min: micros(1), max: c('10000.00') },
    });
    const event = sessionEvent('checkout.session.completed', purchase, { session: { invoice: 'in_stub' } });
    const adapter = new StripeCheckout({ ...options(port), invoices: true });
    const applied = await applyWebhookAction(ledger, 'stripe', stripeAction(event), adapter);
    expect(applied).toMatchObject({ handled: 'payment', result: { effect: 'credited' } });

    expect(seen.map((s) => `${s.method} ${s.path.split('?')[0]}`).sort()).toEqual([
      'GET /v1/invoices/in_stub',
      `GET /v1/payment_intents/${paymentIntentOf(purchase)}`,
    ]);
    const { receiptNumber } = await getPurchase(ledger, 'invoiced', purchase.purchaseId);
    const receipt = await getDocument(ledger, 'invoiced', receiptNumber!);
    expect(receipt).toMatchObject({
      kind: 'receipt',
      invoiceUrl,
      payment: { kind: 'card', brand: 'mastercard', last4: '4444' },
      amount: c('40.00'),
      total: c('40.00'),
    });
  });

  it('tax on a session is kept apart from the credit; tax not in whole cents, or all of it, is refused', () => {
    const purchase = { purchaseId: request.purchaseId, accountId: 'ada', amount: c('20.00') } as const;
    const taxed = (amount_tax: unknown, cents = 2400) =>
      stripeAction(
        sessionEvent('checkout.session.completed', purchase as never, {
          cents,
          session: { total_details: { amount_discount: 0, amount_shipping: 0, amount_tax } },
        }),
      );
    expect(taxed(400)).toMatchObject({
      kind: 'payment',
      outcome: { kind: 'paid', amount: c('20.00'), tax: c('4.00') },
    });
    expect(taxed(0)).toMatchObject({ outcome: { amount: c('24.00') } });
    expect((taxed(0) as { outcome: object }).outcome).not.toHaveProperty('tax');
    expect(() => taxed(2400)).toThrow(InvalidRequest);
    expect(() => taxed(2500)).toThrow(/all it was paid or more/);
    expect(() => taxed(1.5)).toThrow(/total_details.amount_tax must be a whole number of cents/);
    expect(() => taxed(-1)).toThrow(InvalidRequest);
  });

  it('an invoice or payment Stripe will never show holds up no credit; one it can not show now does', async () => {
    let status = 404;
    const { port } = await startStub(() => ({
      status,
      body: { error: { type: 'invalid_request_error', message: 'No such object' } },
    }));
    const { ledger } = await newLedger();
    const adapter = new StripeCheckout({ ...options(port), invoices: true });
    const paid = async (accountId: string) => {
      const purchase = await createPurchase(ledger, {
        accountId,
        amount: c('15.00'),
        method: 'card',
        limits: { min: micros(1), max: c('10000.00') },
      });
      const event = sessionEvent('checkout.session.completed', purchase, { session: { invoice: 'in_gone' } });
      return { purchase, apply: () => applyWebhookAction(ledger, 'stripe', stripeAction(event), adapter) };
    };
    const gone = await paid('invoice-gone');
    expect(await gone.apply()).toMatchObject({ handled: 'payment', result: { effect: 'credited' } });
    const { receiptNumber } = await getPurchase(ledger, 'invoice-gone', gone.purchase.purchaseId);
    const receipt = await getDocument(ledger, 'invoice-gone', receiptNumber!);
    expect(receipt).not.toHaveProperty('invoiceUrl');
    expect(receipt).not.toHaveProperty('payment');
    // Stripe down: the event fails, to be delivered again, and nothing is credited yet.
    status = 503;
    const later = await paid('invoice-later');
    await expect(later.apply()).rejects.toBeInstanceOf(ProviderUnavailable);
    expect((await getPurchase(ledger, 'invoice-later', later.purchase.purchaseId)).status).toBe('pending');
  });

  it('an invoice page that is not https is left off the receipt; the payment is credited all the same', () => {
    const purchase = { purchaseId: request.purchaseId, accountId: 'ada', amount: c('20.00') } as const;
    const withInvoice = (hosted_invoice_url: string) =>
      stripeAction(
        sessionEvent('checkout.session.completed', purchase as never, {
          session: { invoice: { id: 'in_x', object: 'invoice', hosted_invoice_url } },
        }),
      );
    expect(withInvoice('https://invoice.stripe.com/i/x')).toMatchObject({
      outcome: { invoiceUrl: 'https://invoice.stripe.com/i/x' },
    });
    const unsafe = withInvoice('javascript:alert(1)');
    expect(unsafe).toMatchObject({
      kind: 'payment',
      outcome: { kind: 'paid', amount: c('20.00'), invoiceRef: 'in_x' },
    });
    expect((unsafe as { outcome: object }).outcome).not.toHaveProperty('invoiceUrl');
  });

  it('a completed session without an invoice asks Stripe for no invoice, and its receipt links none', async () => {
    const { port, seen } = await startStub(() => ({ status: 200, body: { id: 'pi_stub', object: 'payment_intent' } }));
    const { ledger } = await newLedger();
    const purchase = await createPurchase(ledger, {
      accountId: 'uninvoiced',
      amount: c('12.00'),
      method: 'card',
      limits: { min: micros(1), max: c('10000.00') },
    });
    const event = sessionEvent('checkout.session.completed', purchase);
    await applyWebhookAction(ledger, 'stripe', stripeAction(event), new StripeCheckout(options(port)));
    expect(seen.map((s) => s.path.split('?')[0])).toEqual([`/v1/payment_intents/${paymentIntentOf(purchase)}`]);
    const { receiptNumber } = await getPurchase(ledger, 'uninvoiced', purchase.purchaseId);
    expect(await getDocument(ledger, 'uninvoiced', receiptNumber!)).not.toHaveProperty('invoiceUrl');
  });

  it('turns a Stripe error into ProviderUnavailable, never an SDK error', async () => {
    const { port } = await startStub(() => ({
      status: 400,
      body: { error: { type: 'invalid_request_error', message: 'No such price' } },
    }));
    const refused = await new StripeCheckout(options(port)).createCheckout(request).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderUnavailable);
    // Stripe's words stay in the cause, for the logs, never in the message a buyer reads.
    expect((refused as Error).message).not.toContain('No such price');
    expect(String(((refused as Error).cause as Error).message)).toContain('No such price');
  });
});

describe('Spherepay adapter', () => {
  it('makes a one-time USDC price of the exact amount and a payment link carrying the purchase', async () => {
    const { port, seen } = await startStub((r) =>
      r.path === '/v1/price'
        ? { status: 200, body: { ok: true, data: { price: { id: 'price_stub' } } } }
        : {
            status: 200,
            body: {
              ok: true,
              data: { paymentLink: { id: 'paymentLink_stub', url: 'https://spherepay.co/pay/paymentLink_stub' } },
            },
          },
    );
    const adapter = new SpherepayCheckout({
      apiKey: 'sphere_stub',
      productId: 'product_io_credits',
      baseUrl: `http://127.0.0.1:${port}/v1`,
    });
    const checkout = await adapter.createCheckout({ ...request, method: 'usdc' });
    expect(checkout).toEqual({
      checkoutUrl: 'https://spherepay.co/pay/paymentLink_stub',
      providerRef: 'paymentLink_stub',
    });
    expect(seen.map((s) => s.path)).toEqual(['/v1/price', '/v1/paymentLink']);
    expect(seen.every((s) => s.headers.authorization === 'Bearer sphere_stub')).toBe(true);
    expect(JSON.parse(seen[0]!.body)).toMatchObject({
      product: 'product_io_credits',
      type: 'one_time',
      currency: 'usdc',
      unitAmountDecimal: '20.50',
    });
    expect(JSON.parse(seen[1]!.body)).toEqual({
      lineItems: [{ price: 'price_stub', quantity: 1, quantityMutable: false }],
      metadata: { purchaseId: request.purchaseId, accountId: 'ada' },
    });
  });

  it('turns an error answer into ProviderUnavailable', async () => {
    const { port } = await startStub(() => ({ status: 503, body: { ok: false } }));
    const adapter = new SpherepayCheckout({ apiKey: 'k', productId: 'p', baseUrl: `http://127.0.0.1:${port}/v1` });
    await expect(adapter.createCheckout({ ...request, method: 'usdc' })).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('turns an answer without the payment link it asked for into ProviderUnavailable', async () => {
    const { port } = await startStub((r) =>
      r.path === '/v1/price'
        ? { status: 200, body: { ok: true, data: { price: { id: 'price_stub' } } } }
        : { status: 200, body: { ok: true, data: { paymentLink: { id: 'paymentLink_stub' } } } },
    );
    const adapter = new SpherepayCheckout({ apiKey: 'k', productId: 'p', baseUrl: `http://127.0.0.1:${port}/v1` });
    const refused = await adapter.createCheckout({ ...request, method: 'usdc' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderUnavailable);
    expect(String((refused as Error).cause)).toMatch(/answered \/paymentLink without the data expected/);
  });
});
