// Receipts (SPEC §11): what a receipt PDF costs to render (p50, peak memory) and the bundle of the
// function that renders it; the capacity the receipt number adds to the transaction that credits a
// purchase (from the capacity meter's audit of that transaction, item by item); and, since one
// sequence is shared by every account, purchases completed per second when 16 accounts' payment
// events arrive at once, against the same run on the ledger before receipts were numbered
// (BENCH_BASE_TREE: a checkout of that commit, with node_modules). And a monthly statement (SPEC §11)
// of a month of 10,000 entries (BENCH_STATEMENT_ENTRIES): reading and summing the month, and its PDF
// (p50, peak memory), rendered by the same function. Writes bench/results/receipts.json.
//
//   npm run bench:receipts
//   BENCH_BASE_TREE=/path/to/checkout npm run bench:receipts

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { CapacityMeter, DEFAULT_CONFIG, getPurchase, Ledger, LedgerTable, ManualClock, micros } from '../core/index.js';
import { getDocument } from '../core/ledger/receipts.js';
import { parseMonth, statementOf } from '../core/ledger/statements.js';
import { billedItems } from '../core/table/audit.js';
import { createTableIfMissing } from '../core/table/create.js';
import { documentPdf } from '../functions/documents/pdf.js';
import { statementPdf } from '../functions/documents/statement-pdf.js';
import { presentDocument, sellerFromEnv } from '../functions/http/documents.js';
import { presentStatement } from '../functions/http/statements.js';
import { functionBuild } from '../infra/bundling.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { buyCredits } from '../tests/support/purchases.js';
import { monthOfEntries } from '../tests/support/statement-month.js';
import { purchaseRate } from './purchase-rate.js';
import { writeResults } from './results.js';
import { batchWrite } from './seed.js';

const RENDERS = Number(process.env.BENCH_RENDERS ?? 200);
const PER_ACCOUNT = Number(process.env.BENCH_PURCHASES ?? 10);
const ROUNDS = 2;
const STATEMENT_ENTRIES = Number(process.env.BENCH_STATEMENT_ENTRIES ?? 10_000);
const STATEMENT_RENDERS = Number(process.env.BENCH_STATEMENT_RENDERS ?? 20);
/** The month benchmarked: March 2026, read in April. */
const MARCH = Date.UTC(2026, 2, 1);
const log = (line: string) => process.stdout.write(`${line}\n`);

async function receiptCapacity(endpoint: string) {
  const meter = new CapacityMeter(billedItems);
  const table = new LedgerTable({ tableName: `bench-receipts-${randomUUID()}`, endpoint, meter });
  await createTableIfMissing(table);
  const ledger = new Ledger(table, new ManualClock(Date.UTC(2026, 5, 15, 12)), DEFAULT_CONFIG);
  await buyCredits(ledger, 'capacity', micros(10_000_000));
  meter.reset();
  const bought = await buyCredits(ledger, 'capacity', micros(25_000_000));
  const credit = meter.lastTransaction();
  const numbering = credit.filter((item) => item.sk.startsWith('RECEIPT#') || /^\d{4}$/.test(item.sk));
  const units = (items: typeof credit) => items.reduce((total, item) => total + item.units + item.indexUnits, 0);
  const reading = meter.snapshot().find((r) => r.label === 'applyPaymentEvent');
  const purchase = await getPurchase(ledger, 'capacity', bought.purchaseId);
  const receipt = await getDocument(ledger, 'capacity', purchase.receiptNumber!);
  return {
    creditTransactionWriteUnits: units(credit),
    receiptNumberWriteUnits: units(numbering),
    numberingItems: numbering.map((item) => ({ sk: item.sk, bytes: item.afterBytes, units: item.units })),
    // The plan's consistent reads of the sequence and of the billing profile: 1 RCU each (under 4 KB).
    receiptNumberReadUnits: 2,
    creditReadUnits: reading?.readUnits ?? 0,
    receipt,
  };
}

async function pdfCost(view: Parameters<typeof documentPdf>[0]) {
  await documentPdf(view); // warm: the fonts parsed once per container
  const times: number[] = [];
  let peakRss = process.memoryUsage().rss;
  const baseRss = peakRss;
  let bytes = 0;
  for (let i = 0; i < RENDERS; i += 1) {
    const started = performance.now();
    bytes = (await documentPdf(view)).length;
    times.push(performance.now() - started);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1));
  return {
    renders: RENDERS,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    bytes,
    peakRssMb: Number((peakRss / 2 ** 20).toFixed(1)),
    rssGrowthMb: Number(((peakRss - baseRss) / 2 ** 20).toFixed(1)),
  };
}

