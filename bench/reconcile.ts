// Reconciliation in the daily close (SPEC §12), measured: a day of 10,000 purchases and 100,000
// charges (usage entries) over 10,000 accounts on DynamoDB Local, every purchase paid at the Stripe
// stand-in, read through the Stripe adapter over HTTP as on AWS. Reports the provider calls the
// adapter made (pages of 100), the table items reconciliation read, and the wall time of the close
// and of its reconciliation step. Writes bench/results/reconcile.json. Wall times depend on the
// machine and on what else runs on it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { newId } from '../core/ids.js';
import { DAY_MS, type Micros } from '../core/index.js';
import { putAccount } from '../core/items/account.js';
import type { ItemWrite } from '../core/items/fields.js';
import { type Purchase, purchaseItems } from '../core/items/purchase.js';
import { micros } from '../core/money.js';
import { reconcileStep } from '../core/reconcile/reconcile.js';
import { reportFromJson } from '../core/reconcile/report.js';
import { createTableIfMissing } from '../core/table/create.js';
import type { Item } from '../core/table/table.js';
import { LedgerTable } from '../core/table/table.js';
import { iso } from '../core/time.js';
import { localPaymentsSources, ProviderStandIns } from '../functions/local/provider-stand-ins.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { writeResults } from './results.js';
import { batchWrite, chainedHistory } from './seed.js';

const PURCHASES = Number(process.env.BENCH_RECONCILE_PURCHASES ?? 10_000);
const CHARGES = Number(process.env.BENCH_RECONCILE_CHARGES ?? 100_000);
const DAY = '2026-03-02';
const DAY_START = Date.parse(`${DAY}T00:00:00.000Z`);
const PURCHASE_MICROS = 50_000_000;
const CHARGE_MICROS = 125_000;

const log = (line: string) => process.stdout.write(`${line}\n`);

function itemOf(write: ItemWrite): Item {
  const put = (write.item as { Put?: { Item: Item } }).Put;
  if (!put) throw new Error('a seeding write is a Put');
  return put.Item;
}

/** One account's day: a purchase credited, then its share of the charges, chained as the engine writes them. */
function accountDay(i: number, charges: number): { items: Item[]; purchase: Purchase } {
  const accountId = `rec-${String(i).padStart(6, '0')}`;
  const start = DAY_START + 3_600_000 + i * 3;
  const purchaseId = newId('pu', start - 60_000);
  const purchase: Purchase = {
    purchaseId,
    accountId,
    status: 'completed',
    amount: PURCHASE_MICROS as Micros,
    method: 'card',
    provider: 'stripe',
    createdAt: iso(start - 60_000),
    updatedAt: iso(start),
    paidAmount: PURCHASE_MICROS as Micros,
  };
  const times = Array.from({ length: charges + 1 }, (_, n) => start + n);
  const amounts = { purchase: micros(PURCHASE_MICROS), charge: micros(CHARGE_MICROS), purchaseId };
  const { state, entries } = chainedHistory(accountId, times, amounts);
  const items: Item[] = [itemOf(purchaseItems.created(purchase)), itemOf(purchaseItems.lookup(purchase)), ...entries];
  items.push(itemOf({ item: putAccount(state, 0, iso(start + charges)) }));
  return { items, purchase };
}

async function benchmark(endpoint: string) {
  const table = new LedgerTable({ tableName: 'bench-reconcile', endpoint });
  await createTableIfMissing(table);
  const standIns = new ProviderStandIns(new Set(['stripe', 'spherepay'] as const));
  log(`seeding ${PURCHASES.toLocaleString('en-US')} purchases and ${CHARGES.toLocaleString('en-US')} charges…`);
  const seeding = performance.now();
  const perAccount = Math.floor(CHARGES / PURCHASES);
  for (let from = 0; from < PURCHASES; from += 500) {
    const items: Item[] = [];
    const paid = [];
    for (let i = from; i < Math.min(PURCHASES, from + 500); i += 1) {
      const { items: day, purchase } = accountDay(i, perAccount);
      items.push(...day);
      paid.push({
        purchaseId: purchase.purchaseId,
        accountId: purchase.accountId,
        amount: purchase.amount,
        createdAtMs: Date.parse(purchase.updatedAt),
      });
    }
    await batchWrite(table, items);
    standIns.stores.stripe.seed(paid);
  }
  log(`  seeded in ${((performance.now() - seeding) / 1000).toFixed(0)} s`);
  await standIns.listen();
  const dir = await mkdtemp(join(tmpdir(), 'bench-reconcile-'));
  const store = new LocalDigestStore(dir);
  let stepSeconds = 0;
  const reconcile = reconcileStep({ table, store, sources: localPaymentsSources(standIns, {}) });
  const started = performance.now();
  await closeDays(
    {
      table,
      store,
      nowMs: DAY_START + DAY_MS + 1_800_000,
      after: [
        async (closed) => {
          const t0 = performance.now();
          await reconcile(closed);
          stepSeconds = (performance.now() - t0) / 1000;
        },
      ],
    },
    DAY,
  );
  const closeSeconds = (performance.now() - started) / 1000;
  const report = reportFromJson((await store.closeReport(DAY, 'json')) ?? '');
  await standIns.close();
  await rm(dir, { recursive: true });
  const counts = Object.fromEntries(Object.entries(report.categories).map(([name, items]) => [name, items.length]));
  const result = {
    purchases: PURCHASES,
    charges: perAccount * PURCHASES,
    providerCalls: report.providers.map((p) => ({ provider: p.provider, calls: p.calls, payments: p.payments })),
    standInRequests: standIns.requests.length,
    itemsRead: report.itemsRead,
    closeSeconds: round(closeSeconds),
    reconcileSeconds: round(stepSeconds),
    categories: counts,
    rollForwardHolds: report.rollForwardHolds,
  };
  log(
    `close of a day with ${result.purchases} purchases and ${result.charges} charges: ${result.closeSeconds} s wall ` +
      `(reconciliation ${result.reconcileSeconds} s); provider calls ${JSON.stringify(result.providerCalls)}; ` +
      `${result.itemsRead} table items read by reconciliation; matched ${counts.matched}; roll-forward ` +
      `${result.rollForwardHolds ? 'holds' : 'BROKEN'}`,
  );
  return result;
}

function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}

log('starting DynamoDB Local…');
const local = await startDynamoDbLocal();
try {
  const result = await benchmark(local.endpoint);
  log(`wrote ${writeResults('reconcile', { machine: 'shared 2-core machine', ...result })}`);
} finally {
  await local.stop();
}
