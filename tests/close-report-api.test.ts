// The close report through the HTTP API (SPEC §12, §14): GET /admin/closes/{day} answers the stored
// report with each item's resolution; POST …/items/{itemId}/resolve keeps who, when and why, once,
// with one audit record; unknown days and items are 404, an empty note 400, a second resolution
// 409; users get 403 on both.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { listAudit } from '../core/ledger/audit-log.js';
import { createPurchase } from '../core/ledger/purchases.js';
import { micros } from '../core/money.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { DAY_MS, utcDay } from '../core/time.js';
import { type Api, startApi } from './support/api.js';
import { c } from './support/ledger.js';
import { MemoryPayments } from './support/memory-payments.js';

let api: Api;
let admin: string;
let day: string;
let itemId: string;

beforeAll(async () => {
  api = await startApi();
  admin = await api.token('finance', 'credits:admin');
  const stripe = new MemoryPayments('stripe', api.clock);
  const lost = await createPurchase(api.ledger, {
    accountId: 'close-api-user',
    amount: c('30'),
    method: 'card',
    limits: { min: micros(1), max: c('100') },
  });
  stripe.pay(lost, c('30'));
  const store = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'close-api-')));
  api.runtime.digests = store;
  day = utcDay(api.ledger.nowMs());
  const { table } = api.ledger;
  await closeDays(
    { table, store, nowMs: api.ledger.nowMs() + DAY_MS, after: [reconcileStep({ table, store, sources: [stripe] })] },
    day,
  );
  const report = await api.call('GET', `/admin/closes/${day}`, { token: admin });
  itemId = report.body.categories.paidNotCredited[0].itemId;
});

describe('GET /admin/closes/{day} and resolving an item', () => {
  it("answers SPEC §12's shape, the days listed newest first", async () => {
    const { status, body } = await api.call('GET', `/admin/closes/${day}`, { token: admin });
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['categories', 'day', 'digestHash', 'rollForward']);
    expect(Object.keys(body.categories)).toEqual([
      'matched',
      'paidNotCredited',
      'creditedNotPaid',
      'amountMismatch',
      'reversedAtProviderOnly',
      'duplicates',
      'stuckPurchases',
      'stuckWithdrawals',
    ]);
    expect(body.categories.paidNotCredited).toEqual([
      expect.objectContaining({ itemId, accountId: 'close-api-user', provider: 'stripe', providerMicros: '30000000' }),
    ]);
    expect(body.categories.paidNotCredited[0].resolved).toBeUndefined();
    expect((await api.call('GET', '/admin/closes', { token: admin })).body).toEqual({ days: [day] });
  });

  it('refuses users, unknown days and items, and an empty note, changing nothing', async () => {
    const user = await api.token('close-api-user');
    expect((await api.call('GET', `/admin/closes/${day}`, { token: user })).status).toBe(403);
    const path = `/admin/closes/${day}/items/${itemId}/resolve`;
    expect((await api.call('POST', path, { token: user, body: { note: 'mine' } })).status).toBe(403);
    expect((await api.call('GET', '/admin/closes/2020-01-01', { token: admin })).status).toBe(404);
    expect((await api.call('GET', '/admin/closes/2020-13-45', { token: admin })).status).toBe(404);
    const unknown = `/admin/closes/${day}/items/ri_${'0'.repeat(24)}/resolve`;
    expect(
      (
        await api.call('POST', `/admin/closes/2020-01-01/items/${itemId}/resolve`, {
          token: admin,
          body: { note: 'x' },
        })
      ).status,
    ).toBe(404);
    expect((await api.call('POST', unknown, { token: admin, body: { note: 'x' } })).status).toBe(404);
    expect((await api.call('POST', path, { token: admin, body: { note: '   ' } })).status).toBe(400);
    expect((await api.call('POST', path, { token: admin, body: {} })).status).toBe(400);
    expect((await listAudit(api.ledger, { accountId: 'close-api-user', limit: 10 })).items).toEqual([]);
  });

  it('keeps who resolved it, when and why, once, with one audit record', async () => {
    const path = `/admin/closes/${day}/items/${itemId}/resolve`;
    const done = await api.call('POST', path, { token: admin, body: { note: 'credited by hand' } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({
      itemId,
      resolved: { by: 'finance', at: new Date(api.ledger.nowMs()).toISOString(), note: 'credited by hand' },
    });
    const again = await api.call('POST', path, {
      token: await api.token('finance-2', 'credits:admin'),
      body: { note: 'me too' },
    });
    expect(again.status).toBe(409);
    const { body } = await api.call('GET', `/admin/closes/${day}`, { token: admin });
    expect(body.categories.paidNotCredited[0].resolved).toEqual(done.body.resolved);
    const audit = (await listAudit(api.ledger, { accountId: 'close-api-user', limit: 10 })).items;
    expect(audit).toEqual([
      expect.objectContaining({ action: 'close_item.resolve', actor: 'finance', subject: itemId }),
    ]);
  });
});

describe('the close run on the local server, against the providers’ stand-ins', () => {
  it('reports a card payment taken without its webhook as paid, not credited', async () => {
    api.runtime.digests = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'close-job-')));
    const buyer = await api.token('close-job-buyer');
    const created = await api.call('POST', '/credits/purchases', {
      token: buyer,
      body: { amount: '25.00', method: 'card' },
    });
    expect(created.status, created.text).toBe(201);
    const paid = await fetch(`${api.url}/local/checkout/${created.body.purchaseId}/pay?notify=false`, {
      method: 'POST',
    });
    expect(paid.status).toBe(200);
    api.clock.advance(DAY_MS);
    const job = await api.call('POST', '/admin/jobs/close', { token: admin, body: {} });
    expect(job.status, job.text).toBe(200);
    const closedDay = utcDay(api.ledger.nowMs() - DAY_MS);
    const { body } = await api.call('GET', `/admin/closes/${closedDay}`, { token: admin });
    expect(body.categories.paidNotCredited).toEqual([
      expect.objectContaining({
        purchaseId: created.body.purchaseId,
        accountId: 'close-job-buyer',
        provider: 'stripe',
        providerMicros: '25000000',
      }),
    ]);
    expect(body.categories.creditedNotPaid).toEqual([]);
  });
});
