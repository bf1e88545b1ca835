// The ledger benchmark: consumed DynamoDB capacity per operation (ReturnConsumedCapacity on
// DynamoDB Local, which reports the units AWS bills) and a contention run on one account.
// Prints a table and writes bench/results/ledger.json. Not a test: it checks targets and says
// which were met, and exits non-zero only if the ledger broke an invariant.
//
//   npm run bench            full run (16 writers, 1,000 charges)
//   BENCH_CHARGES=200 npm run bench   a quicker contention run

import { ChargeEffects } from '../core/effects.js';
import { LocalGraceScheduler } from '../core/grace/local.js';
import {
  applyPaymentEvent,
  balanceOf,
  CapacityMeter,
  ContentionExhausted,
  cancelPendingCharge,
  cancelWithdrawal,
  charge,
  check,
  createPurchase,
  DAY_MS,
  DEFAULT_CONFIG,
  DEFAULT_PURCHASE_LIMITS,
  expireDueLots,
  expirePendingCharge,
  getBalance,
  grantPromotional,
  Ledger,
  LedgerTable,
  listTransactions,
  ManualClock,
  type Micros,
  refund,
  requestWithdrawal,
  saveCard,
  setAutoTopUp,
  usage,
} from '../core/index.js';
import { loadAccount } from '../core/items/account.js';
import type { WebhookEvent } from '../core/items/webhook.js';
import { LocalOutcomeQueue, LocalQueue } from '../core/outcomes/local-queue.js';
import type { OutcomeMessage } from '../core/outcomes/port.js';
import { OutcomePublisher } from '../core/outcomes/publisher.js';
import { keys } from '../core/table/keys.js';
import { LOCAL_POLICY } from '../core/webhooks/address.js';
import {
  attemptDelivery,
  fanOut,
  publishEvents,
  type WebhookMessage,
  type WebhookQueue,
} from '../core/webhooks/delivery.js';
import { registerEndpoint } from '../core/webhooks/endpoints.js';
import type { WebhookSender } from '../core/webhooks/sender.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { buyCredits } from '../tests/support/purchases.js';
import { writeResults } from './results.js';

const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const CHARGES = Number(process.env.BENCH_CHARGES ?? 1_000);
const credits = (n: number) => (n * 1_000_000) as Micros;
const WALLET = { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' } as const;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface CapacityRow {
  operation: string;
  /** Write units AWS bills, computed from the written items' sizes. */
  wcu: number;
  /** What DynamoDB Local reported: a transaction rounded once over its summed item sizes, plus index writes. */
  wcuReportedByLocal: number;
  rcu: number;
  target?: string;
  met?: boolean;
}

async function main(): Promise<void> {
  log('starting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const capacity = await measureCapacity(local.endpoint);
    const baseline = await measureContention(local.endpoint, 1, Math.min(CHARGES, 200));
    const contention = await measureContention(local.endpoint, WRITERS, CHARGES);
    const results = { capacity, baseline, contention };
    const out = writeResults('ledger', results);
    log(`\nwrote ${out}`);
    if (!contention.invariantsHold || !baseline.invariantsHold) process.exitCode = 1;
  } finally {
    await local.stop();
  }
}

