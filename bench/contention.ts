// Hot accounts: 1,000 charges on one account, three ways, in one run (ratios are what count).
//
//   oneWriter       one ledger, one request at a time
//   containers      16 writers that share nothing (each its own ledger and SDK client, one request
//                   at a time, like Lambda containers), spread over 4 OS processes
//   sharedProcess   16 concurrent requests on one ledger in one process (the local server, a
//                   long-lived container)
//
// A charge answered 503 (busy) is sent again after its Retry-After with the same Idempotency-Key,
// as a client would. After each run the account's invariants are checked: balance exact, one usage
// entry per charge, the entries summing to the balance. Each run's capacity is what DynamoDB Local
// reported (a transaction's items rounded once; README, "Cost"), and, from a shorter run with
// every written item read back, what AWS bills item by item. Writes bench/results/contention.json.
//
//   npm run bench:contention
//   BENCH_CHARGES=300 npm run bench:contention   a quicker run

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import {
  balanceOf,
  CapacityMeter,
  ContentionExhausted,
  charge,
  DEFAULT_CONFIG,
  Ledger,
  LedgerTable,
  ManualClock,
  type Micros,
} from '../core/index.js';
import { loadAccount } from '../core/items/account.js';
import { billedItems } from '../core/table/audit.js';
import { createTableIfMissing } from '../core/table/create.js';
import { keys } from '../core/table/keys.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { buyCredits } from '../tests/support/purchases.js';
import { writeResults } from './results.js';

const CHARGES = Number(process.env.BENCH_CHARGES ?? 1_000);
const AUDITED_CHARGES = Math.min(CHARGES, 200);
const WRITERS = 16;
const PROCESSES = 4;
const CHARGE = 12_345 as Micros;
const STARTING_CREDIT = 1_000_000_000_000 as Micros;
const T0 = Date.UTC(2026, 0, 15, 12);
const log = (line: string) => process.stdout.write(`${line}\n`);

interface WriterReport {
  latencies: number[];
  /** CPU the writers' Node.js processes used, user and system, in milliseconds. */
  nodeCpuMs: number;
  busyAnswers: number;
  conflicts: number;
  commits: number;
  intents: number;
  intentsApplied: number;
  batched: number;
  readUnits: number;
  writeUnits: number;
  billedWriteUnits: number;
  billedIndexWriteUnits: number;
}

