// The ledger that proves itself (SPEC §12), measured: the daily close over 100,000 accounts of
// which 10,000 changed that day (items read per changed account, wall time on DynamoDB Local), and
// the verifier's entries per second from a DynamoDB export. Writes bench/results/proof.json. Wall
// times depend on the machine and on what else runs on it: say which.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { closeDays } from '../core/close/close.js';
import { LocalDigestStore } from '../core/close/store.js';
import { CapacityMeter, DAY_MS } from '../core/index.js';
import { putAccount } from '../core/items/account.js';
import { micros } from '../core/money.js';
import { bookFromExport } from '../core/proof/export-reader.js';
import { type Digest, digestHash, GENESIS_HASH, type Leaf } from '../core/proof/hashes.js';
import { leafNode, rootOf } from '../core/proof/merkle.js';
import { exportLine } from '../core/proof/sources.js';
import { leafOf, verify } from '../core/proof/verify.js';
import { createTableIfMissing } from '../core/table/create.js';
import type { Item } from '../core/table/table.js';
import { LedgerTable } from '../core/table/table.js';
import { iso } from '../core/time.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { writeResults } from './results.js';
import { batchWrite, chainedHistory } from './seed.js';

const ACCOUNTS = Number(process.env.BENCH_CLOSE_ACCOUNTS ?? 100_000);
const CHANGED = Number(process.env.BENCH_CLOSE_CHANGED ?? 10_000);
const EXPORT_ACCOUNTS = Number(process.env.BENCH_VERIFY_ACCOUNTS ?? 20_000);
const EXPORT_ENTRIES_PER_ACCOUNT = 25;
const TARGET_ITEMS_PER_CHANGED = 1.1;
const TARGET_ENTRIES_PER_SECOND = 100_000;
/** Noon of the first day closed; the second day's changes come a day later. */
const DAY1_NOON = Date.UTC(2026, 2, 1, 12);

const log = (line: string) => process.stdout.write(`${line}\n`);

/** An account's entries as the engine writes them, and its account item after them. */
function history(accountId: string, times: readonly number[]): { account: Item; entries: Item[] } {
  const amounts = { purchase: micros(50_000_000), charge: micros(1_250_000), purchaseId: `pu_${accountId}` };
  const { state, entries } = chainedHistory(accountId, times, amounts);
  const put = putAccount(state, 0, iso(times.at(-1)!));
  return { account: (put as { Put: { Item: Item } }).Put.Item, entries };
}

