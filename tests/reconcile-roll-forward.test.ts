// The roll-forward (SPEC §12) over random days of activity, on DynamoDB Local: purchases, grants
// that expire, charges, refunds of charges, withdrawals requested and rejected, provider disputes.
// Every day's report must add up exactly, its opening must be the day before's closing, and its
// closing the sum of every entry written before the cut-off, read independently of the close.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { rejectWithdrawal, requestWithdrawal } from '../core/index.js';
import { expireDueLots } from '../core/ledger/expiry.js';
import { grantPromotional } from '../core/ledger/grants.js';
import { refund } from '../core/ledger/refund.js';
import { micros } from '../core/money.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { type CloseReport, reportFromJson } from '../core/reconcile/report.js';
import { rollForwardGap } from '../core/reconcile/roll-forward.js';
import { DAY_MS, utcDay } from '../core/time.js';
import { c, deploy, FINANCE, newLedger, T0, wholeTable } from './support/ledger.js';
import { MemoryPayments } from './support/memory-payments.js';
import { type Bought, buyCredits, providerDisputes } from './support/purchases.js';
import { WALLET } from './support/wallet.js';

const ACCOUNTS = ['rf-a', 'rf-b', 'rf-c'];
const RUNS = Number(process.env.ROLL_FORWARD_RUNS ?? 6);

const op = fc.oneof(
  fc.record({ kind: fc.constant('buy' as const), account: fc.nat(2), cents: fc.integer({ min: 100, max: 50_000 }) }),
  fc.record({ kind: fc.constant('grant' as const), account: fc.nat(2), cents: fc.integer({ min: 1, max: 5_000 }) }),
  fc.record({ kind: fc.constant('charge' as const), account: fc.nat(2), cents: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('refund' as const), account: fc.nat(2) }),
  fc.record({ kind: fc.constant('withdraw' as const), account: fc.nat(2), reject: fc.boolean() }),
  fc.record({ kind: fc.constant('dispute' as const), account: fc.nat(2), part: fc.integer({ min: 1, max: 100 }) }),
);
const days = fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 3 });

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

async function playDays(plan: Op[][]): Promise<void> {
  const { ledger, clock, table } = await newLedger();
  const store = new LocalDigestStore(await mkdtemp(join(tmpdir(), 'roll-forward-')));
  const stripe = new MemoryPayments('stripe', clock);
  const step = reconcileStep({ table, store, sources: [stripe] });
  const bought = new Map<string, Bought[]>();
  const charges = new Map<string, string[]>();
  const startOfDay0 = T0 - (T0 % DAY_MS);
  for (const [d, ops] of plan.entries()) {
    clock.set(startOfDay0 + d * DAY_MS + 3_600_000);
    for (const o of ops) {
      clock.advance(60_000);
      await apply(o, { ledger, bought, charges, stripe }).catch(() => undefined); // refused operations change nothing
    }
    // The grants of the day before expire overnight (2 hours after they were given, at most a day later).
    for (const accountId of ACCOUNTS) await expireDueLots(ledger, accountId);
  }
  clock.set(startOfDay0 + plan.length * DAY_MS + 1_800_000);
  const lastDay = utcDay(startOfDay0 + (plan.length - 1) * DAY_MS);
  await closeDays({ table, store, nowMs: clock.nowMs(), after: [step] }, utcDay(startOfDay0));
  await closeDays({ table, store, nowMs: clock.nowMs(), after: [step] }, lastDay);
  const entries = (await wholeTable(table)).filter((item) => item.itemType === 'entry');
  let previous: CloseReport | undefined;
  for (let d = 0; d < plan.length; d += 1) {
    const day = utcDay(startOfDay0 + d * DAY_MS);
    const report = reportFromJson((await store.closeReport(day, 'json')) ?? '');
    const cutoff = new Date(startOfDay0 + (d + 1) * DAY_MS).toISOString();
    const total = entries
      .filter((e) => String(e.createdAt) < cutoff)
      .reduce((sum, e) => sum + BigInt(Number(e.amount)), 0n);
    expect(rollForwardGap(report.rollForward), day).toBe(0n);
    expect(report.rollForwardHolds, day).toBe(true);
    expect(BigInt(report.rollForward.closingMicros), day).toBe(total);
    if (previous) expect(report.rollForward.openingMicros).toBe(previous.rollForward.closingMicros);
    previous = report;
  }
}

interface World {
  ledger: Awaited<ReturnType<typeof newLedger>>['ledger'];
  bought: Map<string, Bought[]>;
  charges: Map<string, string[]>;
  stripe: MemoryPayments;
}

let keys = 0;

async function apply(o: Op, w: World): Promise<void> {
  const accountId = ACCOUNTS[o.account] ?? 'rf-a';
  const { ledger } = w;
  if (o.kind === 'buy') {
    const b = await buyCredits(ledger, accountId, micros(o.cents * 10_000));
    w.stripe.pay(b, micros(o.cents * 10_000));
    w.bought.set(accountId, [...(w.bought.get(accountId) ?? []), b]);
  } else if (o.kind === 'grant') {
    await grantPromotional(ledger, {
      accountId,
      amount: micros(o.cents * 10_000),
      expiresAtMs: ledger.nowMs() + 2 * 3_600_000,
      description: 'promotion',
    });
  } else if (o.kind === 'charge') {
    const charged = await deploy(ledger, accountId, (o.cents / 100).toFixed(2));
    if ('chargeId' in charged) w.charges.set(accountId, [...(w.charges.get(accountId) ?? []), charged.chargeId]);
  } else if (o.kind === 'refund') {
    const chargeId = w.charges.get(accountId)?.at(-1);
    if (chargeId)
      await refund(ledger, { accountId, chargeId, amount: c('0.01'), idempotencyKey: `rf-${++keys}`, actor: FINANCE });
  } else if (o.kind === 'withdraw') {
    const w1 = await requestWithdrawal(ledger, { accountId, amount: c('1'), destination: WALLET });
    if (o.reject) await rejectWithdrawal(ledger, w1.withdrawalId, 'not this time', FINANCE);
  } else {
    const b = w.bought.get(accountId)?.at(-1);
    if (b) await providerDisputes(ledger, b, micros(Math.max(1, Math.floor((c('1') * o.part) / 100))));
  }
}

describe('the roll-forward', () => {
  it(`holds exactly over random days of activity (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(days, playDays), { numRuns: RUNS });
  }, 600_000);
});
