// The HTTP layer's cost: p50/p99 of check and charge through the local server (dev-token check,
// API Gateway event, middy, validation, problem mapping, JSON) next to the same calls made on
// the ledger core directly, alternated call by call so both see the same DynamoDB Local; and
// each Lambda function's bundle as infra/bundling.ts builds it. Writes bench/results/http.json.
//
//   npm run bench:http               1,000 calls of each kind
//   BENCH_HTTP_CALLS=200 npm run bench:http

import { Agent, request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import {
  charge,
  check,
  DEFAULT_CONFIG,
  getCharge,
  Ledger,
  LedgerTable,
  type Micros,
  saveCard,
  setAutoTopUp,
  systemClock,
} from '../core/index.js';
import { createTableIfMissing } from '../core/table/create.js';
import { LOCAL_POLICY } from '../core/webhooks/address.js';
import { HttpWebhookSender } from '../core/webhooks/sender.js';
import { signDevToken } from '../functions/local/dev-auth.js';
import { startLocalJobs } from '../functions/local/local-jobs.js';
import { localPayments } from '../functions/local/local-providers.js';
import { startLocalServer } from '../functions/local/server.js';
import { functionBuild, HTTP_FUNCTIONS } from '../infra/bundling.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { buyCredits } from '../tests/support/purchases.js';
import { writeResults } from './results.js';

const CALLS = Number(process.env.BENCH_HTTP_CALLS ?? 1_000);
const WARMUP_CALLS = 50;
const TARGET_RATIO = 1.5;
const TARGET_BUNDLE_KB = 200;
/** The functions on the deployment's hot path, which must stay small and free of the Stripe SDK. */
const HOT_FUNCTIONS = ['balance', 'charges'];
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Latency {
  p50: number;
  p99: number;
  mean: number;
}

async function main(): Promise<void> {
  const bundles = await measureBundles();
  log('\nstarting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const overhead = await measureOverhead(local.endpoint);
    const autoTopUp = await measureAutoTopUp(local.endpoint);
    const results = { calls: CALLS, overhead, bundles, autoTopUp };
    const out = writeResults('http', results);
    log(`\nwrote ${out}`);
  } finally {
    await local.stop();
  }
}

/**
 * A charge that waits for credit, paid by auto top-up: from the charge call to the charge read back
 * `paid`, on the local stack (the PaymentIntent made after the commit by the in-process queue, the
 * local card's signed `payment_intent.succeeded` sent over HTTP to the server's Stripe webhook).
 */
async function measureAutoTopUp(endpoint: string) {
  const RUNS = 20;
  log(`\n== a pending charge paid by auto top-up, charge → paid, ${RUNS} runs (local stack) ==`);
  const table = new LedgerTable({ tableName: 'bench-auto-top-up', endpoint });
  await createTableIfMissing(table);
  const ledger = new Ledger(table, systemClock, DEFAULT_CONFIG);
  const payments = localPayments({});
  const jobs = await startLocalJobs(ledger, { ...(payments.cards ? { cards: payments.cards } : {}) });
  const server = await startLocalServer({
    runtime: {
      ledger,
      cursorSecret: 'bench-cursor',
      webhooks: { policy: LOCAL_POLICY, sender: jobs.webhookSender },
    },
    payments,
    authSecret: 'bench-secret',
    port: 0,
  });
  const credits = (n: number) => (n * 1_000_000) as Micros;
  const times: number[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const accountId = `bench-topup-${run}`;
      await buyCredits(ledger, accountId, credits(5));
      await saveCard(ledger, {
        eventId: `evt_bench_${run}`,
        accountId,
        customerId: 'cus_bench',
        paymentMethodId: 'pm_card_visa',
        label: 'card visa',
      });
      await setAutoTopUp(ledger, accountId, {
        enabled: true,
        threshold: credits(1),
        amount: credits(50),
        monthlyLimit: credits(500),
      });
      const started = performance.now();
      const pending = await charge(ledger, {
        accountId,
        deploymentId: 'd',
        amount: credits(30),
        idempotencyKey: `k${run}`,
      });
      if (pending.status !== 'pending_payment') throw new Error(`run ${run}: the charge was ${pending.status}`);
      for (;;) {
        if ((await getCharge(ledger, accountId, pending.chargeId)).status === 'paid') break;
        if (performance.now() - started > 10_000) throw new Error(`run ${run}: not paid within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      times.push(performance.now() - started);
    }
  } finally {
    jobs.stop();
    await server.close();
  }
  times.sort((a, b) => a - b);
  const median = round(times[Math.floor(times.length / 2)]!);
  log(`charge → paid through auto top-up: median ${median} ms, max ${round(times.at(-1)!)} ms`);
  return { runs: RUNS, medianMs: median, maxMs: round(times.at(-1)!) };
}

async function measureBundles() {
  log('== Lambda bundles (esbuild, minified, ESM; the AWS SDK comes with the nodejs22.x runtime) ==');
  const rows = [];
  for (const fn of HTTP_FUNCTIONS) {
    const result = await build({
      ...functionBuild(fn.group),
      outfile: `out/${fn.group}.mjs`,
      write: false,
      metafile: true,
    });
    const code = result.outputFiles!.find((file) => file.path.endsWith('.mjs'))!.contents;
    const inputs = Object.keys((result.metafile as Metafile).inputs);
    const stripe = inputs.some((path) => path.includes('node_modules/stripe/'));
    const sdkClients = [
      ...new Set(
        Object.values((result.metafile as Metafile).outputs).flatMap((o) =>
          o.imports.filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path),
        ),
      ),
    ];
    const kb = Number((code.length / 1024).toFixed(1));
    const hot = HOT_FUNCTIONS.includes(fn.group);
    const met = hot ? kb <= TARGET_BUNDLE_KB && !stripe : undefined;
    rows.push({
      function: fn.group,
      kb,
      gzipKb: Number((gzipSync(code).length / 1024).toFixed(1)),
      stripe,
      sdkClients,
      ...(hot ? { target: `≤ ${TARGET_BUNDLE_KB} KB, no Stripe`, met } : {}),
    });
    log(
      `${fn.group.padEnd(14)} ${String(kb).padStart(6)} KB  (gzip ${rows.at(-1)!.gzipKb} KB)  Stripe: ` +
        `${stripe ? 'YES' : 'no'}  SDK from the runtime: ` +
        `${sdkClients.join(', ')}` +
        (hot ? `   target ≤ ${TARGET_BUNDLE_KB} KB, no Stripe: ${met ? 'met' : 'MISSED'}` : ''),
    );
  }
  return rows;
}

async function measureOverhead(endpoint: string) {
  log(`\n== check and charge: local server vs. the core directly, ${CALLS} calls each, alternated ==`);
  const table = new LedgerTable({ tableName: 'bench-http', endpoint });
  await createTableIfMissing(table);
  const ledger = new Ledger(table, systemClock, DEFAULT_CONFIG);
  const secret = 'bench-secret';
  const server = await startLocalServer({
    runtime: {
      ledger,
      cursorSecret: 'bench-cursor',
      webhooks: { policy: LOCAL_POLICY, sender: new HttpWebhookSender(LOCAL_POLICY) },
    },
    payments: localPayments({}),
    authSecret: secret,
    port: 0,
  });
  try {
    const token = await signDevToken(secret, 'bench-http');
    const core = 'bench-core';
    const credits = (n: number) => (n * 1_000_000) as Micros;
    for (const accountId of ['bench-http', core]) await buyCredits(ledger, accountId, credits(1_000_000));

    const headers = { authorization: `Bearer ${token}` };
    // A plain keep-alive client, so the figures are the server's and not a heavy client's.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const { hostname, port } = new URL(server.url);
    const call = (method: string, path: string, requestHeaders: Record<string, string>, body?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            agent,
            hostname,
            port,
            method,
            path,
            headers: { ...requestHeaders, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    let n = 0;
    const httpCheck = async () => {
      const response = await call('GET', '/credits/check?amount=12.50', headers);
      if (response.status !== 200) throw new Error(`check answered ${response.status}: ${response.body}`);
    };
    const httpCharge = async () => {
      const body = JSON.stringify({ deploymentId: 'bench', amount: '0.012345' });
      const response = await call(
        'POST',
        '/credits/charges',
        { ...headers, 'content-type': 'application/json', 'idempotency-key': `http-${++n}` },
        body,
      );
      if (response.status !== 201) throw new Error(`charge answered ${response.status}: ${response.body}`);
    };
    const coreCheck = () => check(ledger, core, credits(12.5));
    const coreCharge = async () => {
      const result = await charge(ledger, {
        accountId: core,
        deploymentId: 'bench',
        amount: 12_345 as Micros,
        idempotencyKey: `core-${++n}`,
      });
      if (result.status !== 'paid') throw new Error(`charge was ${result.status}`);
    };

    const pairs = { check: [httpCheck, coreCheck], charge: [httpCharge, coreCharge] } as const;
    const rows = [];
    for (const [name, [viaHttp, direct]] of Object.entries(pairs)) {
      for (let i = 0; i < WARMUP_CALLS; i += 1) {
        await viaHttp();
        await direct();
      }
      const httpMs: number[] = [];
      const coreMs: number[] = [];
      for (let i = 0; i < CALLS; i += 1) {
        httpMs.push(await timed(viaHttp));
        coreMs.push(await timed(direct));
        if ((i + 1) % 250 === 0) log(`  ${name}: ${i + 1}/${CALLS}…`);
      }
      const http = latency(httpMs);
      const direct_ = latency(coreMs);
      const ratio = { p50: round(http.p50 / direct_.p50), p99: round(http.p99 / direct_.p99) };
      rows.push({
        operation: name,
        http,
        core: direct_,
        ratio,
        target: `p50 ratio ≤ ${TARGET_RATIO}`,
        met: ratio.p50 <= TARGET_RATIO,
      });
      log(
        `${name.padEnd(7)} HTTP p50 ${http.p50} ms p99 ${http.p99} ms | core p50 ${direct_.p50} ms p99 ` +
          `${direct_.p99} ms | ratio p50 ${ratio.p50}× p99 ${ratio.p99}×   target p50 ≤ ${TARGET_RATIO}×: ` +
          `${ratio.p50 <= TARGET_RATIO ? 'met' : 'MISSED'}`,
      );
    }
    agent.destroy();
    return rows;
  } finally {
    await server.close();
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return { p50: round(at(0.5)), p99: round(at(0.99)), mean: round(sorted.reduce((t, x) => t + x, 0) / sorted.length) };
}

function round(x: number): number {
  return Number(x.toFixed(2));
}

await main();
