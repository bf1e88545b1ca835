// The ledger benchmark: consumed DynamoDB capacity per operation (ReturnConsumedCapacity on
// DynamoDB Local, with the units AWS bills computed item by item beside what Local reports).
// Prints a table and writes bench/results/ledger.json. Not a test: it checks targets and says
// which were met. Contention on one account is bench/contention.ts.

import { ChargeEffects } from '../core/effects.js';
import { LocalGraceScheduler } from '../core/grace/local.js';
import { ulidBounds } from '../core/ids.js';
import {
  addCalendarMonths,
  applyPaymentEvent,
  approveWithdrawal,
  CapacityMeter,
  cancelPendingCharge,
  cancelWithdrawal,
  charge,
  check,
  completeWithdrawal,
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
  setNegativeAllowance,
  startOfUtcMonth,
  usage,
} from '../core/index.js';
import type { Actor } from '../core/items/audit.js';
import type { WebhookEvent } from '../core/items/webhook.js';
import { LocalOutcomeQueue, LocalQueue } from '../core/outcomes/local-queue.js';
import type { OutcomeMessage } from '../core/outcomes/port.js';
import { OutcomePublisher } from '../core/outcomes/publisher.js';
import { billedItems } from '../core/table/audit.js';
import { createTableIfMissing } from '../core/table/create.js';
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
import { chargeHistory, HISTORY_MONTHS } from './usage-history.js';

/** A member of finance: their operations write an audit record (SPEC §14). */
const STAFF: Actor = { sub: 'finance', scope: 'credits:admin' };

/** The heavy account of the usage reads (SPEC §10): this many charges over 13 months. */
const USAGE_CHARGES = Number(process.env.BENCH_USAGE_CHARGES ?? 100_000);

const credits = (n: number) => (n * 1_000_000) as Micros;
const WALLET = { network: 'solana', address: '7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV' } as const;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface CapacityRow {
  operation: string;
  /** Write units AWS bills for the table's items, computed from their sizes before and after. */
  wcu: number;
  /** Write units AWS bills for index entries added, moved, changed or removed (item-size.ts). */
  indexWcu: number;
  /** What DynamoDB Local reported: a transaction rounded once over its summed item sizes, plus index writes. */
  wcuReportedByLocal: number;
  rcu: number;
  /** Items read: one per get, each item a query examined. */
  itemsRead: number;
  target?: string;
  met?: boolean;
  /** Its transaction item by item: what AWS bills each, against Local's one figure for all. */
  items?: { item: string; beforeBytes: number; afterBytes: number; wcu: number; indexWcu: number }[];
}

async function main(): Promise<void> {
  log('starting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const capacity = await measureCapacity(local.endpoint);
    const out = writeResults('ledger', { capacity });
    log(`\nwrote ${out}`);
  } finally {
    await local.stop();
  }
}

