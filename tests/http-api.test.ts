// The HTTP API through the local server, as a client sees it: every route's happy path with
// the ledger checked behind it, the auth matrix, the idempotency rules, problem details.

import { beforeAll, describe, expect, it } from 'vitest';
import { getBalance } from '../core/index.js';
import { cursorSecretFrom } from '../functions/http/runtime.js';
import { type Api, startApi } from './support/api.js';
import { c, expectInvariants, snapshot } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

let api: Api;
let user: string;
let other: string;
let service: string;
let admin: string;

beforeAll(async () => {
  api = await startApi();
  [user, other, service, admin] = await Promise.all([
    api.token('alice'),
    api.token('bob'),
    api.token('deployments', 'credits:service'),
    api.token('finance', 'credits:admin'),
  ]);
});

let seq = 0;
const key = () => `key-${++seq}`;

async function fund(accountId: string, amount: string) {
  await buyCredits(api.ledger, accountId, c(amount));
}

function expectProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status, code, title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(response.body)).not.toMatch(/at \w+ \(|node_modules|Exception/);
}

let accounts = 0;

/**
 * An account of its own for one test: 20.00 bought, then (with `charges`) that many charges of 1.00,
 * a second apart. Each test sets up what it asserts on.
 */
async function accountWith(charges = 0): Promise<{ accountId: string; token: string }> {
  const accountId = `alice-${++accounts}`;
  const token = await api.token(accountId);
  await fund(accountId, '20');
  for (let i = 0; i < charges; i += 1) {
    api.clock.advance(1000);
    const charged = await api.call('POST', '/credits/charges', {
      token,
      body: { deploymentId: `d${i}`, amount: '1' },
      headers: { 'idempotency-key': key() },
    });
    expect(charged.status).toBe(201);
  }
  return { accountId, token };
}