/** `count` charges over `writers` ledgers (or one ledger, `shared`), each writer one request at a time. */
async function chargeLoop(
  writers: Ledger[],
  concurrency: number,
  accountId: string,
  keyOf: (i: number) => string,
  count: number,
): Promise<WriterReport> {
  let next = 0;
  let busyAnswers = 0;
  const latencies: number[] = [];
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      const ledger = writers[w % writers.length]!;
      for (let i = next++; i < count; i = next++) {
        const started = performance.now();
        for (;;) {
          try {
            const result = await charge(ledger, {
              accountId,
              deploymentId: `dep-${i}`,
              amount: CHARGE,
              idempotencyKey: keyOf(i),
            });
            if (result.status !== 'paid') throw new Error(`charge ${keyOf(i)} was ${result.status}`);
            break;
          } catch (error) {
            if (!(error instanceof ContentionExhausted)) throw error;
            busyAnswers += 1;
            await new Promise((resolve) => setTimeout(resolve, error.retryAfterSeconds * 1000));
          }
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  const sum = (pick: (l: Ledger) => number) => writers.reduce((total, l) => total + pick(l), 0);
  const readings = writers.flatMap((l) => l.table.meter.snapshot());
  const cpu = process.cpuUsage(cpuBefore);
  return {
    latencies,
    nodeCpuMs: (cpu.user + cpu.system) / 1000,
    busyAnswers,
    conflicts: sum((l) => l.stats.conflicts),
    commits: sum((l) => l.stats.commits),
    intents: sum((l) => l.stats.intents),
    intentsApplied: sum((l) => l.stats.intentsApplied),
    batched: sum((l) => l.stats.batched),
    readUnits: readings.reduce((t, r) => t + r.readUnits, 0),
    writeUnits: readings.reduce((t, r) => t + r.writeUnits, 0),
    billedWriteUnits: readings.reduce((t, r) => t + r.billedWriteUnits, 0),
    billedIndexWriteUnits: readings.reduce((t, r) => t + r.billedIndexWriteUnits, 0),
  };
}

function ledgers(endpoint: string, tableName: string, count: number, audit: boolean): Ledger[] {
  return Array.from(
    { length: count },
    () =>
      new Ledger(
        new LedgerTable({ tableName, endpoint, meter: new CapacityMeter(audit ? billedItems : undefined) }),
        new ManualClock(T0),
        DEFAULT_CONFIG,
      ),
  );
}

// ---- a worker process of the `containers` run ----

async function worker(): Promise<void> {
  const [endpoint, tableName, accountId, writerCount, first, count, audit] = process.argv.slice(3);
  const writers = ledgers(endpoint!, tableName!, Number(writerCount), audit === 'audit');
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line === 'go') break;
  const report = await chargeLoop(writers, writers.length, accountId!, (i) => `c-${Number(first) + i}`, Number(count));
  process.stdout.write(`${JSON.stringify(report)}\n`);
  lines.close();
}

/** Starts `processes` workers, lets them go at once, and adds up what they report. */
async function acrossProcesses(
  endpoint: string,
  tableName: string,
  accountId: string,
  count: number,
  audit: boolean,
): Promise<{ report: WriterReport; seconds: number }> {
  const perProcess = Math.ceil(count / PROCESSES);
  const children: { child: ChildProcess; lines: AsyncIterator<string> }[] = [];
  for (let p = 0; p < PROCESSES; p += 1) {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL(import.meta.url).pathname,
        'worker',
        endpoint,
        tableName,
        accountId,
        String(WRITERS / PROCESSES),
        String(p * perProcess),
        String(Math.min(perProcess, count - p * perProcess)),
        audit ? 'audit' : 'plain',
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    children.push({ child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() });
  }
  for (const { lines } of children) {
    const first = await lines.next();
    if (first.value !== 'ready') throw new Error(`a worker said ${String(first.value)} instead of ready`);
  }
  const started = performance.now();
  for (const { child } of children) child.stdin!.write('go\n');
  const reports = await Promise.all(
    children.map(async ({ child, lines }) => {
      const line = await lines.next();
      child.stdin!.end();
      return JSON.parse(String(line.value)) as WriterReport;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const report = reports.reduce((total, r) => ({
    latencies: [...total.latencies, ...r.latencies],
    nodeCpuMs: total.nodeCpuMs + r.nodeCpuMs,
    busyAnswers: total.busyAnswers + r.busyAnswers,
    conflicts: total.conflicts + r.conflicts,
    commits: total.commits + r.commits,
    intents: total.intents + r.intents,
    intentsApplied: total.intentsApplied + r.intentsApplied,
    batched: total.batched + r.batched,
    readUnits: total.readUnits + r.readUnits,
    writeUnits: total.writeUnits + r.writeUnits,
    billedWriteUnits: total.billedWriteUnits + r.billedWriteUnits,
    billedIndexWriteUnits: total.billedIndexWriteUnits + r.billedIndexWriteUnits,
  }));
  return { report, seconds };
}

// ---- the runs ----

/** The machine's busy and total CPU time so far, in clock ticks, from /proc/stat (Linux). */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    const total = fields.reduce((sum, n) => sum + n, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

type Scenario = 'oneWriter' | 'containers' | 'sharedProcess';
let tables = 0;
/** Charges run, unmeasured, before the first measured run: DynamoDB Local's JVM compiles its hot paths. */
const WARM_UP_CHARGES = 500;

async function scenario(
  endpoint: string,
  name: Scenario,
  count: number,
  audit: boolean,
): Promise<{ report: WriterReport; seconds: number; invariantsHold: boolean; cpuBusyPercent?: number }> {
  const tableName = `bench-${name}-${audit ? 'audited' : 'timed'}-${++tables}`;
  const setup = new LedgerTable({ tableName, endpoint });
  await createTableIfMissing(setup);
  const accountId = `hot-${name}`;
  const [funder] = ledgers(endpoint, tableName, 1, false);
  await buyCredits(funder!, accountId, STARTING_CREDIT);
  let outcome: { report: WriterReport; seconds: number };
  const cpuBefore = machineCpu();
  if (name === 'containers') outcome = await acrossProcesses(endpoint, tableName, accountId, count, audit);
  else {
    const writers = ledgers(endpoint, tableName, 1, audit);
    const started = performance.now();
    const report = await chargeLoop(writers, name === 'oneWriter' ? 1 : WRITERS, accountId, (i) => `c-${i}`, count);
    outcome = { report, seconds: (performance.now() - started) / 1000 };
  }
  const cpuAfter = machineCpu();
  const cpuBusyPercent =
    cpuBefore && cpuAfter
      ? Math.round(((cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total)) * 100)
      : undefined;
  return { ...outcome, cpuBusyPercent, invariantsHold: await invariantsHold(setup, accountId, count) };
}

/** Balance exact, one usage entry per charge (and the purchase's), the entries summing to the balance. */
async function invariantsHold(table: LedgerTable, accountId: string, count: number): Promise<boolean> {
  const state = await loadAccount(table, accountId);
  const balance = balanceOf(state, T0);
  let ledgerSum = 0;
  let entries = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :tx)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':tx': 'TX#' },
      ExclusiveStartKey: startKey,
    });
    for (const item of page.items) {
      ledgerSum += item.amount as number;
      entries += 1;
    }
    startKey = page.lastKey;
  } while (startKey);
  const intentsLeft = await table.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :intent)',
    ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':intent': 'ACCOUNT#INTENT#' },
  });
  return (
    balance === STARTING_CREDIT - count * CHARGE &&
    ledgerSum === balance &&
    entries === count + 1 &&
    state.entryCount === entries &&
    intentsLeft.items.length === 0
  );
}

