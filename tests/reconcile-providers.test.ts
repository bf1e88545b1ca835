// Reconciliation's provider adapters (core/reconcile/stripe.ts, spherepay.ts) against HTTP stubs of
// Stripe's and Spherepay's list calls: every page read, the page bound, retries, timeouts, and
// what each answer becomes, to the micro-credit.

import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ProviderUnavailable } from '../core/index.js';
import { retryAfter } from '../core/payments/spherepay-http.js';
import { type ActivityLimits, ActivityTooLarge, TokenBucket } from '../core/reconcile/bounds.js';
import { SpherepayActivity } from '../core/reconcile/spherepay.js';
import { StripeActivity } from '../core/reconcile/stripe.js';

interface Seen {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
}
type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'hang';

let stub: Server | undefined;
afterEach(async () => {
  stub?.closeAllConnections();
  await new Promise<void>((done) => (stub ? stub.close(() => done()) : done()));
  stub = undefined;
});

async function startStub(answer: (seen: Seen) => Answer): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  stub = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const request = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    };
    seen.push(request);
    const reply = answer(request);
    if (reply === 'hang') return;
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((done) => stub!.listen(0, '127.0.0.1', done));
  return { port: (stub!.address() as { port: number }).port, seen };
}

/** Answers a Stripe list from `objects` (newest first) as Stripe pages it: `limit`, `starting_after`, `has_more`. */
function stripePage(objects: { id: string; created: number }[], query: Record<string, string>, path: string) {
  const inPeriod = objects.filter(
    (o) => o.created >= Number(query['created[gte]']) && o.created < Number(query['created[lt]']),
  );
  const after = query.starting_after ? inPeriod.findIndex((o) => o.id === query.starting_after) + 1 : 0;
  const limit = Number(query.limit ?? 10);
  const data = inPeriod.slice(after, after + limit);
  return { status: 200, body: { object: 'list', url: path, has_more: after + limit < inPeriod.length, data } };
}

const DAY = { fromMs: Date.UTC(2026, 11, 4), toMs: Date.UTC(2026, 11, 5) };
const at = (hour: number) => DAY.fromMs / 1000 + hour * 3600;
const FAST: Partial<ActivityLimits> = { retryDelayMs: 10, maxRetryDelayMs: 50, ratePerSecond: 1000, burst: 100 };

const purchase = (n: number) => `pu_01KG9YS7G0B9EM6WWH1PNE2S${String(n).padStart(2, '0')}`;
const charge = (n: number, fields: Record<string, unknown> = {}) => ({
  id: `ch_${n}`,
  object: 'charge',
  status: 'succeeded',
  captured: true,
  amount: 1234 + n,
  amount_captured: 1234 + n,
  currency: 'usd',
  created: at(23 - n),
  metadata: { purchaseId: purchase(n), accountId: `acct-${n}` },
  balance_transaction: { id: `txn_${n}`, object: 'balance_transaction', fee: 66 + n, currency: 'usd' },
  ...fields,
});

function stripeActivity(port: number, limits: Partial<ActivityLimits> = {}) {
  return new StripeActivity({
    secretKey: 'sk_test_stub',
    endpoint: { host: '127.0.0.1', port, protocol: 'http' },
    limits: { ...FAST, ...limits },
  });
}