async function measureCapacity(endpoint: string): Promise<CapacityRow[]> {
  log('\n== consumed capacity per operation (one call each, typical account) ==');
  const table = new LedgerTable({ tableName: 'bench-capacity', endpoint, meter: new CapacityMeter(billedItems) });
  await createTableIfMissing(table);
  const clock = new ManualClock(Date.UTC(2026, 0, 15, 12));
  const ledger = new Ledger(table, clock, DEFAULT_CONFIG);
  const rows: CapacityRow[] = [];
  let n = 0;
  const fresh = () => `bench-${++n}`;

  async function measure<T>(
    operation: string,
    fn: () => Promise<T>,
    target?: { wcu?: number; indexWcu?: number; rcu?: number; items?: number },
    itemByItem = false,
  ): Promise<T> {
    // Whether endpoints for every account exist is read once a minute per process, not per operation.
    await ledger.globalSubscribers.any(clock.nowMs());
    table.meter.reset();
    const result = await fn();
    const totals = table.meter.snapshot().reduce(
      (t, r) => ({
        wcu: t.wcu + r.billedWriteUnits - r.billedIndexWriteUnits,
        indexWcu: t.indexWcu + r.billedIndexWriteUnits,
        wcuReportedByLocal: t.wcuReportedByLocal + r.writeUnits,
        rcu: t.rcu + r.readUnits,
        itemsRead: t.itemsRead + r.itemsRead,
      }),
      { wcu: 0, indexWcu: 0, wcuReportedByLocal: 0, rcu: 0, itemsRead: 0 },
    );
    const limits = [
      ['wcu', 'WCU'],
      ['indexWcu', 'index WCU'],
      ['rcu', 'RCU'],
      ['items', 'items read'],
    ] as const;
    const measured = { wcu: totals.wcu, indexWcu: totals.indexWcu, rcu: totals.rcu, items: totals.itemsRead };
    const set = limits.filter(([key]) => target?.[key] !== undefined);
    const met = target ? set.every(([key]) => measured[key] <= target[key]!) : undefined;
    const targetText = target ? set.map(([key, unit]) => `≤ ${target[key]} ${unit}`).join(', ') : undefined;
    const items = itemByItem
      ? table.meter.lastTransaction().map((i) => ({
          // The kind of item, from its sort key: ACCOUNT, CHARGE, TX (ledger entry), IDEM, LOT…
          item: i.sk.split('#')[0]!,
          beforeBytes: i.beforeBytes,
          afterBytes: i.afterBytes,
          wcu: i.units,
          indexWcu: i.indexUnits,
        }))
      : undefined;
    rows.push({
      operation,
      ...totals,
      ...(targetText ? { target: targetText, met } : {}),
      ...(items ? { items } : {}),
    });
    for (const i of items ?? [])
      log(`    ${i.item.padEnd(10)} ${i.beforeBytes} → ${i.afterBytes} bytes: ${i.wcu} WCU, index ${i.indexWcu}`);
    log(
      `${operation.padEnd(40)} ${String(totals.wcu).padStart(4)} WCU + ${totals.indexWcu} index ` +
        `(Local says ${totals.wcuReportedByLocal}) ` +
        `${String(totals.rcu).padStart(4)} RCU, ${totals.itemsRead} items read` +
        `${targetText ? `   target ${targetText}: ${met ? 'met' : 'MISSED'}` : ''}`,
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
  // Credit expiring within 30 days adds the forecast's read: one query of the last 30 days' rollups.
  await measure('balance, credit expiring within 30 days', () => getBalance(ledger, a), { rcu: 1.5 });
  await measure('charge, paid from 1 lot', () =>
    charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(2), idempotencyKey: `${a}-1` }),
  );
  // With its product: the usage entry says what paid it, and the day's counters on the account item count it.
  const threeLots = {
    accountId: a,
    deploymentId: 'd',
    product: 'inference',
    projectId: 'proj-1',
    amount: credits(60),
    idempotencyKey: `${a}-2`,
  } as const;
  const three = await measure(
    'charge, paid from 3 lots (product, rollup counted)',
    () => charge(ledger, threeLots),
    { wcu: 8, indexWcu: 3 },
    true,
  );
  // Ten charges sent at once on one ledger commit in one transaction (ledger/commit.ts, ledger/intents.ts): the account
  // item is written once for all of them. The figure is for all ten.
  const batchAccount = fresh();
  await buyCredits(ledger, batchAccount, credits(100));
  await measure('balance, nothing expiring within 30 days', () => getBalance(ledger, batchAccount), { rcu: 1 });
  await measure('10 charges sent at once, one process (all ten)', () =>
    Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        charge(ledger, { accountId: batchAccount, deploymentId: 'd', amount: credits(1), idempotencyKey: `b-${i}` }),
      ),
    ),
  );
  await measure('charge, replayed Idempotency-Key', () => charge(ledger, threeLots));
  await measure(
    'refund (partial, restores 1 lot)',
    () => refund(ledger, { accountId: a, chargeId: three.chargeId, amount: credits(1), idempotencyKey: `${a}-r1` }),
    undefined,
    true,
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
  // Staff actions (SPEC §14): each writes one audit record in its transaction.
  await measure('grant promotional by staff (+ audit record)', () =>
    grantPromotional(ledger, {
      accountId: a,
      amount: credits(5),
      expiresAtMs: null,
      description: 'Sorry',
      actor: STAFF,
    }),
  );
  await measure('negative allowance by staff (+ audit record)', () =>
    setNegativeAllowance(ledger, a, credits(20), STAFF),
  );
  await measure('refund by the service (+ audit record)', () =>
    refund(ledger, {
      accountId: a,
      chargeId: three.chargeId,
      amount: credits(1),
      idempotencyKey: `${a}-r2`,
      actor: { sub: 'deployments', scope: 'credits:service' },
    }),
  );
  await buyCredits(ledger, a, credits(2000));
  const large = await requestWithdrawal(ledger, { accountId: a, amount: credits(1500), destination: WALLET });
  await measure('withdrawal approve, 1 of 2 (+ audit record)', () =>
    approveWithdrawal(ledger, large.withdrawalId, STAFF),
  );
  await measure('withdrawal approve, 2 of 2 (+ audit record)', () =>
    approveWithdrawal(ledger, large.withdrawalId, { sub: 'finance-2', scope: 'credits:admin' }),
  );
  await measure('withdrawal complete (+ audit record)', () =>
    completeWithdrawal(ledger, large.withdrawalId, 'payout-1', STAFF),
  );
  for (let i = 0; i < 30; i += 1)
    await charge(ledger, { accountId: a, deploymentId: 'd', amount: credits(0.01), idempotencyKey: `${a}-many-${i}` });
  await measure('transactions page (50 entries)', () => listTransactions(ledger, { accountId: a, limit: 50 }));
  await measure('usage by day (one month)', () =>
    usage(ledger, { accountId: a, fromMs: clock.nowMs() - 30 * DAY_MS, toMs: clock.nowMs(), granularity: 'day' }),
  );
  // Once a day per account: the first operation of a day writes the days before out as rollup items.
  clock.advance(DAY_MS);
  await measure(
    'first charge of a day (writes out the day before)',
    () =>
      charge(ledger, {
        accountId: a,
        deploymentId: 'd',
        product: 'vm',
        amount: credits(0.01),
        idempotencyKey: `${a}-d2`,
      }),
    undefined,
    true,
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
  const subscribersItems = table.meter.snapshot().reduce((items, r) => items + r.itemsRead, 0);
  // DynamoDB Local reports 0 for a query that finds nothing; AWS bills any query at least 0.5 RCU.
  const globalRead = 'global endpoints read (once a minute per process)';
  rows.push({
    operation: globalRead,
    wcu: 0,
    indexWcu: 0,
    wcuReportedByLocal: 0,
    rcu: subscribersRead,
    itemsRead: subscribersItems,
  });
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

  await usageReads(ledger, clock, fresh(), measure);
  return rows;
}

type Measure = <T>(
  operation: string,
  fn: () => Promise<T>,
  target?: { wcu?: number; indexWcu?: number; rcu?: number; items?: number },
) => Promise<T>;

/**
 * Usage by product (SPEC §10) of an account with 100,000 charges over 13 months: one rollup item
 * per bucket plus the account item, against what reading its entries (as before the rollups) costs.
 */
async function usageReads(ledger: Ledger, clock: ManualClock, accountId: string, measure: Measure): Promise<void> {
  const endMs = clock.nowMs();
  log(`
making ${USAGE_CHARGES.toLocaleString('en-US')} charges over ${HISTORY_MONTHS} months for the usage reads…`);
  // Made without the write audit (which reads every written item back): what is measured is the reads.
  const unaudited = new Ledger(
    new LedgerTable({ tableName: ledger.table.name, client: ledger.table.client }),
    clock,
    ledger.config,
  );
  const made = await chargeHistory(unaudited, clock, accountId, { charges: USAGE_CHARGES, endMs, log });
  log(`  made in ${made.seconds} s`);
  const days30 = {
    accountId,
    fromMs: endMs - 30 * DAY_MS,
    toMs: endMs,
    granularity: 'day',
    groupBy: 'product',
  } as const;
  const months13 = {
    accountId,
    fromMs: startOfUtcMonth(addCalendarMonths(endMs, -(HISTORY_MONTHS - 1))),
    toMs: endMs,
    granularity: 'month',
    groupBy: 'product',
  } as const;
  const label = `${USAGE_CHARGES.toLocaleString('en-US')} charges`;
  await measure(`usage, 30 days by product (${label})`, () => usage(ledger, days30), { items: 31 });
  await measure(`usage, 13 months by product (${label})`, () => usage(ledger, months13), { items: 14 });
  // What the same reads cost from the entries, as usage was read before the rollups.
  const entries = (fromMs: number) => async () => {
    const { low, high } = ulidBounds(fromMs, endMs);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await ledger.table.query({
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
        ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':low': `TX#${low}`, ':high': `TX#${high}` },
        ExclusiveStartKey: startKey,
      });
      startKey = page.lastKey;
    } while (startKey);
  };
  await measure(`usage, 30 days, from the entries (as before rollups)`, entries(days30.fromMs));
  await measure(`usage, 13 months, from the entries (as before rollups)`, entries(months13.fromMs));
}

await main();