describe('balance, check, transactions, usage', () => {
  it('shows the balance with amounts as decimal strings', async () => {
    const { accountId, token } = await accountWith();
    const response = await api.call('GET', '/credits/balance', { token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      accountId,
      balance: '20.00',
      withdrawable: '20.00',
      negativeAllowance: '10.00',
      debt: '0.00',
      pendingWithdrawals: '0.00',
    });
    expect(response.body.lots).toEqual([
      expect.objectContaining({ kind: 'purchased', amount: '20.00', remaining: '20.00', withdrawable: true }),
    ]);
  });

  it('checks an amount given as a string or a number', async () => {
    const { token } = await accountWith();
    const response = await api.call('GET', '/credits/check?amount=25.5', { token });
    expect(response.body).toEqual({
      amount: '25.50',
      balance: '20.00',
      sufficient: false,
      withinAllowance: true,
      shortfall: '5.50',
    });
    const asNumber = await api.call('GET', '/credits/check?amount=20', { token });
    expect(asNumber.body).toMatchObject({ amount: '20.00', sufficient: true, shortfall: '0.00' });
    expectProblem(await api.call('GET', '/credits/check?amount=0.0000001', { token }), 400, 'invalid_request');
    expectProblem(await api.call('GET', '/credits/check', { token }), 400, 'invalid_request');
  });

  it('pages the log with an opaque cursor that can not be forged or borrowed', async () => {
    const { token: user } = await accountWith(3);
    const first = await api.call('GET', '/credits/transactions?limit=2', { token: user });
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: any) => e.type)).toEqual(['usage', 'usage']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api.call(
      'GET',
      `/credits/transactions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      { token: user },
    );
    expect(second.body.items.map((e: any) => e.type)).toEqual(['usage', 'purchase']);
    expect(second.body.nextCursor).toBeNull();

    const [payload, signature] = (first.body.nextCursor as string).split('.');
    const edited = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), a: 'bob' }),
    ).toString('base64url');
    expectProblem(
      await api.call('GET', `/credits/transactions?cursor=${edited}.${signature}`, { token: user }),
      400,
      'invalid_request',
    );
    expectProblem(
      await api.call('GET', `/credits/transactions?cursor=${encodeURIComponent(first.body.nextCursor)}`, {
        token: other,
      }),
      400,
      'invalid_request',
    );
    expectProblem(
      await api.call('GET', `/credits/transactions?type=usage&cursor=${encodeURIComponent(first.body.nextCursor)}`, {
        token: user,
      }),
      400,
      'invalid_request',
    );
  });

  it('filters by type and exports CSV with a header row', async () => {
    const { token: user } = await accountWith(3);
    const purchases = await api.call('GET', '/credits/transactions?type=purchase', { token: user });
    expect(purchases.body.items.map((e: any) => e.type)).toEqual(['purchase']);
    const inflow = await api.call('GET', `/credits/transactions?category=${encodeURIComponent('Credit Inflow')}`, {
      token: user,
    });
    expect(inflow.body.items.map((e: any) => e.category)).toEqual(['Credit Inflow']);
    const usage = await api.call(
      'GET',
      `/credits/transactions?category=${encodeURIComponent('Usage Deductions')}&limit=2`,
      { token: user },
    );
    expect(usage.body.items.map((e: any) => e.type)).toEqual(['usage', 'usage']);
    const next = await api.call(
      'GET',
      `/credits/transactions?category=${encodeURIComponent('Usage Deductions')}&limit=2` +
        `&cursor=${encodeURIComponent(usage.body.nextCursor)}`,
      { token: user },
    );
    expect(next.body.items.map((e: any) => e.type)).toEqual(['usage']);
    const mismatch = await api.call('GET', `/credits/transactions?category=Refunds&type=usage`, { token: user });
    expect(mismatch.body).toEqual({ items: [], nextCursor: null });
    expectProblem(
      await api.call('GET', '/credits/transactions?category=Bonuses', { token: user }),
      400,
      'invalid_request',
    );
    const csv = await api.call('GET', '/credits/transactions?format=csv', { token: user });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'transactionId,type,category,amount,balanceAfter,createdAt,reference,description,product,deploymentId,paidFrom',
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^tx_\w+,usage,Usage Deductions,-1\.00,17\.00,/);
    // SPEC §10: what each usage entry was for and what paid it.
    expect(lines[1]).toMatch(/,other,d2,lot_[0-9A-Z]{26}:1\.00$/);
  });

  it('sums usage per day', async () => {
    const { token: user } = await accountWith(3);
    const response = await api.call('GET', '/credits/usage?from=2026-01-01&to=2026-02-28&granularity=day', {
      token: user,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      buckets: [{ start: '2026-01-31T00:00:00.000Z', usage: '3.00', refunds: '0.00', net: '3.00' }],
      total: { usage: '3.00', refunds: '0.00', net: '3.00' },
    });
  });
});

describe('limits', () => {
  it('answers what a purchase and an auto top-up may be, as this deployment is configured', async () => {
    const { token } = await accountWith();
    const limits = await api.call('GET', '/credits/limits', { token });
    expect(limits.body).toEqual({
      purchase: { min: '5.00', max: '10000.00' },
      autoTopUp: { min: '5.00', max: '10000.00' },
    });
    const smaller = await startApi({ env: { PURCHASE_MIN_AMOUNT: '20.00', PURCHASE_MAX_AMOUNT: '2500.00' } });
    const other = await smaller.token('lim-user');
    expect((await smaller.call('GET', '/credits/limits', { token: other })).body.purchase).toEqual({
      min: '20.00',
      max: '2500.00',
    });
    const over = await smaller.call('POST', '/credits/purchases', {
      token: other,
      body: { amount: '2500.01', method: 'card' },
    });
    expectProblem(over, 400, 'invalid_request');
    expect(over.body.detail).toContain('between 20.00 and 2500.00');
  });
});

describe('charges', () => {
  it('a service charges an account it names; paid is 201, pending is 202', async () => {
    await fund('carol', '5');
    const paid = await api.call('POST', '/credits/charges', {
      token: service,
      body: { accountId: 'carol', deploymentId: 'dep-1', amount: 4.25 },
      headers: { 'idempotency-key': key() },
    });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'paid', amount: '4.25', usedAllowance: '0.00', balance: '0.75' });
    const pending = await api.call('POST', '/credits/charges', {
      token: service,
      body: { accountId: 'carol', deploymentId: 'dep-2', amount: '50' },
      headers: { 'idempotency-key': key() },
    });
    expect(pending.status).toBe(202);
    expect(pending.body).toMatchObject({
      status: 'pending_payment',
      amount: '50.00',
      shortfall: '49.25',
      graceExpiresAt: expect.any(String),
    });
    const stored = await api.call('GET', `/credits/charges/${pending.body.chargeId}?accountId=carol`, {
      token: service,
    });
    expect(stored.body).toMatchObject({ chargeId: pending.body.chargeId, status: 'pending_payment', refunded: '0.00' });
    const cancelled = await api.call('POST', `/credits/charges/${pending.body.chargeId}/cancel?accountId=carol`, {
      token: service,
    });
    expect(cancelled.body).toEqual({ chargeId: pending.body.chargeId, status: 'cancelled' });
    expectProblem(
      await api.call('POST', `/credits/charges/${pending.body.chargeId}/cancel?accountId=carol`, { token: service }),
      409,
      'conflict',
    );
    const refunded = await api.call('POST', `/credits/charges/${paid.body.chargeId}/refunds`, {
      token: service,
      body: { accountId: 'carol', amount: '1.25', reason: 'ended early' },
      headers: { 'idempotency-key': key() },
    });
    expect(refunded.status).toBe(201);
    expect(refunded.body).toMatchObject({
      chargeId: paid.body.chargeId,
      amount: '1.25',
      balance: '2.00',
      refundId: expect.stringMatching(/^rf_/),
    });
    expectProblem(
      await api.call('POST', `/credits/charges/${paid.body.chargeId}/refunds`, {
        token: service,
        body: { accountId: 'carol', amount: '3.01' },
        headers: { 'idempotency-key': key() },
      }),
      409,
      'conflict',
    );
    const snap = await expectInvariants(api.ledger, 'carol', { expiriesApplied: true });
    expect(snap.entries.map((e) => e.type)).toEqual(['purchase', 'usage', 'refund']);
  });

  it('Idempotency-Key: required; same body replays; another body is 409 idempotency_key_reused', async () => {
    await fund('dave', '10');
    expectProblem(
      await api.call('POST', '/credits/charges', {
        token: await api.token('dave'),
        body: { deploymentId: 'd', amount: '1' },
      }),
      400,
      'invalid_request',
    );
    const dave = await api.token('dave');
    const first = await api.call('POST', '/credits/charges', {
      token: dave,
      body: { deploymentId: 'd', amount: '2.50' },
      headers: { 'idempotency-key': 'same' },
    });
    const again = await api.call('POST', '/credits/charges', {
      token: dave,
      body: { deploymentId: 'd', amount: '2.5' },
      headers: { 'idempotency-key': 'same' },
    });
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expectProblem(
      await api.call('POST', '/credits/charges', {
        token: dave,
        body: { deploymentId: 'd', amount: '3' },
        headers: { 'idempotency-key': 'same' },
      }),
      409,
      'idempotency_key_reused',
    );
    expect((await snapshot(api.ledger.table, 'dave')).charges).toHaveLength(1);
    expect((await getBalance(api.ledger, 'dave')).balance).toBe(c('7.5'));
  });

  it(
    'a refund needs an Idempotency-Key; a retry replays it, another amount or charge with the key is ' + '409',
    async () => {
      await fund('hana', '20');
      const hana = await api.token('hana');
      const first = await api.call('POST', '/credits/charges', {
        token: hana,
        body: { deploymentId: 'd1', amount: '8' },
        headers: { 'idempotency-key': key() },
      });
      const second = await api.call('POST', '/credits/charges', {
        token: hana,
        body: { deploymentId: 'd2', amount: '4' },
        headers: { 'idempotency-key': key() },
      });
      const refundOf = (chargeId: string, amount: string, idempotencyKey?: string) =>
        api.call('POST', `/credits/charges/${chargeId}/refunds`, {
          token: service,
          body: { amount, accountId: 'hana' },
          headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
        });

      expectProblem(await refundOf(first.body.chargeId, '1'), 400, 'invalid_request');
      const refunded = await refundOf(first.body.chargeId, '3', 'refund-1');
      expect(refunded.status).toBe(201);
      const replayed = await refundOf(first.body.chargeId, '3.000', 'refund-1');
      expect(replayed.status).toBe(201);
      expect(replayed.body).toEqual(refunded.body);
      expectProblem(await refundOf(first.body.chargeId, '2', 'refund-1'), 409, 'idempotency_key_reused');
      expectProblem(await refundOf(second.body.chargeId, '3', 'refund-1'), 409, 'idempotency_key_reused');

      const snap = await expectInvariants(api.ledger, 'hana', { expiriesApplied: true });
      expect(snap.entries.filter((e) => e.type === 'refund')).toHaveLength(1);
      expect((await getBalance(api.ledger, 'hana')).balance).toBe(c('11'));
    },
  );

  it('five identical charges sent at once with one key make one charge', async () => {
    await fund('ivan', '10');
    const ivan = await api.token('ivan');
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.call('POST', '/credits/charges', {
          token: ivan,
          body: { deploymentId: 'burst', amount: '1.5' },
          headers: { 'idempotency-key': 'burst-1' },
        }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.chargeId)).size).toBe(1);
    const snap = await expectInvariants(api.ledger, 'ivan', { expiriesApplied: true });
    expect(snap.charges).toHaveLength(1);
    expect((await getBalance(api.ledger, 'ivan')).balance).toBe(c('8.5'));
  });

  it('a key belongs to one account: the same key on two accounts charges both', async () => {
    await fund('jo', '5');
    await fund('kim', '5');
    const charged = await Promise.all(
      ['jo', 'kim'].map((accountId) =>
        api.call('POST', '/credits/charges', {
          token: service,
          body: { accountId, deploymentId: 'shared', amount: '1' },
          headers: { 'idempotency-key': 'shared-key' },
        }),
      ),
    );
    expect(charged.map((r) => r.status)).toEqual([201, 201]);
    expect(charged[0]!.body.chargeId).not.toBe(charged[1]!.body.chargeId);
    expect((await getBalance(api.ledger, 'jo')).balance).toBe(c('4'));
    expect((await getBalance(api.ledger, 'kim')).balance).toBe(c('4'));
  });

  it('withdrawals and grants take an optional key that replays them', async () => {
    await fund('lee', '30');
    const lee = await api.token('lee');
    const request = (amount: string) =>
      api.call('POST', '/credits/withdrawals', {
        token: lee,
        body: { amount, destination: WALLET },
        headers: { 'idempotency-key': 'wd-1' },
      });
    const first = await request('10');
    expect(first.status).toBe(201);
    expect((await request('10.00')).body).toEqual(first.body);
    expectProblem(await request('11'), 409, 'idempotency_key_reused');
    const grant = (amount: string) =>
      api.call('POST', '/admin/accounts/lee/grants', {
        token: admin,
        body: { amount, description: 'Welcome' },
        headers: { 'idempotency-key': 'grant-1' },
      });
    const granted = await grant('5');
    expect((await grant('5')).body).toEqual(granted.body);
    expectProblem(await grant('6'), 409, 'idempotency_key_reused');
    const snap = await expectInvariants(api.ledger, 'lee', { expiriesApplied: true });
    expect(snap.withdrawals).toHaveLength(1);
    expect(snap.entries.map((e) => e.type).sort()).toEqual(['promotional_grant', 'purchase', 'withdrawal']);
  });

  it('a JSON number is read from its text, and a number where text is expected is refused', async () => {
    await fund('max', '10');
    const maxToken = await api.token('max');
    const exact = await api.call('POST', '/credits/charges', {
      token: maxToken,
      rawBody: '{"deploymentId":"d","amount":0.000001}',
      headers: { 'content-type': 'application/json', 'idempotency-key': key() },
    });
    expect(exact.body).toMatchObject({ amount: '0.000001', balance: '9.999999' });
    const typed = await api.call('POST', '/credits/charges', {
      token: maxToken,
      rawBody: '{"deploymentId":42,"amount":"1"}',
      headers: { 'content-type': 'application/json', 'idempotency-key': key() },
    });
    expectProblem(typed, 400, 'invalid_request');
    expect(typed.body.errors).toEqual([{ path: 'body.deploymentId', message: expect.any(String) }]);
    expect((await getBalance(api.ledger, 'max')).balance).toBe(c('9.999999'));
  });

  it('an unknown or malformed charge id is 404', async () => {
    expectProblem(
      await api.call('GET', '/credits/charges/ch_01ARZ3NDEKTSV4RRFFQ69G5FAV', { token: user }),
      404,
      'not_found',
    );
    expectProblem(await api.call('GET', '/credits/charges/..%2F..%2Fetc', { token: user }), 404, 'not_found');
  });
});

describe('auth', () => {
  const routesWithAccount: [string, string, unknown?][] = [
    ['GET', '/credits/balance?accountId=alice'],
    ['GET', '/credits/check?amount=1&accountId=alice'],
    ['GET', '/credits/transactions?accountId=alice'],
  ];

  it('no token or a bad one is 401', async () => {
    expectProblem(await api.call('GET', '/credits/balance'), 401, 'unauthorized');
    expectProblem(await api.call('GET', '/credits/balance', { token: 'not.a.jwt' }), 401, 'unauthorized');
    const forged = (await api.token('alice')).slice(0, -2) + 'xx';
    expectProblem(await api.call('GET', '/credits/balance', { token: forged }), 401, 'unauthorized');
  });

  it.each(routesWithAccount)(
    '%s %s: the owner and services may; another user may not; an admin may read',
    async (method, path) => {
      expect((await api.call(method, path, { token: user })).status).toBe(200);
      expect((await api.call(method, path, { token: service })).status).toBe(200);
      expect((await api.call(method, path, { token: admin })).status).toBe(200);
      expectProblem(await api.call(method, path, { token: other }), 403, 'forbidden');
    },
  );

  it('another user can not charge an account; an admin can not either', async () => {
    for (const token of [other, admin]) {
      expectProblem(
        await api.call('POST', '/credits/charges', {
          token,
          body: { accountId: 'alice', deploymentId: 'd', amount: '1' },
          headers: { 'idempotency-key': key() },
        }),
        403,
        'forbidden',
      );
    }
  });

  it('/admin/* needs credits:admin', async () => {
    for (const token of [user, service]) {
      expectProblem(await api.call('GET', '/admin/withdrawals', { token }), 403, 'forbidden');
      expectProblem(
        await api.call('POST', '/admin/accounts/alice/grants', { token, body: { amount: '5', description: 'x' } }),
        403,
        'forbidden',
      );
    }
    expect((await api.call('GET', '/admin/withdrawals', { token: admin })).status).toBe(200);
  });

  it('/openapi.json is public and lists every route', async () => {
    const response = await api.call('GET', '/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/credits/balance',
        '/credits/charges/{chargeId}/refunds',
        '/admin/accounts/{accountId}/negative-allowance',
        '/notifications/{notificationId}/read',
      ]),
    );
    expect(response.body.paths['/admin/test-clock']).toBeUndefined();
  });
});

describe('withdrawals and admin', () => {
  it('request, finance queue, approve, complete; reject and cancel give the credit back', async () => {
    await fund('erin', '30');
    const erin = await api.token('erin');
    const w1 = await api.call('POST', '/credits/withdrawals', {
      token: erin,
      body: { amount: '10.00', destination: WALLET },
    });
    expect(w1.status).toBe(201);
    expect(w1.body).toMatchObject({ status: 'pending_review', amount: '10.00', expectedBy: expect.any(String) });
    expectProblem(
      await api.call('POST', '/credits/withdrawals', { token: erin, body: { amount: '20.01', destination: WALLET } }),
      402,
      'insufficient_credits',
    );
    expectProblem(
      await api.call('POST', '/credits/withdrawals', {
        token: await api.token('frank'),
        body: { amount: '1', destination: WALLET },
      }),
      403,
      'forbidden',
    );
    const queue = await api.call('GET', '/admin/withdrawals?status=pending_review', { token: admin });
    expect(queue.body.items.map((w: any) => w.withdrawalId)).toContain(w1.body.withdrawalId);
    expect(
      (await api.call('POST', `/admin/withdrawals/${w1.body.withdrawalId}/approve`, { token: admin })).body.status,
    ).toBe('approved');
    expectProblem(
      await api.call('POST', `/admin/withdrawals/${w1.body.withdrawalId}/complete`, { token: admin, body: {} }),
      400,
      'invalid_request',
    );
    expect(
      (
        await api.call('POST', `/admin/withdrawals/${w1.body.withdrawalId}/complete`, {
          token: admin,
          body: { payoutReference: 'wire-77' },
        })
      ).body,
    ).toMatchObject({ status: 'completed', payoutReference: 'wire-77' });

    const w2 = await api.call('POST', '/credits/withdrawals', {
      token: erin,
      body: { amount: '5', destination: WALLET },
    });
    expect(
      (
        await api.call('POST', `/admin/withdrawals/${w2.body.withdrawalId}/reject`, {
          token: admin,
          body: { reason: 'name mismatch' },
        })
      ).body,
    ).toMatchObject({ status: 'rejected', reason: 'name mismatch' });
    const w3 = await api.call('POST', '/credits/withdrawals', {
      token: erin,
      body: { amount: '5', destination: WALLET },
    });
    expect(
      (await api.call('POST', `/credits/withdrawals/${w3.body.withdrawalId}/cancel`, { token: erin })).body.status,
    ).toBe('cancelled');
    expectProblem(
      await api.call('POST', `/credits/withdrawals/${w3.body.withdrawalId}/cancel`, { token: other }),
      404,
      'not_found',
    );
    const list = await api.call('GET', '/credits/withdrawals', { token: erin });
    expect(list.body.items.map((w: any) => w.status).sort()).toEqual(['cancelled', 'completed', 'rejected']);
    expect((await api.call('GET', '/credits/balance', { token: erin })).body).toMatchObject({
      balance: '20.00',
      pendingWithdrawals: '0.00',
    });
    await expectInvariants(api.ledger, 'erin', { expiriesApplied: true });
  });

  it(
    'a withdrawal says where the USDC goes: an address valid on its network, shown to finance, the only one a ' +
      'payout goes to',
    async () => {
      await fund('wendy', '100');
      const wendy = await api.token('wendy');
      // EIP-55's own examples (mixed case, so checksummed), and all-lower / all-upper ones that carry no checksum.
      const valid = [
        { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' },
        { network: 'ethereum', address: '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359' },
        { network: 'base', address: '0xdbf03b407c01e7cd3cbea99509d93f8dddc8c6fb' },
        { network: 'polygon', address: '0xD1220A0CF47C7B9BE7A2E6BA89F429762E7B9ADB' },
        { network: 'arbitrum', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
      ];
      for (const destination of valid) {
        const made = await api.call('POST', '/credits/withdrawals', {
          token: wendy,
          body: { amount: '1.00', destination },
        });
        expect(made.status, made.text).toBe(201);
        expect(made.body.destination).toEqual(destination);
      }
      const queue = await api.call('GET', '/admin/withdrawals?status=pending_review', { token: admin });
      expect(queue.body.items.filter((w: any) => w.accountId === 'wendy').map((w: any) => w.destination)).toEqual(
        valid,
      );

      const before = await snapshot(api.ledger.table, 'wendy');
      const refused: [string, unknown, string?][] = [
        ['no destination', undefined],
        ['an unknown network', { network: 'bitcoin', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT' }],
        [
          'a Solana address with a 0 in it',
          { network: 'solana', address: '0EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' },
        ],
        [
          'a Solana address one byte short',
          { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFL' },
        ],
        [
          'an EVM address one digit short',
          { network: 'base', address: '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe' },
          'an address on Base is 0x followed by 40 hex digits',
        ],
        [
          'an EVM address with a wrong checksum',
          { network: 'ethereum', address: '0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' },
        ],
        [
          'a Solana address on an EVM chain',
          { network: 'polygon', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' },
          'an address on Polygon is 0x followed by 40 hex digits',
        ],
        [
          'an address with spaces around it',
          { network: 'solana', address: ' 7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' },
        ],
      ];
      for (const [why, destination, words] of refused) {
        const response = await api.call('POST', '/credits/withdrawals', {
          token: wendy,
          body: { amount: '1.00', ...(destination === undefined ? {} : { destination }) },
        });
        expect(response.status, why).toBe(400);
        expect(response.body.code, why).toBe('invalid_request');
        if (words) expect(response.body.detail, why).toContain(words);
      }
      expect(await snapshot(api.ledger.table, 'wendy')).toEqual(before);
    },
  );

  it('grants promotional credit and sets the negative allowance', async () => {
    const grant = await api.call('POST', '/admin/accounts/gina/grants', {
      token: admin,
      body: { amount: '15.00', expiresAt: '2026-03-01T00:00:00Z', description: 'Hackathon', conditions: 'GPU only' },
    });
    expect(grant.status).toBe(201);
    expect(grant.body).toMatchObject({
      lotId: expect.stringMatching(/^lot_/),
      kind: 'promotional',
      amount: '15.00',
      expiresAt: '2026-03-01T00:00:00.000Z',
      withdrawable: false,
      conditions: 'GPU only',
      grantedBy: { sub: 'finance', scope: 'credits:admin', at: expect.any(String) },
    });
    expectProblem(
      await api.call('POST', '/admin/accounts/gina/grants', {
        token: admin,
        body: { amount: '1.001', description: 'x' },
      }),
      400,
      'invalid_request',
    );
    const allowance = await api.call('PUT', '/admin/accounts/gina/negative-allowance', {
      token: admin,
      body: { amount: '25' },
    });
    expect(allowance.body).toEqual({
      accountId: 'gina',
      negativeAllowance: '25.00',
      debt: '0.00',
      setBy: { sub: 'finance', scope: 'credits:admin', at: new Date(api.ledger.nowMs()).toISOString() },
    });
    expect((await getBalance(api.ledger, 'gina')).negativeAllowance).toBe(c('25'));
  });
});

describe('notifications and the test clock', () => {
  it('lists notifications and marks one read', async () => {
    const { token } = await accountWith(); // its purchase completed: one notification
    const list = await api.call('GET', '/notifications', { token });
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ type: 'purchase_completed', read: false })]);
    const first = list.body.items[0];
    expect((await api.call('POST', `/notifications/${first.notificationId}/read`, { token })).body).toEqual({
      notificationId: first.notificationId,
      read: true,
    });
    expect((await api.call('GET', '/notifications', { token })).body.items[0].read).toBe(true);
    expectProblem(
      await api.call('POST', `/notifications/${first.notificationId}/read`, { token: other }),
      404,
      'not_found',
    );
  });

  it('moves the manual clock forward only, for admins', async () => {
    const before = api.clock.nowMs();
    const moved = await api.call('POST', '/admin/test-clock', { token: admin, body: { advanceSeconds: 3600 } });
    expect(moved.body).toEqual({ now: new Date(before + 3_600_000).toISOString() });
    expectProblem(
      await api.call('POST', '/admin/test-clock', { token: admin, body: { now: '2020-01-01T00:00:00Z' } }),
      409,
      'conflict',
    );
    expectProblem(
      await api.call('POST', '/admin/test-clock', { token: user, body: { advanceSeconds: 1 } }),
      403,
      'forbidden',
    );
  });
});

describe('the cursor secret', () => {
  it('on Lambda comes from its secret: without it the cold start fails instead of signing with a made-up key', () => {
    const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'balance', CURSOR_SECRET_ARN: 'arn:cursor' };
    expect(() => cursorSecretFrom(lambda)).toThrow(/CURSOR_SECRET is not set/);
    expect(cursorSecretFrom({ ...lambda, CURSOR_SECRET: 'k' })()).toBe('k');
    expect(cursorSecretFrom({})()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a function not given the secret starts, and fails only if it tries to sign a cursor', () => {
    const sign = cursorSecretFrom({ AWS_LAMBDA_FUNCTION_NAME: 'charges' });
    expect(sign).toThrow(/CURSOR_SECRET is not set/);
  });
});