describe('Stripe activity: charges, refunds and disputes of a period', () => {
  it('pages through every list to its end and maps each object to the micro-credit', async () => {
    const charges = [
      ...Array.from({ length: 7 }, (_, i) => charge(i)),
      charge(8, { status: 'failed', amount_captured: 0 }),
      charge(9, { currency: 'eur', amount_captured: 990, balance_transaction: 'txn_9' }),
      charge(10, { metadata: {} }),
      charge(11, { created: at(-1) }),
    ];
    const refunds = [
      {
        id: 're_1',
        object: 'refund',
        amount: 500,
        currency: 'usd',
        status: 'succeeded',
        created: at(20),
        charge: charges[1],
      },
      { id: 're_2', object: 'refund', amount: 100, currency: 'usd', status: 'failed', created: at(19), charge: 'ch_2' },
    ];
    const disputes = [
      {
        id: 'dp_1',
        object: 'dispute',
        amount: 1237,
        currency: 'usd',
        status: 'needs_response',
        created: at(21),
        charge: charges[3],
      },
    ];
    const lists: Record<string, { id: string; created: number }[]> = {
      '/v1/charges': charges,
      '/v1/refunds': refunds,
      '/v1/disputes': disputes,
    };
    const { port, seen } = await startStub((r) => stripePage(lists[r.path] ?? [], r.query, r.path));

    const activity = await stripeActivity(port, { pageSize: 3 }).activity(DAY);

    // 10 charges in the period, 3 a page: 4 pages; one page each of refunds and disputes.
    expect(activity.calls).toBe(6);
    expect(seen.map((s) => [s.path, s.query.starting_after ?? null])).toEqual([
      ['/v1/charges', null],
      ['/v1/charges', 'ch_2'],
      ['/v1/charges', 'ch_5'],
      ['/v1/charges', 'ch_9'],
      ['/v1/refunds', null],
      ['/v1/disputes', null],
    ]);
    expect(seen[0]!.query).toMatchObject({
      'created[gte]': String(DAY.fromMs / 1000),
      'created[lt]': String(DAY.toMs / 1000),
      limit: '3',
      'expand[0]': 'data.balance_transaction',
    });
    expect(seen[4]!.query['expand[0]']).toBe('data.charge');
    expect(seen[5]!.query['expand[0]']).toBe('data.charge');
    expect(seen.every((s) => s.method === 'GET' && s.authorization === 'Bearer sk_test_stub')).toBe(true);

    expect(activity.payments).toHaveLength(9);
    expect(activity.payments[0]).toEqual({
      provider: 'stripe',
      paymentId: 'ch_0',
      purchaseId: purchase(0),
      accountId: 'acct-0',
      amount: 12_340_000,
      fee: 660_000,
      createdAtMs: at(23) * 1000,
    });
    expect(activity.payments.find((p) => p.paymentId === 'ch_6')).toMatchObject({ amount: 12_400_000, fee: 720_000 });
    // A failed charge took nothing; a euro charge is reported, at 0 credits, with what it was.
    expect(activity.payments.find((p) => p.paymentId === 'ch_8')).toBeUndefined();
    expect(activity.payments.find((p) => p.paymentId === 'ch_9')).toEqual({
      provider: 'stripe',
      paymentId: 'ch_9',
      purchaseId: purchase(9),
      accountId: 'acct-9',
      amount: 0,
      foreign: { currency: 'eur', providerAmount: '990' },
      createdAtMs: at(14) * 1000,
    });
    // Not ours: no purchase named, reported all the same (someone was paid).
    expect(activity.payments.find((p) => p.paymentId === 'ch_10')).toEqual(
      expect.not.objectContaining({ purchaseId: expect.anything() }),
    );
    expect(activity.reversals).toEqual([
      {
        provider: 'stripe',
        kind: 'refund',
        reversalId: 're_1',
        paymentId: 'ch_1',
        purchaseId: purchase(1),
        amount: 5_000_000,
        createdAtMs: at(20) * 1000,
        status: 'succeeded',
      },
      {
        provider: 'stripe',
        kind: 'dispute',
        reversalId: 'dp_1',
        paymentId: 'ch_3',
        purchaseId: purchase(3),
        amount: 12_370_000,
        createdAtMs: at(21) * 1000,
        status: 'needs_response',
      },
    ]);
  });

  it('throws past the page bound rather than report part of the period', async () => {
    const charges = Array.from({ length: 7 }, (_, i) => charge(i));
    const { port, seen } = await startStub((r) => stripePage(r.path === '/v1/charges' ? charges : [], r.query, r.path));
    const refused = await stripeActivity(port, { pageSize: 3, maxPages: 2 })
      .activity(DAY)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ActivityTooLarge);
    expect((refused as ActivityTooLarge).list).toBe('charges');
    expect(seen).toHaveLength(2);
  });

  it('waits out a 429 and asks again', async () => {
    let limited = 0;
    const { port, seen } = await startStub((r) => {
      if (r.path === '/v1/charges' && limited < 2) {
        limited += 1;
        return { status: 429, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'slow' } } };
      }
      return stripePage(r.path === '/v1/charges' ? [charge(0)] : [], r.query, r.path);
    });
    const activity = await stripeActivity(port).activity(DAY);
    expect(activity.payments.map((p) => p.amount)).toEqual([12_340_000]);
    expect(seen.filter((s) => s.path === '/v1/charges')).toHaveLength(3);
    expect(activity.calls).toBe(3);
  });

  it('gives up on a 429 that lasts, with ProviderUnavailable', async () => {
    const { port, seen } = await startStub(() => ({
      status: 429,
      body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'slow' } },
    }));
    await expect(stripeActivity(port, { retries: 2 }).activity(DAY)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(seen).toHaveLength(3);
  });

  it('times out a call that never answers', async () => {
    const { port } = await startStub(() => 'hang');
    const started = Date.now();
    const refused = await stripeActivity(port, { timeoutMs: 200, retries: 0 })
      .activity(DAY)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ProviderUnavailable);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an answer it cannot read, rather than skip the object', async () => {
    const { port } = await startStub((r) =>
      stripePage(r.path === '/v1/charges' ? [charge(0, { amount_captured: 12.5 })] : [], r.query, r.path),
    );
    await expect(stripeActivity(port).activity(DAY)).rejects.toBeInstanceOf(ProviderUnavailable);
  });
});

