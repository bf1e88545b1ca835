// fast-check commands that drive the real ledger and the reference model side by side. After
// every command the account's balance, debt, withdrawable amount, pending withdrawals and every
// charge's status must agree, and SPEC §3's invariants must hold on the stored items.

import fc from 'fast-check';
import { expect } from 'vitest';
import { assert } from '../../core/assert.js';
import {
  addCalendarMonths,
  applyPaymentEvent,
  approveWithdrawal,
  type ChargeResult,
  Conflict,
  cancelPendingCharge,
  cancelWithdrawal,
  charge,
  check,
  completeWithdrawal,
  createPurchase,
  DEFAULT_PURCHASE_LIMITS,
  expireDueLots,
  expirePendingCharge,
  Forbidden,
  getBalance,
  getPurchase,
  grantPromotional,
  IdempotencyKeyReused,
  InsufficientCredits,
  IoCreditsError,
  Ledger,
  LedgerTable,
  type ManualClock,
  type Micros,
  refund,
  rejectWithdrawal,
  requestWithdrawal,
  reversePayment,
  setLowBalanceThreshold,
  setNegativeAllowance,
} from '../../core/index.js';
import { loadAccount } from '../../core/items/account.js';
import { keys, SK_PREFIX } from '../../core/table/keys.js';
import { expectInvariants, FINANCE } from './ledger.js';
import { M_PRODUCTS, type MCharge, type MLot, Model, type MProduct, type MPurchase, type Outcome } from './model.js';
import { type Bought, buyCredits, providerDisputes } from './purchases.js';
import { WALLET } from './wallet.js';

const DAY = 86_400_000;
const CENT = 10_000;

export interface Real {
  ledger: Ledger;
  clock: ManualClock;
  accountId: string;
  seq: number;
  /** Each purchase by its lot, so a provider dispute can name its payment. */
  bought: Map<string, Bought>;
  /** The last charge made, to retry it; a key is only replayed while the ledger keeps it. */
  lastCharge?: { key: string; amount: number; product: MProduct; result: ChargeResult; atMs: number };
}

/** Any product of the catalog: a charge's, or one of a grant's scope. */
const productArb = fc.constantFrom(...M_PRODUCTS);
/** Half the promotional grants are scoped, to one to three products. */
const scopeArb = fc.option(fc.subarray([...M_PRODUCTS], { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 2 });

type Cmd = fc.AsyncCommand<Model, Real, false>;

function outcomeOf(error: unknown): Outcome {
  if (error instanceof Conflict) return 'conflict';
  if (error instanceof Forbidden) return 'forbidden';
  if (error instanceof InsufficientCredits) return 'insufficient';
  throw error;
}

async function attempt(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    await fn();
    return 'ok';
  } catch (error) {
    if (!(error instanceof IoCreditsError)) throw error;
    return outcomeOf(error);
  }
}

function pick<T>(items: T[], index: number): T | undefined {
  return items.length === 0 ? undefined : items[index % items.length];
}

/** The largest charge the ledger takes (SPEC §2: 1,000,000,000 credits). */
const MAX_CHARGE = 1_000_000_000 * 1_000_000;

/** One charge with a key of its own, answered as the model says. */
async function chargeOnce(m: Model, r: Real, amount: number, product: MProduct): Promise<void> {
  const expected = m.charge(amount, product);
  const key = `ch-${++r.seq}`;
  try {
    const result = await charge(r.ledger, {
      accountId: r.accountId,
      deploymentId: 'dep',
      product,
      amount: amount as Micros,
      idempotencyKey: key,
    });
    expect(result.status).toBe(expected.outcome);
    expected.charge!.id = result.chargeId;
    r.lastCharge = { key, amount, product, result, atMs: m.now };
  } catch (error) {
    expect(outcomeOf(error)).toBe(expected.outcome);
  }
}

