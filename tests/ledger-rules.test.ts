// The ledger's product rules (SPEC §3–4), each run on DynamoDB Local and checked against the
// stored account, lots and entries, with the invariants asserted after every scenario.

import { describe, expect, it } from 'vitest';
import {
  applyPaymentEvent,
  Conflict,
  cancelPendingCharge,
  charge,
  createPurchase,
  DAY_MS,
  DEFAULT_PURCHASE_LIMITS,
  expireDueLots,
  expirePendingCharge,
  getBalance,
  getCharge,
  grantPromotional,
  IdempotencyKeyReused,
  InvalidRequest,
  type Ledger,
  type Micros,
  refund,
  setNegativeAllowance,
} from '../core/index.js';
import { fingerprint } from '../core/ledger/ledger.js';
import { c, expectInvariants, newLedger, snapshot, T0 } from './support/ledger.js';
import { buyCredits, providerDisputes, providerRefunds } from './support/purchases.js';

let keySeq = 0;
const key = () => `key-${++keySeq}`;
async function buy(ledger: Ledger, accountId: string, amount: string) {
  return buyCredits(ledger, accountId, c(amount));
}
async function promo(ledger: Ledger, accountId: string, amount: string, expiresInDays: number | null) {
  return grantPromotional(ledger, {
    accountId,
    amount: c(amount),
    expiresAtMs: expiresInDays === null ? null : ledger.nowMs() + expiresInDays * DAY_MS,
    description: 'Welcome bonus',
  });
}
async function pay(ledger: Ledger, accountId: string, amount: string, idempotencyKey = key()) {
  return charge(ledger, { accountId, deploymentId: 'dep-1', amount: c(amount), idempotencyKey });
}
function lotsTaken(allocations: { lotId: string; taken: Micros }[]) {
  return allocations.map((a) => [a.lotId, a.taken]);
}

describe('purchases', () => {
  it('a purchase creates a withdrawable lot that expires twelve calendar months later', async () => {
    const { ledger } = await newLedger();
    const bought = await buy(ledger, 'p1', '25.00');
    const lot = (await getBalance(ledger, 'p1')).lots.find((l) => l.lotId === bought.lotId);
    expect(lot).toMatchObject({
      kind: 'purchased',
      amount: c('25'),
      remaining: c('25'),
      withdrawable: true,
      expiresAt: '2027-01-31T12:00:00.000Z',
    });
    const snap = await expectInvariants(ledger, 'p1', { expiriesApplied: true });
    expect(snap.entries).toHaveLength(1);
    expect(snap.entries[0]).toMatchObject({
      type: 'purchase',
      amount: c('25'),
      balanceAfter: c('25'),
      reference: expect.stringMatching(/^pu_/),
    });
  });

  it('the same payment reported twice, or paid twice, is credited once', async () => {
    const { ledger } = await newLedger();
    const purchase = await createPurchase(ledger, {
      accountId: 'p2',
      amount: c('10'),
      method: 'card',
      limits: DEFAULT_PURCHASE_LIMITS,
    });
    const event = {
      provider: 'stripe' as const,
      eventId: 'evt_same',
      accountId: 'p2',
      purchaseId: purchase.purchaseId,
      outcome: { kind: 'paid' as const, amount: c('10'), paymentRef: 'pi_same' },
    };
    const first = await applyPaymentEvent(ledger, event);
    const again = await applyPaymentEvent(ledger, event);
    expect(again).toEqual(first);
    const secondPayment = await applyPaymentEvent(ledger, { ...event, eventId: 'evt_other' });
    expect(secondPayment.effect).toBe('none');
    const snap = await expectInvariants(ledger, 'p2', { expiriesApplied: true });
    expect(snap.entries).toHaveLength(1);
    expect((await getBalance(ledger, 'p2')).balance).toBe(c('10'));
  });
});

