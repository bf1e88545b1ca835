// The five-minute grace window and the payment outcomes, through the local server with its local
// scheduler and queue: on the manual clock, on a real timer, and with faults injected.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChargeEffects } from '../core/effects.js';
import { handleGraceDeadline } from '../core/grace/deadline.js';
import type { GraceScheduler } from '../core/grace/port.js';
import { charge, getCharge, type Micros } from '../core/index.js';
import { run } from '../core/ledger/commit.js';
import { addPurchasedLot } from '../core/ledger/grants.js';
import { OutcomePublisher, SWEEP_GRACE_MS } from '../core/outcomes/publisher.js';
import { keys } from '../core/table/keys.js';
import { configFromEnv } from '../functions/http/runtime.js';
import { type Api, startApi } from './support/api.js';
import { c, expectInvariants } from './support/ledger.js';
import { buyCredits } from './support/purchases.js';

let api: Api;
let accounts = 0;
const fresh = () => `grace-${++accounts}`;

beforeAll(async () => {
  api = await startApi();
});

afterAll(() => api.jobs.stop());

async function pending(accountId: string, amount: string, key = `${accountId}-${amount}`) {
  const response = await api.call('POST', '/credits/charges', {
    token: await api.token(accountId),
    body: { deploymentId: `dep-${key}`, amount },
    headers: { 'idempotency-key': key },
  });
  expect(response.status, response.text).toBe(202);
  return response.body as { chargeId: string; graceExpiresAt: string };
}

async function topUp(accountId: string, amount: string) {
  await buyCredits(api.ledger, accountId, c(amount));
}

const handleGraceDeadlineFor = (app: Api, accountId: string, chargeId: string) =>
  handleGraceDeadline(app.ledger, { accountId, chargeId });
const scheduleOf = (chargeId: string) => api.ledger.table.get(keys.localSchedule(chargeId));

async function outcomesOf(chargeId: string) {
  await api.jobs.outcomes.drained();
  return api.outcomes.filter((m) => m.chargeId === chargeId);
}

const advance = (seconds: number) =>
  api.call('POST', '/admin/test-clock', { token: adminToken, body: { advanceSeconds: seconds } });
let adminToken: string;
beforeAll(async () => {
  adminToken = await api.token('finance', 'credits:admin');
});

