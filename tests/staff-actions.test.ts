// Staff actions through the HTTP API (SPEC §14): every change a credits:admin or credits:service
// token makes writes exactly one audit record naming its actor, in the same transaction; the audit
// log filters, pages and exports; users get 403 on it and on the account view; nobody acts on
// their own account's money. The walk over the route table means a new staff route that forgets
// its record fails here.

import { beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../core/ledger/audit-log.js';
import { routeKey, routes } from '../functions/http/routes.js';
import { type Api, startApi } from './support/api.js';
import { allowedCaller, routeSamples, send } from './support/route-samples.js';

let api: Api;
let owners = 0;
const nextOwner = () => `staff-${process.pid}-${++owners}`;

beforeAll(async () => {
  api = await startApi();
});

async function auditOf(accountId: string) {
  return (await listAudit(api.ledger, { accountId, limit: 100 })).items;
}

const ACTORS = {
  admin: { actor: 'finance', scope: 'credits:admin' },
  service: { actor: 'deployments', scope: 'credits:service' },
} as const;

/**
 * User routes a service or admin may call for another account, and why each writes no audit
 * record: the walk below fails for a route in neither this list nor AUDITED_FOR_OTHERS.
 */
const NOT_AUDITED_FOR_OTHERS: Record<string, string> = {
  'POST /credits/charges':
    "the deployment system's metering, thousands an hour: the charge item and its usage entry are the record",
  'POST /credits/charges/{chargeId}/cancel': "the deployment system's metering: the charge item keeps its end",
  'POST /credits/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry':
    'sends an event again; no account state changes, and the delivery keeps every attempt',
};
const AUDITED_FOR_OTHERS = ['POST /credits/webhook-endpoints', 'DELETE /credits/webhook-endpoints/{endpointId}'];

describe('every admin and service route', () => {
  const staffRoutes = routes.filter((route) => route.access === 'admin' || route.access === 'service');

  it('are the routes the walk covers', () => {
    expect(staffRoutes.length).toBeGreaterThanOrEqual(9);
  });

  for (const route of staffRoutes) {
    const key = routeKey(route);
    const changes = route.method !== 'GET';
    const rule = changes ? 'writes one audit record naming its actor' : 'reads, and writes no audit record';
    it(`${key} ${rule}`, async () => {
      const owner = nextOwner();
      const sample = routeSamples[key]!;
      const prepared = await sample.prepare(api, owner);
      const { call, token } = await allowedCaller(api, sample, prepared, owner);
      const before = await auditOf(owner);
      const response = await send(api, call, token);
      expect(response.status, response.text).toBeLessThan(300);
      const added = (await auditOf(owner)).filter((r) => !before.some((b) => b.auditId === r.auditId));
      if (!changes) return expect(added).toEqual([]);
      expect(added).toHaveLength(1);
      const who = route.access === 'admin' ? ACTORS.admin : ACTORS.service;
      expect(added[0]).toMatchObject({ ...who, accountId: owner, at: new Date(api.ledger.nowMs()).toISOString() });
    });
  }
});

describe('user routes a service or admin calls for another account', () => {
  const writes = routes.filter(
    (route) => route.access === 'user' && route.method !== 'GET' && routeSamples[routeKey(route)]?.accountIn,
  );

  it('are each audited or exempt for a stated reason', () => {
    const keys = writes.map(routeKey).sort();
    expect([...AUDITED_FOR_OTHERS, ...Object.keys(NOT_AUDITED_FOR_OTHERS)].sort()).toEqual(keys);
  });

  for (const key of AUDITED_FOR_OTHERS) {
    it(`${key} by finance for another account writes one audit record`, async () => {
      const owner = nextOwner();
      const sample = routeSamples[key]!;
      const prepared = await sample.prepare(api, owner);
      const call =
        sample.accountIn === 'body'
          ? { ...prepared, body: { ...prepared.body, accountId: owner } }
          : { ...prepared, query: { ...prepared.query, accountId: owner } };
      const response = await send(api, call, await api.token('finance', 'credits:admin'));
      expect(response.status, response.text).toBeLessThan(300);
      const records = await auditOf(owner);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ ...ACTORS.admin, accountId: owner });
    });

    it(`${key} by the account's owner writes none`, async () => {
      const owner = nextOwner();
      const sample = routeSamples[key]!;
      const response = await send(api, await sample.prepare(api, owner), await api.token(owner));
      expect(response.status, response.text).toBeLessThan(300);
      expect(await auditOf(owner)).toEqual([]);
    });
  }
});