describe('charges', () => {
  it(
    'takes credit in consumption order: earliest expiry first, promotional before purchased on a tie, no ' +
      'expiry last',
    async () => {
      const { ledger } = await newLedger();
      const never = await promo(ledger, 'c1', '5', null);
      const purchased = await buy(ledger, 'c1', '5'); // expires in 12 months
      const soon = await promo(ledger, 'c1', '5', 10);
      const sameDayPromo = await grantPromotional(ledger, {
        accountId: 'c1',
        amount: c('5'),
        expiresAtMs: Date.parse(purchased.expiresAt!),
        description: 'Tie',
      });
      const result = await pay(ledger, 'c1', '17.5');
      expect(result.status).toBe('paid');
      const stored = await getCharge(ledger, 'c1', result.chargeId);
      expect(lotsTaken(stored.allocations)).toEqual([
        [soon.lotId, c('5')],
        [sameDayPromo.lotId, c('5')],
        [purchased.lotId, c('5')],
        [never.lotId, c('2.5')],
      ]);
      const snap = await expectInvariants(ledger, 'c1', { expiriesApplied: true });
      expect(snap.state.lots.map((l) => [l.lotId, l.remaining])).toEqual([[never.lotId, c('2.5')]]);
    },
  );

  it('on equal expiry and kind, the oldest lot is used first', async () => {
    const { ledger, clock } = await newLedger();
    const expiresAtMs = T0 + 100 * DAY_MS;
    const older = await grantPromotional(ledger, { accountId: 'c2', amount: c('3'), expiresAtMs, description: 'a' });
    clock.advance(1000);
    const newer = await grantPromotional(ledger, { accountId: 'c2', amount: c('3'), expiresAtMs, description: 'b' });
    const result = await pay(ledger, 'c2', '4');
    const stored = await getCharge(ledger, 'c2', result.chargeId);
    expect(lotsTaken(stored.allocations)).toEqual([
      [older.lotId, c('3')],
      [newer.lotId, c('1')],
    ]);
  });

  it('uses the negative allowance when the balance is short, and says so', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'c3', '5');
    const result = await pay(ledger, 'c3', '12.000001');
    expect(result).toMatchObject({ status: 'paid', usedAllowance: c('7.000001'), balance: c('-7.000001') });
    const snap = await expectInvariants(ledger, 'c3', { expiriesApplied: true });
    expect(snap.state.debts).toEqual([{ ref: result.chargeId, amount: c('7.000001') }]);
    const balance = await getBalance(ledger, 'c3');
    expect(balance).toMatchObject({ balance: c('-7.000001'), debt: c('7.000001'), negativeAllowance: c('10') });
  });

  it('a charge beyond the allowance waits in pending_payment and takes nothing', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'c4', '5');
    const result = await pay(ledger, 'c4', '15.01');
    expect(result).toMatchObject({
      status: 'pending_payment',
      shortfall: c('10.01'),
      graceExpiresAt: '2026-01-31T12:05:00.000Z',
    });
    const snap = await expectInvariants(ledger, 'c4', { expiriesApplied: true });
    expect(snap.entries).toHaveLength(1);
    // It keeps what it is for, so its usage entry says so when it is paid (SPEC §10).
    expect(snap.state.pending).toEqual([
      {
        chargeId: result.chargeId,
        amount: c('15.01'),
        graceExpiresAtMs: T0 + 300_000,
        product: 'other',
        deploymentId: result.deploymentId,
      },
    ]);
    expect((await getBalance(ledger, 'c4')).balance).toBe(c('5'));
  });

  it(
    'credit that arrives in the window settles pending charges oldest first, stopping at the first that does ' +
      'not fit',
    async () => {
      const { ledger, clock } = await newLedger({ defaultAllowance: c('0') });
      const first = await pay(ledger, 'c5', '8');
      clock.advance(1000);
      const second = await pay(ledger, 'c5', '5');
      expect([first.status, second.status]).toEqual(['pending_payment', 'pending_payment']);
      clock.advance(1000);
      await buy(ledger, 'c5', '10');
      expect((await getCharge(ledger, 'c5', first.chargeId)).status).toBe('paid');
      expect((await getCharge(ledger, 'c5', second.chargeId)).status).toBe('pending_payment');
      expect((await getBalance(ledger, 'c5')).balance).toBe(c('2'));
      await buy(ledger, 'c5', '5');
      expect((await getCharge(ledger, 'c5', second.chargeId)).status).toBe('paid');
      const snap = await expectInvariants(ledger, 'c5', { expiriesApplied: true });
      expect(snap.entries.map((e) => e.type)).toEqual(['purchase', 'usage', 'purchase', 'usage']);
    },
  );

  it('incoming credit pays debt first, and records on the charge which lot paid it', async () => {
    const { ledger } = await newLedger();
    const charged = await pay(ledger, 'c6', '4');
    expect(charged).toMatchObject({ status: 'paid', usedAllowance: c('4') });
    const lot = await buy(ledger, 'c6', '10');
    expect(lot.remaining).toBe(c('6'));
    const snap = await expectInvariants(ledger, 'c6', { expiriesApplied: true });
    expect(snap.state.debts).toEqual([]);
    expect(lotsTaken((await getCharge(ledger, 'c6', charged.chargeId)).allocations)).toEqual([[lot.lotId, c('4')]]);
  });

  it('the same Idempotency-Key and body replays the first response; another body is refused', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'c7', '10');
    const first = await pay(ledger, 'c7', '3', 'same-key');
    const replay = await pay(ledger, 'c7', '3', 'same-key');
    expect(replay).toEqual(first);
    await expect(pay(ledger, 'c7', '4', 'same-key')).rejects.toThrow(IdempotencyKeyReused);
    const snap = await expectInvariants(ledger, 'c7', { expiriesApplied: true });
    expect(snap.charges).toHaveLength(1);
    expect((await getBalance(ledger, 'c7')).balance).toBe(c('7'));
  });

  it('refuses zero and negative amounts with nothing changed', async () => {
    const { ledger } = await newLedger();
    await expect(pay(ledger, 'c8', '0')).rejects.toThrow(InvalidRequest);
    await expect(
      charge(ledger, { accountId: 'c8', deploymentId: '../etc', amount: c('1'), idempotencyKey: key() }),
    ).rejects.toThrow(InvalidRequest);
    expect((await snapshot(ledger.table, 'c8')).entries).toHaveLength(0);
  });
});