async function closeBenchmark(endpoint: string) {
  const meter = new CapacityMeter();
  const table = new LedgerTable({ tableName: 'bench-close', endpoint, meter });
  await createTableIfMissing(table);
  log(`seeding ${ACCOUNTS.toLocaleString('en-US')} accounts, ${CHANGED.toLocaleString('en-US')} changed on day 2…`);
  const started = performance.now();
  // Day 1 as its close left it: every account's leaf, published with its digest, as the store holds
  // it (a first close over 100,000 accounts reads each once; that is not what is measured here).
  const day1Leaves: Leaf[] = [];
  for (let from = 0; from < ACCOUNTS; from += 5_000) {
    const items: Item[] = [];
    for (let i = from; i < Math.min(ACCOUNTS, from + 5_000); i += 1) {
      const accountId = `acct-${String(i).padStart(7, '0')}`;
      const times = i < CHANGED ? [DAY1_NOON + i, DAY1_NOON + DAY_MS + i] : [DAY1_NOON + i];
      const { account, entries } = history(accountId, times);
      const first = entries[0]!;
      day1Leaves.push(leafOf(accountId, 1, String(first.hash), BigInt(first.balanceAfter as number)));
      items.push(account, ...entries);
    }
    await batchWrite(table, items);
  }
  log(`  seeded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const dir = await mkdtemp(join(tmpdir(), 'bench-digests-'));
  const store = new LocalDigestStore(dir);
  const root = rootOf(day1Leaves.map(leafNode));
  const day1: Digest = {
    day: '2026-03-01',
    cutoff: iso(DAY1_NOON + DAY_MS / 2),
    accounts: day1Leaves.length,
    root: root.hash,
    creditMicros: String(root.creditMicros),
    prev: GENESIS_HASH,
  };
  await store.publish({ digest: day1, digestHash: digestHash(day1) }, day1Leaves);
  const nowMs = DAY1_NOON + 3 * DAY_MS;
  const timed = async (label: string, day: string) => {
    meter.reset();
    const t0 = performance.now();
    const [closed] = await meter.run(label, () => closeDays({ table, store, nowMs }, day));
    const seconds = (performance.now() - t0) / 1000;
    const reading = meter.snapshot().find((r) => r.label === label)!;
    return { closed: closed!, seconds, itemsRead: reading.itemsRead, rcu: reading.readUnits };
  };
  const next = await timed('close', '2026-03-02');
  const perChanged = next.itemsRead / CHANGED;
  log(
    `close of a day with ${CHANGED} of ${ACCOUNTS} accounts changed: ${next.seconds.toFixed(1)} s wall, ` +
      `${next.itemsRead} items read (${perChanged.toFixed(2)} per changed account: ${CHANGED} index entries + ` +
      `${next.itemsRead - CHANGED} entries), ${next.rcu.toFixed(1)} RCU ` +
      `(${(next.rcu / CHANGED).toFixed(3)} per changed account); target ≤ ${TARGET_ITEMS_PER_CHANGED} items: ` +
      `${perChanged <= TARGET_ITEMS_PER_CHANGED ? 'met' : 'MISSED'}`,
  );
  await rm(dir, { recursive: true });
  return {
    accounts: ACCOUNTS,
    changed: CHANGED,
    close: {
      seconds: round(next.seconds),
      itemsRead: next.itemsRead,
      itemsReadPerChangedAccount: round(perChanged),
      rcu: round(next.rcu),
      rcuPerChangedAccount: round(next.rcu / CHANGED, 3),
      accountsRead: next.closed.accountsRead,
    },
    target: `items read per changed account ≤ ${TARGET_ITEMS_PER_CHANGED}`,
    met: perChanged <= TARGET_ITEMS_PER_CHANGED,
  };
}

async function verifierBenchmark() {
  const dir = await mkdtemp(join(tmpdir(), 'bench-export-'));
  await mkdir(join(dir, 'data'));
  const lines: string[] = [];
  let files = 0;
  for (let i = 0; i < EXPORT_ACCOUNTS; i += 1) {
    const times = Array.from({ length: EXPORT_ENTRIES_PER_ACCOUNT }, (_, n) => DAY1_NOON + n * 60_000 + i);
    const { account, entries } = history(`acct-${String(i).padStart(7, '0')}`, times);
    for (const item of [account, ...entries]) lines.push(exportLine(item));
    if (lines.length >= 100_000 || i === EXPORT_ACCOUNTS - 1) {
      await writeFile(join(dir, 'data', `part-${files++}.json.gz`), gzipSync(lines.join('\n')));
      lines.length = 0;
    }
  }
  const entries = EXPORT_ACCOUNTS * EXPORT_ENTRIES_PER_ACCOUNT;
  const runs = [];
  for (const workers of [1, 2]) runs.push(await verifyExport(dir, entries, workers));
  await rm(dir, { recursive: true });
  const best = Math.max(...runs.map((r) => r.entriesPerSecond));
  return {
    entries,
    accounts: EXPORT_ACCOUNTS,
    runs,
    target: `≥ ${TARGET_ENTRIES_PER_SECOND} entries/s`,
    met: best >= TARGET_ENTRIES_PER_SECOND,
  };
}

/** One read and verification of the export, its files read by `workers` threads; wall and CPU time. */
async function verifyExport(dir: string, entries: number, workers: number) {
  const loadAverage = Number(loadavg()[0]!.toFixed(1));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const book = await bookFromExport(dir, { workers });
  const readSeconds = (performance.now() - t0) / 1000;
  const verdict = verify(book, []);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (verdict.chainBreaks.length > 0 || verdict.entries !== entries) throw new Error('the export does not verify');
  const perSecond = Math.round(entries / seconds);
  log(
    `verifier, ${workers} thread${workers > 1 ? 's' : ''}: ${entries.toLocaleString('en-US')} entries of ` +
      `${EXPORT_ACCOUNTS} accounts from a gzipped export in ${seconds.toFixed(2)} s (reading ` +
      `${readSeconds.toFixed(2)} s; ${cpuSeconds.toFixed(2)} s of CPU): ${perSecond.toLocaleString('en-US')} ` +
      `entries/s; target ≥ ${TARGET_ENTRIES_PER_SECOND.toLocaleString('en-US')}/s: ` +
      `${perSecond >= TARGET_ENTRIES_PER_SECOND ? 'met' : 'MISSED'} (load average ${loadAverage})`,
  );
  return {
    workers,
    loadAverage,
    entriesPerCpuSecond: Math.round(entries / cpuSeconds),
    seconds: round(seconds),
    readSeconds: round(readSeconds),
    cpuSeconds: round(cpuSeconds),
    entriesPerSecond: perSecond,
  };
}

function round(n: number, digits = 2): number {
  return Number(n.toFixed(digits));
}

/** `close`, `verifier`, or both (default): which half to run. */
const ONLY = process.env.BENCH_PROOF;
const verifier = ONLY === 'close' ? undefined : await verifierBenchmark();
if (ONLY !== 'verifier') {
  log('starting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const close = await closeBenchmark(local.endpoint);
    log(`wrote ${writeResults('proof', { machine: 'shared 2-core machine', close, verifier })}`);
  } finally {
    await local.stop();
  }
} else {
  // The verifier alone: the close's last figures are kept, with when they were measured.
  const previous = JSON.parse(
    await readFile(join(import.meta.dirname, 'results', 'proof.json'), 'utf8').catch(() => '{}'),
  );
  const close = previous.close
    ? { close: previous.close, closeMeasuredAt: previous.closeMeasuredAt ?? previous.measuredAt }
    : {};
  log(`wrote ${writeResults('proof', { machine: 'shared 2-core machine', ...close, verifier })}`);
}