async function measureCapacity(endpoint: string): Promise<CapacityRow[]> {
  log('\n== consumed capacity per operation (one call each, typical account) ==');
  const table = new LedgerTable({ tableName: 'bench-capacity', endpoint, meter: new CapacityMeter(true) });
  await table.createIfMissing();
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const ledger = new Ledger(table, clock, DEFAULT_CONFIG);
  const rows: CapacityRow[] = [];
  let n = 0;
  const fresh = () => `bench-${++n}`;

  async function measure<T>(
    operation: string,
    fn: () => Promise<T>,
    target?: { wcu?: number; rcu?: number },
  ): Promise<T> {
    // Whether endpoints for every account exist is read once a minute per process, not per operation.
    await ledger.globalSubscribers.any(clock.nowMs());
    table.meter.reset();
    const result = await fn();
    const totals = table.meter.snapshot().reduce(
      (t, r) => ({
        wcu: t.wcu + r.billedWriteUnits,
        wcuReportedByLocal: t.wcuReportedByLocal + r.writeUnits,
        rcu: t.rcu + r.readUnits,
      }),
      { wcu: 0, wcuReportedByLocal: 0, rcu: 0 },
    );
    const met = target
      ? (target.wcu === undefined || totals.wcu <= target.wcu) && (target.rcu === undefined || totals.rcu <= target.rcu)
      : undefined;
    const targetText = target
      ? [target.wcu !== undefined ? `≤ ${target.wcu} WCU` : '', target.rcu !== undefined ? `≤ ${target.rcu} RCU` : '']
          .filter(Boolean)
          .join(', ')
      : undefined;
    rows.push({ operation, ...totals, ...(targetText ? { target: targetText, met } : {}) });
    log(
      `${operation.padEnd(40)} ${String(totals.wcu).padStart(4)} WCU (Local says ${totals.wcuReportedByLocal}) ` +
        `${String(totals.rcu).padStart(4)} ` +
        `RCU${targetText ? `   target ${targetText}: ${met ? 'met' : 'MISSED'}` : ''}`,
    );
    return result;
  }

  /** A purchase created, then credited by its provider's payment event (the measured step). */
  async function purchaseCredited(operation: string, accountId: string, amount: Micros, measureCreate = false) {
    const create = () => createPurchase(ledger, { accountId, amount, method: 'card', limits: DEFAULT_PURCHASE_LIMITS });
    const purchase = measureCreate ? await measure('create purchase (before the checkout)', create) : await create();
    return measure(operation, () =>
      applyPaymentEvent(ledger, {
        provider: 'stripe',
        eventId: `evt_${purchase.purchaseId}`,
        accountId,
        purchaseId: purchase.purchaseId,
        outcome: { kind: 'paid', amount, paymentRef: `pi_${purchase.purchaseId}` },
      }),
    );
  }

  const a = fresh();
  await purchaseCredited('payment event credits a purchase (new account)', a, credits(50), true);
  await measure('grant promotional', () =>
    grantPromotional(ledger, {
      accountId: a,
      amount: credits(5),
      expiresAtMs: clock.nowMs() + 30 * DAY_MS,
      description: 'Welcome',
    }),
  );
  await buyCredits(ledger, a, credits(20));
  await measure('check', () => check(ledger, a, credits(10)), { rcu: 1 });
  await measure('balance', () => getBalance(ledger, a), { rcu: 1 });
  await measure('charge, paid from 1 lot', () =>
    charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(2), idempotencyKey: `${a}-1` }),
  );
  const three = await measure(
    'charge, paid from 3 lots',
    () => charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(60), idempotencyKey: `${a}-2` }),
    { wcu: 8 },
  );
  await measure('charge, replayed Idempotency-Key', () =>
    charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(60), idempotencyKey: `${a}-2` }),
  );
  await measure('refund (partial, restores 1 lot)', () =>
    refund(ledger, { accountId: a, chargeId: three.chargeId, amount: credits(1), idempotencyKey: `${a}-r1` }),
  );
  const allowance = await measure('charge, paid using the allowance', () =>
    charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(20), idempotencyKey: `${a}-3` }),
  );
  void allowance;
  const pending = await measure('charge, pending_payment', () =>
    charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(500), idempotencyKey: `${a}-4` }),
  );
  await measure('cancel pending charge', () => cancelPendingCharge(ledger, a, pending.chargeId));
  const pending2 = await charge(ledger, {
    accountId: a,
    deploymentId: 'd',
    amount: credits(500),
    idempotencyKey: `${a}-5`,
  });
  clock.advance(301_000);
  await measure('grace deadline: pending → failed', () => expirePendingCharge(ledger, a, pending2.chargeId));
  await purchaseCredited('payment event credits a purchase that repays debt', a, credits(100));
  const w = await measure('withdrawal request', () =>
    requestWithdrawal(ledger, { accountId: a, amount: credits(10), destination: WALLET }),
  );
  await measure('withdrawal cancel (credit back)', () => cancelWithdrawal(ledger, a, w.withdrawalId));
  for (let i = 0; i < 30; i += 1)
    await charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(0.01), idempotencyKey: `${a}-many-${i}` });
  await measure('transactions page (50 entries)', () => listTransactions(ledger, { accountId: a, limit: 50 }));
  await measure('usage by day (one month)', () =>
    usage(ledger, { accountId: a, fromMs: clock.nowMs() - 30 * DAY_MS, toMs: clock.nowMs(), granularity: 'day' }),
  );
  clock.advance(400 * DAY_MS);
  await measure("expire an account's due lots", () => expireDueLots(ledger, a));

  // With the after-commit work a deployment does: the outcome leaves the outbox index once it is
  // on the queue (one UpdateItem); a pending charge's deadline is scheduled (on AWS an EventBridge
  // call, locally one item in the table, as measured here).
  const outcomes = new LocalQueue<OutcomeMessage>({ name: 'bench', consumer: async () => undefined });
  const scheduler = new LocalGraceScheduler(table, clock, async () => undefined);
  ledger.effects = new ChargeEffects(scheduler, new OutcomePublisher(ledger, new LocalOutcomeQueue(outcomes)));
  const b = fresh();
  await buyCredits(ledger, b, credits(50));
  await measure('charge, paid, outcome published', () =>
    charge(ledger, { accountId: b, deploymentId: 'd', amount: credits(2), idempotencyKey: `${b}-1` }),
  );
  await measure('charge, pending, deadline scheduled (local)', () =>
    charge(ledger, { accountId: b, deploymentId: 'd', amount: credits(500), idempotencyKey: `${b}-2` }),
  );
  scheduler.stop();
  ledger.effects = undefined;

  // Events for other systems (SPEC §9): written only for accounts someone listens to.
  const e = fresh();
  await buyCredits(ledger, e, credits(30));
  const hook = await measure('register a webhook endpoint', () =>
    registerEndpoint(ledger, {
      owner: e,
      url: 'http://127.0.0.1:9/hooks',
      events: ['charge.paid'],
      policy: LOCAL_POLICY,
    }),
  );
  await measure('charge, paid, account with a webhook endpoint', () =>
    charge(ledger, { accountId: e, deploymentId: 'd', amount: credits(2), idempotencyKey: `${e}-1` }),
  );
  const crossing = await measure('charge crossing the low-balance threshold (alert, 2 events)', () =>
    charge(ledger, { accountId: e, deploymentId: 'd', amount: credits(20), idempotencyKey: `${e}-2` }),
  );
  const sent: WebhookMessage[] = [];
  const queue: WebhookQueue = { send: async (messages) => (sent.push(...messages), { failed: 0 }) };
  const [paidEvent] = (
    await table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(e), ':prefix': 'EVENT#' },
      ScanIndexForward: false,
    })
  ).items.filter((i) => i.type === 'charge.paid' && (i.data as { chargeId: string }).chargeId === crossing.chargeId);
  const event = { id: String(paidEvent!.id), accountId: e } as WebhookEvent;
  await measure('event handed to the webhook queue (leaves the outbox)', () => publishEvents(ledger, queue, [event]));
  await measure('event fanned out to 1 endpoint', () => fanOut(ledger, queue, e, event.id));
  const accepting: WebhookSender = { post: async () => ({ status: 204 }) };
  const delivery = sent.find((m) => m.kind === 'delivery')!;
  await measure('webhook delivery attempt, 2xx', () =>
    attemptDelivery(ledger, accepting, hook.endpointId, (delivery as { deliveryId: string }).deliveryId),
  );
  clock.advance(61_000);
  table.meter.reset();
  await ledger.globalSubscribers.any(clock.nowMs());
  const subscribersRead = table.meter.snapshot().reduce((units, r) => units + r.readUnits, 0);
  // DynamoDB Local reports 0 for a query that finds nothing; AWS bills any query at least 0.5 RCU.
  const globalRead = 'global endpoints read (once a minute per process)';
  rows.push({ operation: globalRead, wcu: 0, wcuReportedByLocal: 0, rcu: subscribersRead });
  log(`${globalRead.padEnd(40)}    0 WCU ${String(subscribersRead).padStart(4)} RCU (AWS: 0.5)`);

  // Auto top-up (SPEC §8): the charge that leaves the balance below the threshold also writes the
  // top-up's purchase and its lookup; the PaymentIntent is made after the commit (not measured here).
  const t = fresh();
  await buyCredits(ledger, t, credits(30));
  await saveCard(ledger, {
    eventId: `evt_${t}`,
    accountId: t,
    customerId: 'cus_b',
    paymentMethodId: 'pm_b',
    label: 'b',
  });
  await setAutoTopUp(ledger, t, {
    enabled: true,
    threshold: credits(10),
    amount: credits(20),
    monthlyLimit: credits(100),
  });
  await measure('charge, paid, not crossing the auto top-up threshold', () =>
    charge(ledger, { accountId: t, deploymentId: 'd', amount: credits(2), idempotencyKey: `${t}-1` }),
  );
  await measure('charge crossing the auto top-up threshold (top-up started)', () =>
    charge(ledger, { accountId: t, deploymentId: 'd', amount: credits(20), idempotencyKey: `${t}-2` }),
  );

  // A heavy account: 250 purchases, of which the account item keeps 12 and the rest are overflow items.
  const h = fresh();
  for (let i = 0; i < 250; i += 1) {
    clock.advance(60_000);
    await buyCredits(ledger, h, credits(5));
  }
  await measure('check, account holding 250 lots', () => check(ledger, h, credits(10)), { rcu: 1 });
  await measure(
    'charge, paid from 1 lot, account holding 250 lots',
    () => charge(ledger, { accountId: h, deploymentId: 'd', amount: credits(2), idempotencyKey: `${h}-1` }),
    { wcu: 8 },
  );
  await measure('charge through 20 lots, account holding 250 lots', () =>
    charge(ledger, { accountId: h, deploymentId: 'd', amount: credits(100), idempotencyKey: `${h}-2` }),
  );
  await purchaseCredited('payment event credits a purchase, account holding 250 lots', h, credits(5));
  log(`heavy account item: ${JSON.stringify(await table.get(keys.account(h))).length} bytes of JSON`);

  const item = await table.get(keys.account(a));
  log(`account item after the run: ${JSON.stringify(item).length} bytes of JSON`);
  return rows;
}

