// The client library (sdk/): its size as a browser or a service bundles it (esbuild, minified,
// gzipped; with openapi-fetch, its one dependency, and without it), and what a check costs
// through it against a direct fetch of the same URL with the same token, alternated call by call
// against the local server so both see the same DynamoDB Local. Writes bench/results/sdk.json.
//
//   npm run bench:sdk                1,000 checks each way
//   BENCH_SDK_CALLS=200 npm run bench:sdk

import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { DEFAULT_CONFIG, Ledger, LedgerTable, systemClock } from '../core/index.js';
import { createTableIfMissing } from '../core/table/create.js';
import { LOCAL_POLICY } from '../core/webhooks/address.js';
import { signDevToken } from '../functions/local/dev-auth.js';
import { startLocalJobs } from '../functions/local/local-jobs.js';
import { localPayments } from '../functions/local/local-providers.js';
import { startLocalServer } from '../functions/local/server.js';
import { startDynamoDbLocal } from '../scripts/dynamodb-local.js';
import { createClient } from '../sdk/src/index.js';
import { buyCredits } from '../tests/support/purchases.js';
import { writeResults } from './results.js';

const CALLS = Number(process.env.BENCH_SDK_CALLS ?? 1_000);
const WARMUP_CALLS = 50;
const TARGET_GZIP_KB = 15;
const log = (line: string) => process.stdout.write(`${line}\n`);
const kb = (bytes: number) => Math.round(bytes / 102.4) / 10;

async function bundleSize(external: string[]): Promise<{ minifiedKb: number; gzipKb: number }> {
  const result = await build({
    entryPoints: ['sdk/src/index.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    external,
  });
  const code = result.outputFiles[0]!.contents;
  return { minifiedKb: kb(code.length), gzipKb: kb(gzipSync(code).length) };
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000) / 1000;
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: Math.round((times.reduce((a, b) => a + b, 0) / times.length) * 1000) / 1000,
  };
}

async function main(): Promise<void> {
  log('== the library, bundled (esbuild, minified, ESM) ==');
  const withFetch = await bundleSize([]);
  const alone = await bundleSize(['openapi-fetch']);
  log(`with openapi-fetch: ${withFetch.minifiedKb} KB, ${withFetch.gzipKb} KB gzipped (target ≤ ${TARGET_GZIP_KB} KB)`);
  log(`without it:         ${alone.minifiedKb} KB, ${alone.gzipKb} KB gzipped`);

  log('\nstarting DynamoDB Local…');
  const local = await startDynamoDbLocal();
  try {
    const table = new LedgerTable({ tableName: 'bench-sdk', endpoint: local.endpoint });
    await createTableIfMissing(table);
    const ledger = new Ledger(table, systemClock, DEFAULT_CONFIG);
    const payments = localPayments({});
    const jobs = await startLocalJobs(ledger, {});
    const server = await startLocalServer({
      runtime: { ledger, cursorSecret: 'bench', webhooks: { policy: LOCAL_POLICY, sender: jobs.webhookSender } },
      payments,
      authSecret: 'bench-secret',
      port: 0,
    });
    try {
      await buyCredits(ledger, 'bench-sdk', 50_000_000 as Parameters<typeof buyCredits>[2]);
      const token = await signDevToken('bench-secret', 'bench-sdk');
      const credits = createClient({ baseUrl: server.url, token });
      const direct = async () => {
        const response = await fetch(`${server.url}/credits/check?amount=12.5`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!response.ok) throw new Error(`check answered ${response.status}`);
        return response.json();
      };
      const through = () => credits.credits.check({ amount: '12.5' });
      log(`\n== a check, ${CALLS} calls each way, alternated (after ${WARMUP_CALLS} of each unmeasured) ==`);
      const times = { direct: [] as number[], sdk: [] as number[] };
      for (let call = 0; call < WARMUP_CALLS + CALLS; call += 1) {
        for (const [way, fn] of [
          ['direct', direct],
          ['sdk', through],
        ] as const) {
          const started = performance.now();
          await fn();
          if (call >= WARMUP_CALLS) times[way].push(performance.now() - started);
        }
      }
      const directMs = summary(times.direct);
      const sdkMs = summary(times.sdk);
      const ratio = Math.round((sdkMs.p50 / directMs.p50) * 100) / 100;
      log(`direct fetch:     p50 ${directMs.p50} ms, p99 ${directMs.p99} ms`);
      log(`through the SDK:  p50 ${sdkMs.p50} ms, p99 ${sdkMs.p99} ms (p50 ratio ${ratio}×)`);
      const out = writeResults('sdk', {
        bundle: {
          withOpenapiFetch: withFetch,
          withoutIt: alone,
          target: `≤ ${TARGET_GZIP_KB} KB gzipped`,
          met: withFetch.gzipKb <= TARGET_GZIP_KB,
        },
        check: { calls: CALLS, directMs, sdkMs, p50Ratio: ratio },
      });
      log(`\nwrote ${out}`);
    } finally {
      jobs.stop();
      await server.close();
    }
  } finally {
    await local.stop();
  }
}

await main();