describe('the audit log and the account view', () => {
  it('users get 403 on both, even for their own account', async () => {
    const owner = nextOwner();
    const token = await api.token(owner);
    for (const path of ['/admin/audit', `/admin/audit?accountId=${owner}`, `/admin/accounts/${owner}`]) {
      const response = await api.call('GET', path, { token });
      expect(response.status, path).toBe(403);
      expect(response.body.code).toBe('forbidden');
    }
    const service = await api.token('deployments', 'credits:service');
    expect((await api.call('GET', '/admin/audit', { token: service })).status).toBe(403);
  });

  it('filters by account, actor and time; pages with a cursor bound to its filters; CSV', async () => {
    const owner = nextOwner();
    const other = nextOwner();
    const tokens = {
      ann: await api.token('ann', 'credits:admin'),
      bob: await api.token('bob', 'credits:admin'),
    };
    const grant = (accountId: string, token: string, n: number) =>
      api.call('POST', `/admin/accounts/${accountId}/grants`, {
        token,
        body: { amount: `${n}.00`, description: `grant ${n}` },
      });
    const startMs = api.ledger.nowMs();
    for (const [i, who] of (['ann', 'bob', 'ann', 'bob', 'ann'] as const).entries()) {
      api.clock.advance(60_000);
      expect((await grant(owner, tokens[who], i + 1)).status).toBe(201);
    }
    expect((await grant(other, tokens.ann, 9)).status).toBe(201);

    const page = (query: string) => api.call('GET', `/admin/audit?${query}`, { token: tokens.bob });
    const mine = await page(`accountId=${owner}&limit=100`);
    expect(mine.body.items.map((r: { after: { amount: string } }) => r.after.amount)).toEqual([
      '5.00',
      '4.00',
      '3.00',
      '2.00',
      '1.00',
    ]);
    expect(mine.body.nextCursor).toBeNull();

    const anns = await page(`accountId=${owner}&actor=ann`);
    expect(anns.body.items.map((r: { actor: string }) => r.actor)).toEqual(['ann', 'ann', 'ann']);

    const from = new Date(startMs + 2 * 60_000).toISOString();
    const to = new Date(startMs + 4 * 60_000).toISOString();
    const window = await page(`accountId=${owner}&from=${from}&to=${to}`);
    expect(window.body.items.map((r: { after: { amount: string } }) => r.after.amount)).toEqual([
      '4.00',
      '3.00',
      '2.00',
    ]);

    // Two at a time, without gaps or repeats, across accounts (gsi1) and for one actor.
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i += 1) {
      const res: Awaited<ReturnType<typeof page>> = await page(
        `actor=ann&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      seen.push(...res.body.items.map((r: { auditId: string }) => r.auditId));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    const annEverywhere = (await listAudit(api.ledger, { actor: 'ann', limit: 100 })).items.map((r) => r.auditId);
    expect(seen).toEqual(annEverywhere);
    expect(seen).toHaveLength(4);

    // A cursor is bound to the filters it was made for, and can not be edited.
    const first = await page('actor=ann&limit=1');
    expect((await page(`actor=bob&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
    expect((await page(`actor=ann&limit=1&cursor=${encodeURIComponent(`x${first.body.nextCursor}`)}`)).status).toBe(
      400,
    );

    const csv = await page(`accountId=${owner}&actor=bob&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('auditId,at,actor,scope,action,accountId,subject,before,after');
    expect(lines.slice(1).map((line) => line.split(',')[2])).toEqual(['bob', 'bob']);
    expect(lines[1]).toContain(`credits:admin,grant.create,${owner},lot_`);
  });

  it('the account view answers balance, settings, endpoints without secrets and counts by status', async () => {
    const owner = nextOwner();
    const sample = routeSamples['POST /admin/withdrawals/{withdrawalId}/approve']!;
    await sample.prepare(api, owner); // a funded account with a pending withdrawal
    const token = await api.token(owner);
    const hook = await api.call('POST', '/credits/webhook-endpoints', {
      token,
      body: { url: 'http://127.0.0.1:9/hooks', events: ['charge.paid'] },
    });
    expect(hook.status).toBe(201);
    const view = await api.call('GET', `/admin/accounts/${owner}`, {
      token: await api.token('support', 'credits:admin'),
    });
    expect(view.status).toBe(200);
    const balance = await api.call('GET', '/credits/balance', { token });
    expect(view.body.balance).toEqual(balance.body);
    expect(view.body.withdrawals).toEqual({
      byStatus: { pending_review: 1, approved: 0, completed: 0, rejected: 0, cancelled: 0 },
      complete: true,
    });
    expect(view.body.purchases.byStatus.completed).toBe(1);
    expect(view.body.webhookEndpoints).toEqual([
      expect.objectContaining({ endpointId: hook.body.endpointId, accountId: owner }),
    ]);
    expect(view.text).not.toContain(hook.body.secret);
    expect(view.body.alerts).toEqual({ accountId: owner, lowBalanceThreshold: expect.anything() });
    expect(view.body.autoTopUp).toMatchObject({ accountId: owner, enabled: false });
  });
});

describe('nobody moves money on their own account as staff', () => {
  it('finance can not act on their own withdrawal, grant themselves credit or raise their own allowance', async () => {
    const owner = nextOwner();
    const sample = routeSamples['POST /admin/withdrawals/{withdrawalId}/approve']!;
    const approve = await sample.prepare(api, owner);
    const self = await api.token(owner, 'credits:admin');
    const before = await api.call('GET', '/credits/balance', { token: self });
    const withdrawalId = approve.path.split('/')[3]!;
    const attempts = [
      await send(api, approve, self),
      await api.call('POST', `/admin/withdrawals/${withdrawalId}/reject`, { token: self, body: { reason: 'mine' } }),
      await api.call('POST', `/admin/withdrawals/${withdrawalId}/complete`, {
        token: self,
        body: { payoutReference: 'mine' },
      }),
      await api.call('POST', `/admin/accounts/${owner}/grants`, {
        token: self,
        body: { amount: '100.00', description: 'for me' },
      }),
      await api.call('PUT', `/admin/accounts/${owner}/negative-allowance`, { token: self, body: { amount: '1000' } }),
    ];
    for (const response of attempts) expect(response.status, response.text).toBe(403);
    expect((await api.call('GET', '/credits/balance', { token: self })).body).toEqual(before.body);
    expect(await auditOf(owner)).toEqual([]);
    const [withdrawal] = (await api.call('GET', '/credits/withdrawals', { token: self })).body.items;
    expect(withdrawal).toMatchObject({ withdrawalId, status: 'pending_review', approvals: [] });
  });

  it('a staff or service token can not refund its own charges', async () => {
    const owner = nextOwner();
    const sample = routeSamples['POST /credits/charges/{chargeId}/refunds']!;
    const prepared = await sample.prepare(api, owner);
    const { call } = await allowedCaller(api, sample, prepared, owner);
    const before = await api.call('GET', '/credits/balance', { token: await api.token(owner) });
    for (const scope of ['credits:service', 'credits:admin']) {
      const response = await send(api, { ...call, idempotencyKey: `self-${scope}` }, await api.token(owner, scope));
      expect(response.status, response.text).toBe(403);
    }
    expect((await api.call('GET', '/credits/balance', { token: await api.token(owner) })).body).toEqual(before.body);
  });
});