/** A Spherepay page of `payments` (oldest first), paged by `startingAfter`. */
function spherepayPage(payments: { id: string }[], query: Record<string, string>) {
  const after = query.startingAfter ? payments.findIndex((p) => p.id === query.startingAfter) + 1 : 0;
  const limit = Number(query.limit);
  return {
    status: 200,
    body: { data: { payments: payments.slice(after, after + limit), hasMore: after + limit < payments.length } },
  };
}

const spherePayment = (n: number, fields: Record<string, unknown> = {}) => ({
  id: `payment_${n}`,
  status: 'succeeded',
  amount: `${10 + n}.123456`,
  currency: 'usdc',
  createdAt: new Date(DAY.fromMs + n * 60_000).toISOString(),
  paymentLink: { id: `paymentLink_${n}`, metadata: { purchaseId: purchase(n), accountId: `acct-${n}` } },
  ...fields,
});

function spherepayActivity(port: number, limits: Partial<ActivityLimits> = {}) {
  return new SpherepayActivity({
    apiKey: 'sphere_stub',
    baseUrl: `http://127.0.0.1:${port}/v1`,
    limits: { ...FAST, ...limits },
  });
}

describe('Spherepay activity: the payments of a period', () => {
  it('pages through the payments and maps each to the micro-credit', async () => {
    const payments = [
      ...Array.from({ length: 6 }, (_, i) => spherePayment(i)),
      spherePayment(6, { paymentLink: 'paymentLink_6' }),
      spherePayment(7, { currency: 'eurc', amount: '9.5' }),
      spherePayment(8, { status: 'pending' }),
      spherePayment(9, { createdAt: new Date(DAY.toMs).toISOString() }),
    ];
    const { port, seen } = await startStub((r) => spherepayPage(payments, r.query));

    const activity = await spherepayActivity(port, { pageSize: 3 }).activity(DAY);

    expect(activity.calls).toBe(4);
    expect(seen.map((s) => s.query.startingAfter ?? null)).toEqual([null, 'payment_2', 'payment_5', 'payment_8']);
    expect(seen[0]).toMatchObject({
      method: 'GET',
      path: '/v1/payment',
      authorization: 'Bearer sphere_stub',
      query: {
        status: 'succeeded',
        createdAfter: new Date(DAY.fromMs).toISOString(),
        createdBefore: new Date(DAY.toMs).toISOString(),
        limit: '3',
      },
    });
    expect(activity.reversals).toEqual([]);
    expect(activity.payments.map((p) => p.paymentId)).toEqual([
      'payment_0',
      'payment_1',
      'payment_2',
      'payment_3',
      'payment_4',
      'payment_5',
      'payment_6',
      'payment_7',
    ]);
    expect(activity.payments[5]).toEqual({
      provider: 'spherepay',
      paymentId: 'payment_5',
      purchaseId: purchase(5),
      accountId: 'acct-5',
      providerRef: 'paymentLink_5',
      amount: 15_123_456,
      createdAtMs: DAY.fromMs + 5 * 60_000,
    });
    // Without metadata the payment link still finds the purchase; another coin is reported at 0.
    expect(activity.payments[6]).toEqual(expect.objectContaining({ providerRef: 'paymentLink_6', amount: 16_123_456 }));
    expect(activity.payments[6]!.purchaseId).toBeUndefined();
    expect(activity.payments[7]).toMatchObject({ amount: 0, foreign: { currency: 'eurc', providerAmount: '9.5' } });
  });

  it('reads an amount sent as a JSON number from its text, never through a float', async () => {
    const { port } = await startStub(() => ({
      status: 200,
      body: { data: { payments: [], hasMore: false } },
    }));
    // The stub writes JSON itself: a number with six places must come out exact.
    stub!.removeAllListeners('request');
    stub!.on('request', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        `{"data":{"hasMore":false,"payments":[{"id":"payment_n","status":"succeeded","amount":0.300001,` +
          `"currency":"usdc","createdAt":"${new Date(DAY.fromMs).toISOString()}","paymentLink":"paymentLink_n"}]}}`,
      );
    });
    const activity = await spherepayActivity(port).activity(DAY);
    expect(activity.payments[0]!.amount).toBe(300_001);
  });

  it('throws past the page bound', async () => {
    const payments = Array.from({ length: 7 }, (_, i) => spherePayment(i));
    const { port, seen } = await startStub((r) => spherepayPage(payments, r.query));
    await expect(spherepayActivity(port, { pageSize: 2, maxPages: 3 }).activity(DAY)).rejects.toBeInstanceOf(
      ActivityTooLarge,
    );
    expect(seen).toHaveLength(3);
  });

  it('retries a 429 after its Retry-After and a 503 after a backoff', async () => {
    const answers: Answer[] = [
      { status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '0' } },
      { status: 503, body: { error: 'unavailable' } },
    ];
    const { port, seen } = await startStub((r) => answers.shift() ?? spherepayPage([spherePayment(1)], r.query));
    const activity = await spherepayActivity(port).activity(DAY);
    expect(seen).toHaveLength(3);
    expect(activity.payments.map((p) => p.amount)).toEqual([11_123_456]);
    expect(activity.calls).toBe(1);
  });

  it('gives up after its retries with ProviderUnavailable', async () => {
    const { port, seen } = await startStub(() => ({ status: 503, body: {} }));
    await expect(spherepayActivity(port, { retries: 2 }).activity(DAY)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(seen).toHaveLength(3);
  });

  it('times out a call that never answers, and does not retry a refusal', async () => {
    const { port } = await startStub(() => 'hang');
    const started = Date.now();
    await expect(spherepayActivity(port, { timeoutMs: 200, retries: 1 }).activity(DAY)).rejects.toBeInstanceOf(
      ProviderUnavailable,
    );
    expect(Date.now() - started).toBeLessThan(5_000);

    stub?.closeAllConnections();
    await new Promise<void>((done) => stub!.close(() => done()));
    const refusing = await startStub(() => ({ status: 401, body: { error: 'bad key' } }));
    await expect(spherepayActivity(refusing.port).activity(DAY)).rejects.toBeInstanceOf(ProviderUnavailable);
    expect(refusing.seen).toHaveLength(1);
  });

  it('refuses a payment whose amount it cannot read', async () => {
    const { port } = await startStub((r) => spherepayPage([spherePayment(1, { amount: '1e3' })], r.query));
    await expect(spherepayActivity(port).activity(DAY)).rejects.toBeInstanceOf(ProviderUnavailable);
  });
});