describe('on the manual clock', () => {
  it('pending, then a top-up within the window: paid, its schedule deleted, the outcome published once', async () => {
    const accountId = fresh();
    const { chargeId } = await pending(accountId, '20');
    expect(await scheduleOf(chargeId)).toMatchObject({ accountId, chargeId });
    api.clock.advance(60_000);
    await topUp(accountId, '25');

    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('paid');
    expect(await scheduleOf(chargeId)).toBeUndefined();
    expect(await outcomesOf(chargeId)).toEqual([
      expect.objectContaining({
        outcomeId: `${chargeId}:paid`,
        status: 'paid',
        amount: '20.00',
        deploymentId: `dep-${accountId}-20`,
        accountId,
      }),
    ]);
    // Its deadline passing later changes nothing, and publishes nothing more.
    await advance(600);
    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('paid');
    expect(await outcomesOf(chargeId)).toHaveLength(1);
    await expectInvariants(api.ledger, accountId, { expiriesApplied: true });
  });

  it('pending, then the deadline: failed, the user notified, the outcome published once', async () => {
    const accountId = fresh();
    const { chargeId } = await pending(accountId, '40');
    await advance(299);
    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('pending_payment');
    await advance(2);
    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('failed');
    expect(await scheduleOf(chargeId)).toBeUndefined();
    expect(await outcomesOf(chargeId)).toEqual([
      expect.objectContaining({ outcomeId: `${chargeId}:failed`, status: 'failed', amount: '40.00' }),
    ]);
    const notes = await api.call('GET', '/notifications', { token: await api.token(accountId) });
    expect(notes.body.items.map((n: { type: string }) => n.type)).toContain('charge_failed');
    // Credit that arrives after the deadline does not revive it.
    await topUp(accountId, '50');
    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('failed');
    await expectInvariants(api.ledger, accountId, { expiriesApplied: true });
  });

  it('pending, then cancelled: its schedule deleted, the outcome published once', async () => {
    const accountId = fresh();
    const { chargeId } = await pending(accountId, '15');
    const cancelled = await api.call('POST', `/credits/charges/${chargeId}/cancel`, {
      token: await api.token(accountId),
    });
    expect(cancelled.body).toEqual({ chargeId, status: 'cancelled' });
    expect(await scheduleOf(chargeId)).toBeUndefined();
    await advance(400);
    expect(await outcomesOf(chargeId)).toEqual([
      expect.objectContaining({ outcomeId: `${chargeId}:cancelled`, status: 'cancelled' }),
    ]);
  });

  it('one top-up that covers only the first of two pending charges settles them in order', async () => {
    const accountId = fresh();
    const first = await pending(accountId, '30', 'first');
    const second = await pending(accountId, '30', 'second');
    await topUp(accountId, '25'); // 25 + 10 allowance covers 30 once
    expect((await getCharge(api.ledger, accountId, first.chargeId)).status).toBe('paid');
    expect((await getCharge(api.ledger, accountId, second.chargeId)).status).toBe('pending_payment');
    expect(await scheduleOf(second.chargeId)).toBeDefined();
    await advance(301);
    expect((await getCharge(api.ledger, accountId, second.chargeId)).status).toBe('failed');
    expect((await outcomesOf(first.chargeId)).map((m) => m.status)).toEqual(['paid']);
    expect((await outcomesOf(second.chargeId)).map((m) => m.status)).toEqual(['failed']);
    await expectInvariants(api.ledger, accountId, { expiriesApplied: true });
  });

  it('a charge paid at once is published too', async () => {
    const accountId = fresh();
    await topUp(accountId, '10');
    const paid = await api.call('POST', '/credits/charges', {
      token: await api.token(accountId),
      body: { deploymentId: 'now', amount: '2.5' },
      headers: { 'idempotency-key': 'now' },
    });
    expect(await outcomesOf(paid.body.chargeId)).toEqual([
      expect.objectContaining({ status: 'paid', amount: '2.50', deploymentId: 'now' }),
    ]);
  });
});

describe('the grace handler is idempotent', () => {
  it(
    'delivered twice, late, early, after settlement or with a bad input, it changes nothing it should ' + 'not',
    async () => {
      const accountId = fresh();
      const { chargeId } = await pending(accountId, '20');
      expect(await handleGraceDeadlineFor(api, accountId, chargeId)).toMatchObject({
        changed: false,
        status: 'pending_payment',
      }); // early
      api.clock.advance(86_400_000); // a day late
      expect(await handleGraceDeadlineFor(api, accountId, chargeId)).toMatchObject({ changed: true, status: 'failed' });
      expect(await handleGraceDeadlineFor(api, accountId, chargeId)).toMatchObject({
        changed: false,
        status: 'failed',
      }); // again
      expect(await outcomesOf(chargeId)).toHaveLength(1);

      const settled = fresh();
      const other = await pending(settled, '20');
      await topUp(settled, '30');
      api.clock.advance(301_000);
      expect(await handleGraceDeadlineFor(api, settled, other.chargeId)).toMatchObject({
        changed: false,
        status: 'paid',
      });
      expect(await handleGraceDeadlineFor(api, settled, 'ch_01ARZ3NDEKTSV4RRFFQ69G5FAV')).toMatchObject({
        ignored: 'no such charge',
      });
      expect(await handleGraceDeadlineFor(api, '../x', 'nope')).toMatchObject({ ignored: expect.any(String) });
      await expectInvariants(api.ledger, settled, { expiriesApplied: true });
    },
  );
});

