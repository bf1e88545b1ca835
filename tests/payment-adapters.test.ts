// The provider adapters' outgoing requests, against local HTTP stubs of Stripe's Checkout
// Sessions endpoint and Spherepay's price and payment-link endpoints.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { type Micros, ProviderUnavailable } from '../core/index.js';
import { SpherepayCheckout } from '../core/payments/spherepay.js';
import { StripeCheckout } from '../core/payments/stripe.js';

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
    },
  );

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
