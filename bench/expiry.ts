// The nightly expiry at scale, on DynamoDB Local: 100,000 lots over 20,000 accounts, 10,000 lots
// due tonight (one on each of 10,000 accounts), run locally (fan-out over the expiry index, the
// in-process queue, the workers). Then the same with ten times as many lots not due (on accounts
// of their own), to show the run's cost follows what is due, not the table. Writes
// bench/results/expiry.json.
//
//   npm run bench:expiry                       the full seed
//   BENCH_EXPIRY_SCALE=0.1 npm run bench:expiry   a tenth of it, quickly

import type { AccountState, LiveLot } from '../core/account.js';
import { emptyAccount } from '../core/account.js';
import { CapacityMeter, DEFAULT_CONFIG, Ledger, LedgerTable, ManualClock, type Micros } from '../core/index.js';
import { putAccount } from '../core/items/account.js';
import { billedItems } from '../core/table/audit.js';
import { createTableIfMissing } from '../core/table/create.js';
import { keys } from '../core/table/keys.js';
import type { Item } from '../core/table/table.js';
import { runExpiryLocally } from '../functions/local/local-expiry.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { writeResults } from './results.js';
import { batchWrite } from './seed.js';

const SCALE = Number(process.env.BENCH_EXPIRY_SCALE ?? 1);
const ACCOUNTS = Math.round(20_000 * SCALE);
const LOTS_PER_ACCOUNT = 5;
const DUE_ACCOUNTS = Math.round(10_000 * SCALE);
const TARGET_READS_PER_LOT = 1.05;
const DAY = 86_400_000;
/** The run: 2027-06-15 00:05 UTC. */
const RUN_AT = Date.UTC(2027, 5, 15, 0, 5);
const WRITERS = 8;
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Figures {
  notDueLots: number;
  accountsInTable: number;
  seconds: number;
  lotsExpired: number;
  lotsPerSecond: number;
  indexItemsRead: number;
  itemsReadPerExpiredLot: number;
  rcuPerExpiredAccount: number;
  wcuPerExpiredAccount: number;
  accountsProcessed: number;
  creditsExpired: string;
  target: string;
  met: boolean;
}

async function main(): Promise<void> {
  log(
    `starting DynamoDB Local… (scale ${SCALE}: ${ACCOUNTS} accounts × ${LOTS_PER_ACCOUNT} lots, ${DUE_ACCOUNTS} due)`,
  );
  const local = await startDynamoDbLocal();
  try {
    const base = await measure(local.endpoint, 'bench-expiry-1x', 1);
    const tenfold = await measure(local.endpoint, 'bench-expiry-10x', 10);
    const results = { scale: SCALE, runAt: new Date(RUN_AT).toISOString(), base, tenfold };
    const out = writeResults('expiry', results);
    log(`\nwrote ${out}`);
  } finally {
    await local.stop();
  }
}