describe('the grace deadline and cancel', () => {
  it('at the deadline a charge that still cannot be paid fails, once', async () => {
    const { ledger, clock } = await newLedger();
    const pending = await pay(ledger, 'g1', '20');
    expect(await expirePendingCharge(ledger, 'g1', pending.chargeId)).toMatchObject({
      status: 'pending_payment',
      changed: false,
    });
    clock.advance(300_000);
    expect(await expirePendingCharge(ledger, 'g1', pending.chargeId)).toMatchObject({
      status: 'failed',
      changed: true,
    });
    expect(await expirePendingCharge(ledger, 'g1', pending.chargeId)).toMatchObject({
      status: 'failed',
      changed: false,
    });
    const snap = await expectInvariants(ledger, 'g1', { expiriesApplied: true });
    expect(snap.state.pending).toEqual([]);
    expect(snap.entries).toHaveLength(0);
  });

  it('credit arriving after the deadline does not pay the expired charge', async () => {
    const { ledger, clock } = await newLedger({ defaultAllowance: c('0') });
    const pending = await pay(ledger, 'g2', '5');
    clock.advance(300_001);
    await buy(ledger, 'g2', '10');
    expect((await getCharge(ledger, 'g2', pending.chargeId)).status).toBe('pending_payment');
    expect((await expirePendingCharge(ledger, 'g2', pending.chargeId)).status).toBe('paid');
    await expectInvariants(ledger, 'g2', { expiriesApplied: true });
  });

  it('a pending charge can be cancelled; a paid one cannot', async () => {
    const { ledger } = await newLedger();
    const pending = await pay(ledger, 'g3', '50');
    expect(await cancelPendingCharge(ledger, 'g3', pending.chargeId)).toEqual({
      chargeId: pending.chargeId,
      status: 'cancelled',
    });
    await expect(cancelPendingCharge(ledger, 'g3', pending.chargeId)).rejects.toThrow(Conflict);
    const paid = await pay(ledger, 'g3', '1');
    await expect(cancelPendingCharge(ledger, 'g3', paid.chargeId)).rejects.toThrow(Conflict);
    const snap = await expectInvariants(ledger, 'g3', { expiriesApplied: true });
    expect(snap.state.pending).toEqual([]);
  });

  it('a higher allowance settles a waiting charge', async () => {
    const { ledger } = await newLedger();
    const pending = await pay(ledger, 'g4', '15');
    await setNegativeAllowance(ledger, 'g4', c('20'));
    expect((await getCharge(ledger, 'g4', pending.chargeId)).status).toBe('paid');
    const snap = await expectInvariants(ledger, 'g4', { expiriesApplied: true });
    expect(snap.state.debts).toEqual([{ ref: pending.chargeId, amount: c('15') }]);
  });
});