const round1 = (n: number) => Number(n.toFixed(1));
const round2 = (n: number) => Number(n.toFixed(2));

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
}

async function main(): Promise<void> {
  log('starting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    log(`warming DynamoDB Local up with ${WARM_UP_CHARGES} charges (not measured)…`);
    await scenario(local.endpoint, 'oneWriter', WARM_UP_CHARGES, false);
    const figures = {} as Record<Scenario, Record<string, number>>;
    let allHold = true;
    for (const name of ['oneWriter', 'containers', 'sharedProcess'] as const) {
      log(`\n== ${name}: ${CHARGES} charges on one account ==`);
      const timed = await scenario(local.endpoint, name, CHARGES, false);
      log(`   and ${AUDITED_CHARGES} more with every written item read back, for the units AWS bills…`);
      const audited = await scenario(local.endpoint, name, AUDITED_CHARGES, true);
      allHold &&= timed.invariantsHold && audited.invariantsHold;
      const { report, seconds } = timed;
      const sorted = [...report.latencies].sort((a, b) => a - b);
      figures[name] = {
        ...(name === 'containers' ? { processes: PROCESSES } : {}),
        ...(name === 'oneWriter' ? {} : { writers: WRITERS }),
        paidPerSecond: round1(CHARGES / seconds),
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        retriesPerCharge: round2(report.conflicts / CHARGES),
        chargesPerTransaction: round2(CHARGES / report.commits),
        intentsPerCharge: round2(report.intents / CHARGES),
        busyAnswers: report.busyAnswers,
        wcuPerCharge: round2(
          (audited.report.billedWriteUnits - audited.report.billedIndexWriteUnits) / AUDITED_CHARGES,
        ),
        indexWcuPerCharge: round2(audited.report.billedIndexWriteUnits / AUDITED_CHARGES),
        wcuPerChargeReportedByLocal: round2(report.writeUnits / CHARGES),
        rcuPerCharge: round2(report.readUnits / CHARGES),
        nodeCpuMsPerCharge: round2(report.nodeCpuMs / CHARGES),
        ...(timed.cpuBusyPercent === undefined ? {} : { machineCpuBusyPercent: timed.cpuBusyPercent }),
      };
      const f = figures[name];
      const held = timed.invariantsHold && audited.invariantsHold;
      log(
        `   ${f.paidPerSecond} paid/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, ${f.retriesPerCharge} retries and ` +
          `${f.intentsPerCharge} intents per charge, ${f.chargesPerTransaction} charges per transaction, ` +
          `${report.busyAnswers} answered 503; ${f.wcuPerCharge} + ${f.indexWcuPerCharge} index WCU ` +
          `(AWS rules; Local reported ` +
          `${f.wcuPerChargeReportedByLocal}) and ${f.rcuPerCharge} RCU per charge; Node.js CPU ` +
          `${f.nodeCpuMsPerCharge} ms per charge, the machine's ${availableParallelism()} cores ` +
          `${f.machineCpuBusyPercent ?? '?'}% busy; invariants ${held ? 'hold' : 'BROKEN'}`,
      );
    }
    const one = figures.oneWriter.paidPerSecond!;
    const targets = {
      containersVsOneWriter: {
        target: '≥ 0.8× one writer, p99 ≤ 1 s',
        ratio: round2(figures.containers.paidPerSecond! / one),
        met: figures.containers.paidPerSecond! >= 0.8 * one && figures.containers.p99Ms! <= 1_000,
      },
      sharedProcessVsOneWriter: {
        target: '≥ 3× one writer',
        ratio: round2(figures.sharedProcess.paidPerSecond! / one),
        met: figures.sharedProcess.paidPerSecond! >= 3 * one,
      },
    };
    const verdict = (t: { ratio: number; met: boolean }) => `${t.ratio}× (${t.met ? 'met' : 'MISSED'})`;
    log(
      `\ncontainers ${verdict(targets.containersVsOneWriter)} one writer, shared process ` +
        `${verdict(targets.sharedProcessVsOneWriter)}; invariants ${allHold ? 'hold' : 'BROKEN'}`,
    );
    const out = writeResults('contention', {
      charges: CHARGES,
      cores: availableParallelism(),
      oneWriter: figures.oneWriter,
      containers: figures.containers,
      sharedProcess: figures.sharedProcess,
      targets,
      invariantsHold: allHold,
    });
    log(`wrote ${out}`);
    if (!allHold) process.exitCode = 1;
  } finally {
    await local.stop();
  }
}

if (process.argv[2] === 'worker') await worker();
else await main();