async function measure(endpoint: string, tableName: string, notDueFactor: number): Promise<Figures> {
  const table = new LedgerTable({ tableName, endpoint, meter: new CapacityMeter(billedItems) });
  await createTableIfMissing(table);
  const clock = new ManualClock(RUN_AT - 400 * DAY);
  const ledger = new Ledger(table, clock, DEFAULT_CONFIG);

  // Accounts 0..DUE_ACCOUNTS-1 hold one lot due tonight and four that are not; the rest five not
  // due. Not-due lots expire 60 to 365 days after the run, so no notice is due tonight either.
  // With notDueFactor 10, nine times as many more not-due lots live on accounts of their own.
  const extraAccounts = Math.round(
    ((ACCOUNTS * LOTS_PER_ACCOUNT - DUE_ACCOUNTS) * (notDueFactor - 1)) / LOTS_PER_ACCOUNT,
  );
  const total = ACCOUNTS + extraAccounts;
  const notDueLots = ACCOUNTS * LOTS_PER_ACCOUNT - DUE_ACCOUNTS + extraAccounts * LOTS_PER_ACCOUNT;
  log(`\n== ${tableName}: seeding ${total} accounts, ${DUE_ACCOUNTS} lots due and ${notDueLots} not ==`);
  const seedStarted = performance.now();
  let next = 0;
  let written = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (;;) {
        const start = next;
        next += 12;
        if (start >= total) return;
        const items: Item[] = [];
        for (let i = start; i < Math.min(start + 12, total); i += 1) items.push(...seedAccount(i, i < DUE_ACCOUNTS));
        await batchWrite(table, items);
        written += Math.min(12, total - start);
        if (written % 20_000 < 12) log(`  ${written}/${total} accounts seeded…`);
      }
    }),
  );
  log(`  seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

  table.meter.reset();
  clock.set(RUN_AT);
  const started = performance.now();
  const run = await runExpiryLocally(ledger);
  const seconds = (performance.now() - started) / 1000;
  const records = table.meter.snapshot();
  const wcu = records.reduce((t, r) => t + r.billedWriteUnits, 0);
  const rcu = records.reduce((t, r) => t + r.readUnits, 0);
  const figures: Figures = {
    notDueLots,
    accountsInTable: total,
    seconds: Number(seconds.toFixed(2)),
    lotsExpired: run.lots,
    lotsPerSecond: Number((run.lots / seconds).toFixed(1)),
    indexItemsRead: run.indexItemsRead,
    itemsReadPerExpiredLot: Number((run.indexItemsRead / run.lots).toFixed(3)),
    rcuPerExpiredAccount: Number((rcu / run.accounts).toFixed(2)),
    wcuPerExpiredAccount: Number((wcu / run.accounts).toFixed(2)),
    accountsProcessed: run.accounts,
    creditsExpired: run.creditsExpired,
    target: `index items read per expired lot ≤ ${TARGET_READS_PER_LOT}`,
    met: run.indexItemsRead / run.lots <= TARGET_READS_PER_LOT,
  };
  log(
    `run: ${figures.seconds} s wall, ${figures.lotsExpired} lots expired (${figures.lotsPerSecond}/s) on ` +
      `${figures.accountsProcessed} accounts, ${figures.creditsExpired} credits`,
  );
  log(
    `index items read to find them: ${figures.indexItemsRead} → ${figures.itemsReadPerExpiredLot} per expired ` +
      `lot (target ≤ ${TARGET_READS_PER_LOT}: ${figures.met ? 'met' : 'MISSED'}); ` +
      `${figures.rcuPerExpiredAccount} RCU and ${figures.wcuPerExpiredAccount} WCU per expired account`,
  );
  if (run.lots !== DUE_ACCOUNTS || run.deadLettered !== 0)
    throw new Error(
      `expected ${DUE_ACCOUNTS} lots expired and none dead-lettered, got ${run.lots} and ${run.deadLettered}`,
    );
  return figures;
}

const credits = (n: number) => (n * 1_000_000) as Micros;

/** One account's items: its account item, and the lot item of its due lot. */
function seedAccount(index: number, due: boolean): Item[] {
  const accountId = `acct-${String(index).padStart(7, '0')}`;
  const state: AccountState = { ...emptyAccount(accountId), hasPurchased: true };
  const lots: LiveLot[] = [];
  for (let n = 0; n < LOTS_PER_ACCOUNT; n += 1) {
    const isDue = due && n === 0;
    const expiresAtMs = isDue
      ? RUN_AT - ((index * 7_919) % (23 * 3_600_000)) - 60_000
      : RUN_AT + (60 + ((index * 31 + n * 47) % 305)) * DAY;
    lots.push({
      lotId: `lot_${accountId}_${n}`,
      kind: 'purchased',
      amount: credits(20),
      remaining: credits(10 + n),
      expiresAtMs,
      ...(isDue ? { notice: 7 as const } : {}),
    });
  }
  state.lots = lots;
  const put = putAccount(state, 0, new Date(RUN_AT - 400 * DAY).toISOString());
  const items: Item[] = [(put as { Put: { Item: Item } }).Put.Item];
  if (due)
    items.push({
      ...keys.lot(accountId, lots[0]!.lotId),
      itemType: 'lot',
      lotId: lots[0]!.lotId,
      kind: 'purchased',
      amount: credits(20),
      source: 'stripe',
      reference: `pu-${accountId}`,
      description: 'Purchase of 20.00 credits',
      createdAt: new Date(lots[0]!.expiresAtMs! - 365 * DAY).toISOString(),
      expiresAt: new Date(lots[0]!.expiresAtMs!).toISOString(),
      withdrawable: true,
    });
  return items;
}

await main();