async function withdrawOnce(m: Model, r: Real, amount: number): Promise<void> {
  const expected = m.withdraw(amount);
  try {
    const result = await requestWithdrawal(r.ledger, {
      accountId: r.accountId,
      amount: amount as Micros,
      destination: WALLET,
    });
    expect(expected.outcome).toBe('ok');
    expected.withdrawal!.id = result.withdrawalId;
  } catch (error) {
    expect(outcomeOf(error)).toBe(expected.outcome);
  }
}

/** Compares the stored account with the model and checks the invariants. */
export async function agree(m: Model, r: Real): Promise<void> {
  const view = await getBalance(r.ledger, r.accountId);
  expect({
    balance: view.balance,
    debt: view.debt,
    withdrawable: view.withdrawable,
    pendingWithdrawals: view.pendingWithdrawals,
    allowance: view.negativeAllowance,
  }).toEqual({
    balance: m.balance(),
    debt: m.debt(),
    withdrawable: m.withdrawable(),
    pendingWithdrawals: m.pendingWithdrawals,
    allowance: m.allowance,
  });
  // What each product may take, and the scoped credit by scope (SPEC §10).
  const available = await Promise.all(
    M_PRODUCTS.map(async (product) => [product, (await check(r.ledger, r.accountId, 0 as Micros, product)).available]),
  );
  expect(Object.fromEntries(available)).toEqual(Object.fromEntries(M_PRODUCTS.map((p) => [p, m.available(p)])));
  expect(Object.fromEntries(view.scoped.map((s) => [s.products.join(), s.remaining]))).toEqual(m.scoped());
  const snap = await expectInvariants(r.ledger, r.accountId);
  const stored = new Map(snap.charges.map((c) => [c.chargeId as string, c]));
  for (const c of m.charges) {
    expect(stored.get(c.id!), `charge ${c.id}`).toMatchObject({ status: c.status, refunded: c.refunded });
  }
  expect(snap.state.pending.map((p) => p.chargeId)).toEqual(m.pending.map((p) => p.id));
  for (const p of m.purchases) {
    const stored = await getPurchase(r.ledger, r.accountId, p.id!);
    expect(
      {
        status: stored.status,
        reversedAmount: stored.reversedAmount ?? 0,
        providerRefunded: stored.providerRefunded ?? 0,
      },
      `purchase #${p.index}`,
    ).toEqual({
      status: !p.lot ? 'pending' : p.reversedAmount > 0 ? 'reversed' : 'completed',
      reversedAmount: p.reversedAmount,
      providerRefunded: p.providerRefunded,
    });
  }
}

/** Ledgers on the same table that share nothing with `r.ledger` (other Lambda containers). */
const peers = new WeakMap<Ledger, Ledger[]>();
function peersOf(r: Real, count: number): Ledger[] {
  let list = peers.get(r.ledger);
  if (!list) {
    list = Array.from(
      { length: 2 },
      () =>
        new Ledger(
          new LedgerTable({ tableName: r.ledger.table.name, client: r.ledger.table.client }),
          r.clock,
          r.ledger.config,
        ),
    );
    peers.set(r.ledger, list);
  }
  return [r.ledger, ...list].slice(0, count);
}

/** Transactions committed on the account's table by `r.ledger` and its peers. */
function commitsOf(r: Real): number {
  return [r.ledger, ...(peers.get(r.ledger) ?? [])].reduce((total, ledger) => total + ledger.stats.commits, 0);
}

/** A copy of the model to try an order on (charges, lots and debts keep their links). */
function cloneModel(m: Model): Model {
  return Object.assign(Object.create(Model.prototype) as Model, structuredClone({ ...m }));
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}

const paymentRefOf = (r: Real, p: MPurchase) => `pi_${r.accountId}_${p.index}`;

/** The account's alert notifications by type, all of them (SPEC §8). */
async function alertCounts(r: Real): Promise<{ low_balance: number; allowance_in_use: number }> {
  const counts = { low_balance: 0, allowance_in_use: 0 };
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await r.ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(r.accountId), ':prefix': SK_PREFIX.notification },
      ExclusiveStartKey: startKey,
    });
    for (const item of page.items)
      if (item.type === 'low_balance' || item.type === 'allowance_in_use') counts[item.type] += 1;
    startKey = page.lastKey;
  } while (startKey);
  return counts;
}