describe('refunds', () => {
  it('partial refunds add up to the charged amount and no further', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'r1', '10');
    const paid = await pay(ledger, 'r1', '6');
    await refund(ledger, { accountId: 'r1', chargeId: paid.chargeId, amount: c('2.5'), idempotencyKey: key() });
    await refund(ledger, { accountId: 'r1', chargeId: paid.chargeId, amount: c('3.5'), idempotencyKey: key() });
    await expect(
      refund(ledger, { accountId: 'r1', chargeId: paid.chargeId, amount: c('0.000001'), idempotencyKey: key() }),
    ).rejects.toThrow(Conflict);
    expect((await getCharge(ledger, 'r1', paid.chargeId)).refunded).toBe(c('6'));
    const snap = await expectInvariants(ledger, 'r1', { expiriesApplied: true });
    expect(snap.state.lots[0]!.remaining).toBe(c('10'));
  });

  it('a refund restores the lot that was spent last', async () => {
    const { ledger } = await newLedger();
    const early = await promo(ledger, 'r2', '4', 30);
    const late = await buy(ledger, 'r2', '10');
    const paid = await pay(ledger, 'r2', '7');
    await refund(ledger, { accountId: 'r2', chargeId: paid.chargeId, amount: c('2'), idempotencyKey: key() });
    const snap = await expectInvariants(ledger, 'r2', { expiriesApplied: true });
    const remaining = Object.fromEntries(snap.state.lots.map((l) => [l.lotId, l.remaining]));
    expect(remaining).toEqual({ [late.lotId]: c('9') });
    expect(remaining[early.lotId]).toBeUndefined();
    await refund(ledger, { accountId: 'r2', chargeId: paid.chargeId, amount: c('3'), idempotencyKey: key() });
    const after = await expectInvariants(ledger, 'r2', { expiriesApplied: true });
    expect(Object.fromEntries(after.state.lots.map((l) => [l.lotId, l.remaining]))).toEqual({
      [late.lotId]: c('10'),
      [early.lotId]: c('2'),
    });
  });

  it('a refund first pays back the debt its charge created', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'r3', '5');
    const paid = await pay(ledger, 'r3', '8');
    const result = await refund(ledger, {
      accountId: 'r3',
      chargeId: paid.chargeId,
      amount: c('4'),
      idempotencyKey: key(),
    });
    expect(result.balance).toBe(c('1'));
    const snap = await expectInvariants(ledger, 'r3', { expiriesApplied: true });
    expect(snap.state.debts).toEqual([]);
    expect(snap.state.lots[0]!.remaining).toBe(c('1'));
  });

  it(
    'a part whose lot has expired comes back as a new lot of the same kind, expiring 30 days after the ' + 'refund',
    async () => {
      const { ledger, clock } = await newLedger();
      const short = await promo(ledger, 'r4', '5', 2);
      const paid = await pay(ledger, 'r4', '5');
      clock.advance(3 * DAY_MS);
      await refund(ledger, { accountId: 'r4', chargeId: paid.chargeId, amount: c('5'), idempotencyKey: key() });
      const snap = await expectInvariants(ledger, 'r4', { expiriesApplied: true });
      expect(snap.state.lots).toHaveLength(1);
      const reissued = snap.state.lots[0]!;
      expect(reissued.lotId).not.toBe(short.lotId);
      expect(reissued).toMatchObject({
        kind: 'promotional',
        amount: c('5'),
        remaining: c('5'),
        expiresAtMs: clock.nowMs() + 30 * DAY_MS,
      });
      expect(snap.lots.find((l) => l.lotId === reissued.lotId)).toMatchObject({ source: 'refund' });
    },
  );

  it('a refund after the debt was repaid gives back the credit that repaid it', async () => {
    const { ledger } = await newLedger();
    const paid = await pay(ledger, 'r5', '4');
    const lot = await buy(ledger, 'r5', '10');
    await refund(ledger, { accountId: 'r5', chargeId: paid.chargeId, amount: c('4'), idempotencyKey: key() });
    const snap = await expectInvariants(ledger, 'r5', { expiriesApplied: true });
    expect(snap.state.lots.map((l) => [l.lotId, l.remaining])).toEqual([[lot.lotId, c('10')]]);
  });

  it('a retried refund replays even after the charge is fully refunded', async () => {
    const { ledger } = await newLedger();
    await buy(ledger, 'r6', '10');
    const paid = await pay(ledger, 'r6', '3');
    const first = await refund(ledger, {
      accountId: 'r6',
      chargeId: paid.chargeId,
      amount: c('3'),
      idempotencyKey: 'rk',
    });
    expect(
      await refund(ledger, { accountId: 'r6', chargeId: paid.chargeId, amount: c('3'), idempotencyKey: 'rk' }),
    ).toEqual(first);
    await expect(
      refund(ledger, { accountId: 'r6', chargeId: paid.chargeId, amount: c('2'), idempotencyKey: 'rk' }),
    ).rejects.toThrow(IdempotencyKeyReused);
    const snap = await expectInvariants(ledger, 'r6', { expiriesApplied: true });
    expect(snap.entries.filter((e) => e.type === 'refund')).toHaveLength(1);
  });

  it('only paid charges are refundable', async () => {
    const { ledger } = await newLedger();
    const pending = await pay(ledger, 'r7', '100');
    await expect(
      refund(ledger, { accountId: 'r7', chargeId: pending.chargeId, amount: c('1'), idempotencyKey: key() }),
    ).rejects.toThrow(Conflict);
  });
});