async function bundle(name: 'receipts' | 'balance' | 'charges') {
  const result = await build({ ...functionBuild(name), write: false, outfile: `/tmp/bench-${name}.mjs` });
  const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'))!.contents;
  return {
    name,
    kb: Number((code.length / 1024).toFixed(1)),
    gzipKb: Number((gzipSync(code).length / 1024).toFixed(1)),
  };
}

/** The statement of a month of STATEMENT_ENTRIES entries: its read and sum, and its PDF, as the route makes it. */
async function statementCost(endpoint: string) {
  const table = new LedgerTable({ tableName: `bench-statement-${randomUUID()}`, endpoint });
  await createTableIfMissing(table);
  const ledger = new Ledger(table, new ManualClock(Date.UTC(2026, 3, 10)), DEFAULT_CONFIG);
  await batchWrite(table, monthOfEntries('statement-heavy', MARCH, STATEMENT_ENTRIES));
  const month = parseMonth('2026-03', ledger.nowMs());
  const seller = sellerFromEnv({});
  const render = async () => {
    const readStarted = performance.now();
    const statement = await statementOf(ledger, 'statement-heavy', month);
    const readMs = performance.now() - readStarted;
    const view = presentStatement(statement, { proof: null, reason: '2026-03-31 has not been closed yet' }, '2026-03');
    const pdf = await statementPdf(view, statement.detail, seller);
    return { readMs, totalMs: performance.now() - readStarted, pdf, entries: statement.entries };
  };
  await render(); // warm: the fonts parsed once per container
  const baseRss = process.memoryUsage().rss;
  let peakRss = baseRss;
  const runs: Awaited<ReturnType<typeof render>>[] = [];
  for (let i = 0; i < STATEMENT_RENDERS; i += 1) {
    runs.push(await render());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const p50 = (values: number[]) => Number(values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(1));
  const { getDocumentProxy } = await import('unpdf');
  const last = runs.at(-1)!;
  return {
    entries: last.entries,
    renders: STATEMENT_RENDERS,
    readP50Ms: p50(runs.map((r) => r.readMs)),
    p50Ms: p50(runs.map((r) => r.totalMs)),
    bytes: last.pdf.length,
    pages: (await getDocumentProxy(last.pdf.slice())).numPages,
    peakRssMb: Number((peakRss / 2 ** 20).toFixed(1)),
    rssGrowthMb: Number(((peakRss - baseRss) / 2 ** 20).toFixed(1)),
  };
}

/** The rate on this tree, in-process, and on the base tree, in a process of its own. */
function baseRate(endpoint: string): object | undefined {
  const tree = process.env.BENCH_BASE_TREE;
  if (!tree) return undefined;
  const out = execFileSync('npx', ['tsx', 'bench/purchase-rate.ts', endpoint, String(PER_ACCOUNT)], { cwd: tree });
  return JSON.parse(out.toString().trim().split('\n').at(-1)!);
}

async function main(): Promise<void> {
  const local = await startDynamoDbLocal();
  try {
    const capacity = await receiptCapacity(local.endpoint);
    log(`receipt number: +${capacity.receiptNumberWriteUnits} WCU of ${capacity.creditTransactionWriteUnits}`);
    const view = presentDocument(capacity.receipt, sellerFromEnv({}));
    const pdf = await pdfCost(view);
    log(`receipt PDF: p50 ${pdf.p50Ms} ms, p95 ${pdf.p95Ms} ms, ${pdf.bytes} bytes, peak RSS ${pdf.peakRssMb} MB`);
    const statement = await statementCost(local.endpoint);
    log(
      `statement PDF of ${statement.entries} entries (${statement.pages} pages): p50 ${statement.p50Ms} ms ` +
        `(reading the month ${statement.readP50Ms} ms), ${statement.bytes} bytes, peak RSS ${statement.peakRssMb} MB`,
    );
    const bundles = await Promise.all((['receipts', 'balance', 'charges'] as const).map(bundle));
    for (const b of bundles) log(`bundle ${b.name}: ${b.kb} KB (gzip ${b.gzipKb} KB)`);
    const rounds = [];
    // Alternated, so the load other processes put on the machine weighs on both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      const without = baseRate(local.endpoint);
      const numbered = await purchaseRate(local.endpoint, PER_ACCOUNT);
      log(`round ${round + 1}: numbered ${numbered.perSecond}/s, without ${JSON.stringify(without ?? 'not run')}`);
      rounds.push({ numbered, without });
    }
    const { receipt: _receipt, ...capacityFigures } = capacity;
    const out = writeResults('receipts', {
      capacity: capacityFigures,
      receiptPdf: pdf,
      statementPdf: statement,
      bundles,
      purchaseRate: rounds,
    });
    log(`wrote ${out}`);
  } finally {
    await local.stop();
  }
}

await main();