// Every write the ledger commits looks at the alerts; the model looks after each command that
// committed one (no command both raises and lowers the balance, so one look per command sees
// the same crossings).
const command = (name: string, run: (m: Model, r: Real) => Promise<void>): Cmd => ({
  check: () => true,
  run: async (m, r) => {
    const commits = commitsOf(r);
    await run(m, r);
    if (commitsOf(r) > commits) m.observeAlerts();
    await agree(m, r);
    expect(await alertCounts(r), 'alerts written').toEqual(m.alerts);
  },
  toString: () => name,
});

export const commandArbitraries = [
  fc.option(fc.integer({ min: 0, max: 6_000 }), { nil: null }).map((cents) =>
    command(`alert below ${cents === null ? 'off' : `${cents}¢`}`, async (m, r) => {
      const threshold = cents === null ? null : cents * CENT;
      await setLowBalanceThreshold(r.ledger, r.accountId, threshold as Micros | null);
      m.setLowBalanceThreshold(threshold);
    }),
  ),
  fc.integer({ min: 1, max: 5_000 }).map((cents) =>
    command(`buy ${cents}¢`, async (m, r) => {
      // Two writes: the purchase (which looks at the balance as it stands) and its payment event.
      m.observeAlerts();
      const lot = m.grant('purchased', cents * CENT, addCalendarMonths(m.now, 12));
      // What the account paid for is credited however many lots it holds.
      expect(lot).not.toBe('conflict');
      const result = await buyCredits(r.ledger, r.accountId, (cents * CENT) as Micros);
      r.bought.set(result.lotId, result);
      (lot as MLot).id = result.lotId;
    }),
  ),
  fc
    .tuple(
      fc.integer({ min: 1, max: 3_000 }),
      fc.oneof(fc.constant(null), fc.constant('tie' as const), fc.integer({ min: 1, max: 400 })),
      scopeArb,
    )
    .map(([cents, days, products]) =>
      command(
        `promo ${cents}¢ ${days ?? '∞'}${days === 'tie' ? '' : 'd'}${products ? ` for ${products}` : ''}`,
        async (m, r) => {
          // 'tie' expires with the newest purchased lot, to exercise the promotional-first tie-break.
          const newestPurchase = m.lots.filter((l) => l.kind === 'purchased').at(-1);
          const expiresAt =
            days === null ? null : days === 'tie' ? (newestPurchase?.expiresAt ?? m.now + DAY) : m.now + days * DAY;
          if (expiresAt !== null && expiresAt <= m.now) return;
          const lot = m.grant('promotional', cents * CENT, expiresAt, products);
          const granted = grantPromotional(r.ledger, {
            accountId: r.accountId,
            amount: (cents * CENT) as Micros,
            expiresAtMs: expiresAt,
            description: 'promo',
            ...(products ? { products } : {}),
          });
          if (lot === 'conflict') {
            await expect(granted).rejects.toThrow(Conflict);
            return;
          }
          lot.id = (await granted).lotId;
        },
      ),
    ),
  fc
    .tuple(fc.integer({ min: 1, max: 25_000_000 }), productArb, fc.boolean(), fc.boolean())
    .map(([amount, product, repeat, sameBody]) =>
      command(
        `charge ${amount}µ ${product}${repeat ? (sameBody ? ' (retry)' : ' (key reused)') : ''}`,
        async (m, r) => {
          const last = r.lastCharge;
          if (repeat && last && m.now - last.atMs < r.ledger.config.idempotencyTtlMs) {
            // The same key with another body: another amount, or the same amount for another product.
            const other = M_PRODUCTS.find((p) => p !== last.product) ?? 'other';
            const [replayAmount, replayProduct] = sameBody
              ? [last.amount, last.product]
              : amount % 2 === 0
                ? [last.amount + 1, last.product]
                : [last.amount, other];
            const replay = charge(r.ledger, {
              accountId: r.accountId,
              deploymentId: 'dep',
              product: replayProduct,
              amount: replayAmount as Micros,
              idempotencyKey: last.key,
            });
            if (sameBody) expect(await replay).toEqual(last.result);
            else await expect(replay).rejects.toThrow(IdempotencyKeyReused);
            return;
          }
          await chargeOnce(m, r, amount, product);
        },
      ),
    ),
  // Charges sent at once (ledger/commit.ts, ledger/intents.ts). On one ledger they commit together in the order they
  // were sent, each answered exactly as if it had been alone; over ledgers that share nothing
  // (Lambda containers: a loser leaves its charge as an intent for the next writer) in some
  // order, which every answer must fit.
  fc
    .tuple(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 8_000_000 }), productArb), { minLength: 2, maxLength: 4 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([charges, writers]) =>
      command(`${charges.length} charges at once on ${writers} ledger${writers === 1 ? '' : 's'}`, async (m, r) => {
        const amounts = charges.map(([amount]) => amount);
        const ledgers = writers === 1 ? [r.ledger] : peersOf(r, writers);
        const sent = charges.map(([amount, product], i) => ({
          amount,
          product,
          key: `ch-${++r.seq}`,
          ledger: ledgers[i % ledgers.length]!,
        }));
        const settled = await Promise.allSettled(
          sent.map(({ amount, product, key, ledger }) =>
            charge(ledger, {
              accountId: r.accountId,
              deploymentId: 'dep',
              product,
              amount: amount as Micros,
              idempotencyKey: key,
            }),
          ),
        );
        const answers = settled.map((s) =>
          s.status === 'fulfilled'
            ? { outcome: s.value.status as Outcome, balance: s.value.status === 'paid' ? s.value.balance : undefined }
            : { outcome: outcomeOf(s.reason), balance: undefined },
        );
        const inOrder = (model: Model, order: number[]) =>
          order.map((i) => {
            const expected = model.charge(amounts[i]!, sent[i]!.product);
            const answer = settled[i]!;
            if (expected.charge && answer.status === 'fulfilled') expected.charge.id = answer.value.chargeId;
            return { i, expected, balance: expected.outcome === 'paid' ? model.balance() : undefined };
          });
        // Charges left waiting tell apart orders the answers alone do not: the account keeps them in order.
        const waiting = (await loadAccount(r.ledger.table, r.accountId)).pending.map((p) => p.chargeId);
        const fits = (order: number[]) => {
          const trial = cloneModel(m);
          const fit = inOrder(trial, order).every(
            ({ i, expected, balance }) => answers[i]!.outcome === expected.outcome && answers[i]!.balance === balance,
          );
          return fit && trial.pending.map((p) => p.id).join() === waiting.join();
        };
        const order = (writers === 1 ? [amounts.map((_, i) => i)] : permutations(amounts.length)).find(fits);
        expect(order, `a serial order giving ${JSON.stringify(answers)}`).toBeDefined();
        inOrder(m, order!);
      }),
    ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 110 })).map(([index, percent]) =>
    command(`refund #${index} ${percent}%`, async (m, r) => {
      const target = pick(m.charges, index);
      if (!target) return;
      const left = target.amount - target.refunded;
      const amount = percent > 100 ? left + 1 : Math.max(1, Math.floor((left * percent) / 100));
      const expected = m.refund(target, amount);
      const actual = await attempt(() =>
        refund(r.ledger, {
          accountId: r.accountId,
          chargeId: target.id!,
          amount: amount as Micros,
          idempotencyKey: `rf-${++r.seq}`,
        }),
      );
      expect(actual).toBe(expected);
    }),
  ),
  fc.nat().map((index) =>
    command(`cancel #${index}`, async (m, r) => {
      const target = pick(m.charges, index);
      if (!target) return;
      const expected = m.cancel(target);
      expect(await attempt(() => cancelPendingCharge(r.ledger, r.accountId, target.id!))).toBe(expected);
    }),
  ),
  fc.nat().map((index) =>
    command(`deadline #${index}`, async (m, r) => {
      const target: MCharge | undefined = pick(m.charges, index);
      if (!target) return;
      const expected = m.deadline(target);
      const result = await expirePendingCharge(r.ledger, r.accountId, target.id!);
      expect(result.changed ? result.status : 'noop').toBe(expected);
    }),
  ),
  fc.constantFrom(1_000, 300_001, DAY, 30 * DAY, 200 * DAY, 400 * DAY).map((ms) =>
    command(`advance ${ms}ms`, async (m, r) => {
      m.now += ms;
      r.clock.advance(ms);
    }),
  ),
  fc.constant(
    command('expire', async (m, r) => {
      const expected = m.expire();
      expect((await expireDueLots(r.ledger, r.accountId)).lotsExpired).toBe(expected);
    }),
  ),
  fc.integer({ min: 0, max: 2_000 }).map((cents) =>
    command(`allowance ${cents}¢`, async (m, r) => {
      const expected = m.setAllowance(cents * CENT);
      expect(await attempt(() => setNegativeAllowance(r.ledger, r.accountId, (cents * CENT) as Micros))).toBe(expected);
    }),
  ),
  fc
    .integer({ min: 1, max: 3_000 })
    .map((cents) => command(`withdraw ${cents}¢`, async (m, r) => withdrawOnce(m, r, cents * CENT))),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom('cancelled', 'rejected', 'approved', 'completed') as fc.Arbitrary<
        'cancelled' | 'rejected' | 'approved' | 'completed'
      >,
    )
    .map(([index, to]) =>
      command(`withdrawal #${index} → ${to}`, async (m, r) => {
        const target = pick(m.withdrawals, index);
        if (!target) return;
        const expected = m.endWithdrawal(target, to);
        const id = target.id!;
        const actual = await attempt(() =>
          to === 'cancelled'
            ? cancelWithdrawal(r.ledger, r.accountId, id)
            : to === 'rejected'
              ? rejectWithdrawal(r.ledger, id, 'model says no', FINANCE)
              : to === 'approved'
                ? approveWithdrawal(r.ledger, id, FINANCE)
                : completeWithdrawal(r.ledger, id, 'payout', FINANCE),
        );
        expect(actual).toBe(expected);
      }),
    ),
  // Buying through a provider whose events (the payment, refunds with a running total, disputes)
  // are created in order but delivered in any order, and again.
  fc.integer({ min: 500, max: 5_000 }).map((cents) =>
    command(`checkout ${cents}¢`, async (m, r) => {
      const p = m.checkout(cents * CENT);
      p.id = (
        await createPurchase(r.ledger, {
          accountId: r.accountId,
          amount: p.amount as Micros,
          method: 'card',
          limits: DEFAULT_PURCHASE_LIMITS,
        })
      ).purchaseId;
    }),
  ),
  fc.nat().map((index) =>
    command(`payment event #${index}`, async (m, r) => {
      const p = pick(m.purchases, index);
      if (!p) return;
      const expected = m.paymentArrived(p);
      const result = await applyPaymentEvent(r.ledger, {
        provider: 'stripe',
        eventId: `evt_pay_${p.index}`,
        accountId: r.accountId,
        purchaseId: p.id!,
        outcome: { kind: 'paid', amount: p.amount as Micros, paymentRef: paymentRefOf(r, p) },
      });
      // A repeated delivery replays the first answer, so it says `credited` again.
      if (expected === 'credited') {
        expect(result.effect).toBe('credited');
        p.lot!.id = result.lotId;
      }
    }),
  ),
  fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: 1, max: 100 })).map(([index, dispute, percent]) =>
    command(`provider sends a ${dispute ? 'dispute' : 'refund'} about #${index} (${percent}%)`, async (m) => {
      const p = pick(m.purchases, index);
      if (!p) return;
      const part = Math.max(CENT, Math.floor((p.amount * percent) / 100 / CENT) * CENT);
      if (dispute)
        p.events.push({ eventId: `evt_dp_${p.index}_${p.events.length}`, report: { kind: 'dispute', amount: part } });
      else {
        if (p.refundTotal >= p.amount) return; // a provider never refunds more than was paid
        p.refundTotal = Math.min(p.amount, p.refundTotal + part);
        p.events.push({
          eventId: `evt_rf_${p.index}_${p.events.length}`,
          report: { kind: 'refund', total: p.refundTotal },
        });
      }
    }),
  ),
  fc.tuple(fc.nat(), fc.nat()).map(([index, event]) =>
    command(`deliver event ${event} of #${index}`, async (m, r) => {
      const p = pick(m.purchases, index);
      const sent = p && pick(p.events, event);
      if (!p || !sent) return;
      const expected = m.report(p, sent.eventId, sent.report);
      const report =
        sent.report.kind === 'refund'
          ? { kind: 'refund' as const, totalRefunded: sent.report.total as Micros }
          : { kind: 'dispute' as const, amount: sent.report.amount as Micros, disputeId: `dp_${sent.eventId}` };
      const outcome = await reversePayment(r.ledger, {
        provider: 'stripe',
        eventId: sent.eventId,
        paymentRef: paymentRefOf(r, p),
        report,
      });
      if (expected === 'held') expect(outcome).toEqual({ held: true });
      if (expected === 'applied') expect(outcome).toHaveProperty('applied');
    }),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 100 })).map(([index, percent]) =>
    command(`reverse lot #${index} ${percent}%`, async (m, r) => {
      // Lots bought by `buy`; a checkout's lot is reversed by its own provider events below.
      const purchased = m.lots.filter((l) => l.id !== undefined && r.bought.has(l.id) && l.reversed < l.amount);
      const target = pick(purchased, index);
      if (!target) return;
      const amount = Math.max(CENT, Math.floor((target.amount * percent) / 100 / CENT) * CENT);
      const expected = m.reverse(target, amount);
      const bought = r.bought.get(target.id ?? '');
      assert(bought !== undefined, `lot ${target.id} was bought`);
      const result = await providerDisputes(r.ledger, bought, amount as Micros, `dp-${++r.seq}`);
      expect(result.debtCreated).toBe(expected.debt);
    }),
  ),
];