describe('the limits every list call keeps', () => {
  it('a token bucket lets a burst through, then one call per 1/rate seconds', async () => {
    // The bucket's clock stands still: only its own waits give it tokens back.
    const bucket = new TokenBucket(10, 2, () => 0);
    const waited: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const before = performance.now();
      await bucket.acquire();
      waited.push(performance.now() - before);
    }
    // Two at once (the burst), then each waits ~100 ms for its token.
    expect(waited.slice(0, 2).every((ms) => ms < 20)).toBe(true);
    expect(waited.slice(2).every((ms) => ms >= 90)).toBe(true);
  });

  it('the Stripe adapter keeps to its rate across pages', async () => {
    const charges = Array.from({ length: 6 }, (_, i) => charge(i));
    const { port } = await startStub((r) => stripePage(r.path === '/v1/charges' ? charges : [], r.query, r.path));
    const started = performance.now();
    // 6 pages of charges + refunds + disputes = 8 calls at 20/s with no burst: at least 7 waits of 50 ms.
    const activity = await stripeActivity(port, { pageSize: 1, ratePerSecond: 20, burst: 1 }).activity(DAY);
    expect(activity.calls).toBe(8);
    expect(performance.now() - started).toBeGreaterThanOrEqual(340);
  });

  it('Retry-After is read in seconds or as an HTTP date, and ignored when unreadable', () => {
    const now = Date.UTC(2026, 11, 5, 12, 0, 0);
    expect(retryAfter('3', now)).toBe(3000);
    expect(retryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(retryAfter(new Date(now - 5000).toUTCString(), now)).toBe(0);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });

  it('waits what Retry-After asks, capped at the longest wait', async () => {
    const answers: Answer[] = [{ status: 429, body: {}, headers: { 'retry-after': '1' } }];
    const { port } = await startStub((r) => answers.shift() ?? spherepayPage([], r.query));
    const started = performance.now();
    await spherepayActivity(port, { maxRetryDelayMs: 300 }).activity(DAY);
    const tookMs = performance.now() - started;
    expect(tookMs).toBeGreaterThanOrEqual(290);
    expect(tookMs).toBeLessThan(1000);
  });
});