describe('faults', () => {
  it('the scheduler fails after the charge was stored: the sweep fails the charge at its deadline', async () => {
    const broken: GraceScheduler = {
      schedule: () => Promise.reject(new Error('scheduler unavailable')),
      cancel: () => Promise.resolve(),
    };
    const healthy = api.ledger.effects;
    api.ledger.effects = new ChargeEffects(broken, api.jobs.publisher);
    const accountId = fresh();
    let chargeId: string;
    try {
      ({ chargeId } = await pending(accountId, '20'));
    } finally {
      api.ledger.effects = healthy;
    }
    expect(await scheduleOf(chargeId)).toBeUndefined();
    await advance(301); // fires due schedules (none for it), then sweeps
    expect((await getCharge(api.ledger, accountId, chargeId)).status).toBe('failed');
    expect(await outcomesOf(chargeId)).toEqual([expect.objectContaining({ status: 'failed' })]);
  });

  it('the queue fails: the outcome stays in the outbox and the sweep publishes it, once', async () => {
    const failingQueue = {
      send: async (messages: { outcomeId: string }[]) => ({ failed: messages.map((m) => m.outcomeId) }),
    };
    const healthy = api.ledger.effects;
    api.ledger.effects = new ChargeEffects(api.jobs.scheduler, new OutcomePublisher(api.ledger, failingQueue as never));
    const accountId = fresh();
    await topUp(accountId, '10');
    let chargeId: string;
    try {
      const paid = await charge(api.ledger, {
        accountId,
        deploymentId: 'd',
        amount: c('1') as Micros,
        idempotencyKey: 'q',
      });
      chargeId = paid.chargeId;
    } finally {
      api.ledger.effects = healthy;
    }
    expect(await outcomesOf(chargeId)).toEqual([]);
    expect(await api.ledger.table.get(keys.charge(accountId, chargeId))).toMatchObject({
      gsi3pk: expect.stringMatching(/^OUTBOX#/),
    });
    await api.jobs.sweep(); // too young: left to its own publisher
    expect(await outcomesOf(chargeId)).toEqual([]);
    api.clock.advance(SWEEP_GRACE_MS + 1);
    await api.jobs.sweep();
    await api.jobs.sweep();
    expect(await outcomesOf(chargeId)).toEqual([expect.objectContaining({ outcomeId: `${chargeId}:paid` })]);
    expect(await api.ledger.table.get(keys.charge(accountId, chargeId))).not.toHaveProperty('gsi3pk');
  });
});

describe('on a real timer', () => {
  it('with a 2 s grace period a pending charge fails on its own', async () => {
    const live = await startApi({ systemClock: true, config: configFromEnv({ GRACE_PERIOD_SECONDS: '2' }) });
    try {
      const token = await live.token('timer');
      const created = await live.call('POST', '/credits/charges', {
        token,
        body: { deploymentId: 'timer', amount: '50' },
        headers: { 'idempotency-key': 'timer' },
      });
      expect(created.status).toBe(202);
      const deadline = Date.now() + 15_000;
      let status = 'pending_payment';
      while (status === 'pending_payment' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = (await live.call('GET', `/credits/charges/${created.body.chargeId}`, { token })).body.status;
      }
      expect(status).toBe('failed');
      await live.jobs.outcomes.drained();
      expect(live.outcomes).toEqual([expect.objectContaining({ chargeId: created.body.chargeId, status: 'failed' })]);
    } finally {
      live.jobs.stop();
    }
  });
});

describe('a top-up too big for one transaction', () => {
  it('settles the pending charges it has no room for right after, in order, each once', async () => {
    const accountId = fresh();
    const older = await pending(accountId, '30', 'older');
    const newer = await pending(accountId, '30', 'newer');
    // A credit whose transaction is already nearly full: 94 notifications, then the lot.
    const credited = await run(api.ledger, {
      name: 'bigTopUp',
      accountId,
      plan: (draft) => {
        for (let i = 0; i < 94; i += 1) draft.notify('promotional_grant', `note ${i}`);
        const lot = addPurchasedLot(draft, { amount: c('100'), source: 'stripe', purchaseId: `pu-big-${accountId}` });
        return { deferred: draft.settlementDeferred, lotId: lot.lotId };
      },
    });
    expect(credited.deferred).toBe(true);
    expect((await getCharge(api.ledger, accountId, older.chargeId)).status).toBe('paid');
    expect((await getCharge(api.ledger, accountId, newer.chargeId)).status).toBe('paid');
    const snap = await expectInvariants(api.ledger, accountId, { expiriesApplied: true });
    expect(snap.entries.map((e) => [e.type, e.reference])).toEqual([
      ['purchase', `pu-big-${accountId}`],
      ['usage', older.chargeId],
      ['usage', newer.chargeId],
    ]);
    expect((await outcomesOf(older.chargeId)).map((m) => m.status)).toEqual(['paid']);
    expect((await outcomesOf(newer.chargeId)).map((m) => m.status)).toEqual(['paid']);
  });
});