const EDGES = [
  'charge balance + allowance',
  'charge a µ over balance + allowance',
  'charge the balance',
  'charge down to the threshold',
  'alert at the balance',
  'withdraw all',
  'withdraw a cent more',
] as const;

/**
 * Exact edges, which random amounts almost never reach: a charge of exactly what the product's
 * credit and the allowance cover (paid) and one micro-credit more (it waits), exactly what the
 * product may take, one that leaves the balance exactly at the alert threshold, the threshold set
 * exactly at the balance, and a withdrawal of all that is withdrawable (in whole cents) and a cent
 * more. The runner picks these more often than the other commands (model-run.ts).
 */
export const edgeCommands = fc.tuple(fc.constantFrom(...EDGES), productArb).map(([edge, product]) =>
  command(`at the edge: ${edge}${edge.startsWith('charge') ? ` (${product})` : ''}`, async (m, r) => {
    const balance = m.balance();
    if (edge === 'alert at the balance') {
      const threshold = Math.max(0, balance);
      await setLowBalanceThreshold(r.ledger, r.accountId, threshold as Micros);
      m.setLowBalanceThreshold(threshold);
      return;
    }
    if (edge === 'withdraw all' || edge === 'withdraw a cent more') {
      const amount = Math.floor(m.withdrawable() / CENT) * CENT + (edge === 'withdraw a cent more' ? CENT : 0);
      if (amount > 0) await withdrawOnce(m, r, amount);
      return;
    }
    const available = m.available(product);
    const amount = {
      'charge balance + allowance': available + m.allowance,
      'charge a µ over balance + allowance': available + m.allowance + 1,
      'charge the balance': available,
      'charge down to the threshold': balance - (m.lowBalanceThreshold ?? 0),
    }[edge];
    if (amount > 0 && amount <= MAX_CHARGE) await chargeOnce(m, r, amount, product);
  }),
);