describe('provider refunds and disputes', () => {
  it('reverse the unspent part, turn the spent part into debt beyond the allowance, and flag the account', async () => {
    const { ledger } = await newLedger();
    const lot = await buy(ledger, 'v1', '30');
    await pay(ledger, 'v1', '25');
    const reversal = await providerDisputes(ledger, lot, c('30'), 'dp_1');
    expect(reversal).toMatchObject({ reversed: c('30'), debtCreated: c('25'), balance: c('-25') });
    const again = await providerDisputes(ledger, lot, c('30'), 'dp_1');
    expect(again).toEqual(reversal);
    const snap = await expectInvariants(ledger, 'v1', { expiriesApplied: true });
    expect(snap.state.flagged).toBe(true);
    expect(snap.entries.filter((e) => e.type === 'reversal')).toHaveLength(1);
  });

  it('credit that had already expired is not turned into debt', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'v2', '10');
    await pay(ledger, 'v2', '4');
    clock.advance(366 * DAY_MS);
    await expireDueLots(ledger, 'v2');
    const reversal = await providerRefunds(ledger, lot, c('10'));
    expect(reversal).toMatchObject({ reversed: c('10'), debtCreated: c('4'), balance: c('-4') });
    await expectInvariants(ledger, 'v2', { expiriesApplied: true });
  });
});

describe('idempotency fingerprints', () => {
  it('do not depend on the order of fields, so a report read back from the table replays rather than conflicts', () => {
    expect(fingerprint(['pi_1', { kind: 'refund', totalRefunded: 500 }])).toBe(
      fingerprint(['pi_1', { totalRefunded: 500, kind: 'refund' }]),
    );
    expect(fingerprint(['pi_1', { kind: 'refund', totalRefunded: 500 }])).not.toBe(
      fingerprint(['pi_1', { kind: 'refund', totalRefunded: 501 }]),
    );
    expect(fingerprint([{ a: { y: 1, x: [{ q: 1, p: 2 }] } }])).toBe(
      fingerprint([{ a: { x: [{ p: 2, q: 1 }], y: 1 } }]),
    );
  });
});

describe('expiry', () => {
  it('expired credit stops counting at its expiry instant, before the nightly run', async () => {
    const { ledger, clock } = await newLedger();
    const lot = await buy(ledger, 'e1', '10');
    clock.set(Date.parse(lot.expiresAt!) - 1);
    expect((await getBalance(ledger, 'e1')).balance).toBe(c('10'));
    clock.set(Date.parse(lot.expiresAt!));
    expect((await getBalance(ledger, 'e1')).balance).toBe(c('0'));
    await expectInvariants(ledger, 'e1');
    const result = await expireDueLots(ledger, 'e1');
    expect(result).toMatchObject({ lotsExpired: 1, amountExpired: c('10') });
    expect(await expireDueLots(ledger, 'e1')).toMatchObject({ lotsExpired: 0 });
    const snap = await expectInvariants(ledger, 'e1', { expiriesApplied: true });
    expect(snap.entries.map((e) => [e.type, e.amount])).toEqual([
      ['purchase', c('10')],
      ['expiry', c('-10')],
    ]);
  });

  it('a purchase on a leap day expires on 28 February of the next year', async () => {
    const { ledger, clock } = await newLedger();
    clock.set(Date.UTC(2028, 1, 29, 8, 0, 0));
    const lot = await buy(ledger, 'e2', '10');
    expect(lot.expiresAt).toBe('2029-02-28T08:00:00.000Z');
    clock.set(Date.UTC(2029, 1, 28, 7, 59, 59, 999));
    expect(await expireDueLots(ledger, 'e2')).toMatchObject({ lotsExpired: 0 });
    clock.set(Date.UTC(2029, 1, 28, 8, 0, 0));
    expect(await expireDueLots(ledger, 'e2')).toMatchObject({ lotsExpired: 1, amountExpired: c('10') });
  });

  it('only the part left expires', async () => {
    const { ledger, clock } = await newLedger();
    await buy(ledger, 'e3', '10');
    await pay(ledger, 'e3', '7.25');
    clock.advance(400 * DAY_MS);
    expect(await expireDueLots(ledger, 'e3')).toMatchObject({ lotsExpired: 1, amountExpired: c('2.75') });
    await expectInvariants(ledger, 'e3', { expiriesApplied: true });
  });
});