async function measureContention(endpoint: string, writerCount: number, chargeCount: number) {
  log(
    `\n== ${writerCount} writer${writerCount === 1 ? '' : 's'} (separate SDK clients, like Lambda containers), ` +
      `${chargeCount} charges on one account ==`,
  );
  const tableName = `bench-contention-${writerCount}`;
  const setup = new LedgerTable({ tableName, endpoint });
  await setup.createIfMissing();
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const writers = Array.from(
    { length: writerCount },
    () => new Ledger(new LedgerTable({ tableName, endpoint }), clock, DEFAULT_CONFIG),
  );
  const accountId = 'hot-account';
  await buyCredits(writers[0]!, accountId, credits(1_000_000));
  const chargeMicros = 12_345 as Micros;
  let next = 0;
  let done = 0;
  let busyAnswers = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const progress = setInterval(() => log(`  ${done}/${chargeCount} charges paid…`), 5_000);
  try {
    await Promise.all(
      writers.map(async (ledger) => {
        for (;;) {
          const i = next++;
          if (i >= chargeCount) return;
          const t = performance.now();
          // A client that gets 503 (too busy) waits its Retry-After and sends the same request again.
          let result: Awaited<ReturnType<typeof charge>> | undefined;
          while (!result) {
            try {
              result = await charge(ledger, {
                accountId,
                deploymentId: `dep-${i}`,
                amount: chargeMicros,
                idempotencyKey: `hot-${i}`,
              });
            } catch (error) {
              if (!(error instanceof ContentionExhausted)) throw error;
              busyAnswers += 1;
              await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
            }
          }
          if (result.status !== 'paid') throw new Error(`charge ${i} was ${result.status}`);
          latencies.push(performance.now() - t);
          done += 1;
        }
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - started) / 1000;
  const conflicts = writers.reduce((t, l) => t + l.stats.conflicts, 0);
  const commits = writers.reduce((t, l) => t + l.stats.commits, 0);

  // Invariants after the run: balance exact, every charge one usage entry, the ledger sums up.
  const state = await loadAccount(setup, accountId);
  const balance = balanceOf(state, clock.nowMs());
  const expected = credits(1_000_000) - chargeCount * chargeMicros;
  let ledgerSum = 0;
  let entries = 0;
  let startKey: Record<string, unknown> | undefined;
  for (let page = 0; page < 1_000; page += 1) {
    const out = await setup.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tx)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':tx': 'TX#' },
      ExclusiveStartKey: startKey,
    });
    for (const item of out.items) {
      ledgerSum += item.amount as number;
      entries += 1;
    }
    startKey = out.lastKey;
    if (!startKey) break;
  }
  const invariantsHold =
    balance === expected && ledgerSum === balance && entries === chargeCount + 1 && state.entryCount === entries;
  latencies.sort((x, y) => x - y);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
  const result = {
    writers: writerCount,
    charges: chargeCount,
    seconds: Number(seconds.toFixed(2)),
    paidPerSecond: Number((chargeCount / seconds).toFixed(1)),
    commits,
    conflicts,
    retriesPerCharge: Number((conflicts / chargeCount).toFixed(2)),
    /** 503s (the 3 s limit passed), each retried after its Retry-After with the same key. */
    busyAnswers,
    latencyMs: { p50: pct(0.5), p99: pct(0.99), max: Math.round(latencies.at(-1)!) },
    invariantsHold,
    balance: { expected, actual: balance, ledgerSum, entries },
  };
  log(
    `paid ${chargeCount} in ${result.seconds} s → ${result.paidPerSecond} paid/s; conflicts ${conflicts} ` +
      `(${result.retriesPerCharge} retries per charge); latency p50 ${result.latencyMs.p50} ms, p99 ` +
      `${result.latencyMs.p99} ms; ${busyAnswers} answered 503 (busy) and retried`,
  );
  log(
    `invariants after the run: ${invariantsHold ? 'hold' : 'BROKEN'} (balance ${balance}, expected ` +
      `${expected}, ledger sum ${ledgerSum}, ${entries} entries)`,
  );
  return result;
}

await main();
