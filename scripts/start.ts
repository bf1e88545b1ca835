// `npm start`: IO Credits on this machine. Builds the Usage & Billing app when web/ changed,
// starts DynamoDB Local (data kept in .data/ between runs, or in memory with --memory), creates
// the table, and serves the app and the same Lambda handlers over HTTP on 127.0.0.1:$PORT (3000),
// checking HS256 dev tokens in place of API Gateway's JWT authorizer. Prints the app's URL first,
// then ready-to-paste tokens. Ctrl-C stops everything, JVM included.

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatMicros } from '../core/money.js';
import { createTableIfMissing } from '../core/table/create.js';
import { LedgerTable } from '../core/table/table.js';
import { digestsOf } from '../functions/http/digests.js';
import { runtimeFromEnv } from '../functions/http/runtime.js';
import { devSecret, signDevToken } from '../functions/local/dev-auth.js';
import { type LocalJobs, SWEEP_EVERY_MS, startLocalJobs } from '../functions/local/local-jobs.js';
import { LocalCheckout, localPayments, standInsOf } from '../functions/local/local-providers.js';
import { localPaymentsSources } from '../functions/local/provider-stand-ins.js';
import { startLocalServer } from '../functions/local/server.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { buildWeb, WEB_DIST } from './web-build.js';

const inMemory = process.argv.includes('--memory');
const dataDir = resolve('.data');
const port = process.env.PORT ? Number(process.env.PORT) : 3000;
const tableName = process.env.TABLE_NAME ?? 'io-credits';

async function main(): Promise<void> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got ${process.env.PORT}`);
  if (!inMemory) mkdirSync(resolve(dataDir, 'dynamodb'), { recursive: true });
  await buildWeb();
  const dynamo = await startDynamoDbLocal({
    ...(inMemory ? {} : { dbPath: resolve(dataDir, 'dynamodb') }),
    ...(process.env.DYNAMODB_PORT ? { port: Number(process.env.DYNAMODB_PORT) } : {}),
  });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    jobs?.stop();
    await server?.close();
    await dynamo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let server: Awaited<ReturnType<typeof startLocalServer>> | undefined;
  let jobs: LocalJobs | undefined;
  try {
    await createTableIfMissing(new LedgerTable({ tableName, endpoint: dynamo.endpoint }));
    const env = {
      ...process.env,
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      // The daily digests: beside the table, or in a folder of this run's own with --memory.
      DIGEST_DIR:
        process.env.DIGEST_DIR ?? (inMemory ? mkdtempSync(join(tmpdir(), 'digests-')) : resolve(dataDir, 'digests')),
    };
    const runtime = runtimeFromEnv(env);
    // The local routes that close a day and read digests find the store on the runtime.
    digestsOf(runtime, env);
    const { secret, generated } = devSecret(process.env, resolve(dataDir, 'auth-dev-secret'));
    // The providers' stand-ins keep what they took beside the table (in memory with --memory).
    const payments = localPayments(process.env, inMemory ? {} : { standInsDir: resolve(dataDir, 'stand-ins') });
    jobs = await startLocalJobs(runtime.ledger, payments.cards ? { cards: payments.cards } : {});
    runtime.afterClockMove = jobs.afterClockMove;
    server = await startLocalServer({ runtime, payments, authSecret: secret, port, webRoot: WEB_DIST });
    // What the daily close reconciles against: the stand-ins, listening now, or the real providers.
    runtime.paymentsSources = localPaymentsSources(standInsOf(payments), process.env);
    const [user, admin, service] = await Promise.all([
      signDevToken(secret, 'demo-user'),
      signDevToken(secret, 'finance', 'credits:admin'),
      signDevToken(secret, 'deployments', 'credits:service'),
    ]);
    process.stdout.write(
      [
        `Usage & Billing: open ${server.url}/ (sign in as the demo user or the finance team)`,
        `IO Credits API on ${server.url}  (OpenAPI: ${server.url}/openapi.json)`,
        `DynamoDB Local on ${dynamo.endpoint}, table ${tableName}, ` +
          `${inMemory ? 'in memory' : `data in ${resolve(dataDir, 'dynamodb')}`}`,
        `payments: card by ` +
          `${payments.checkout.card instanceof LocalCheckout ? 'the local checkout' : 'Stripe'}, usdc by ` +
          `${payments.checkout.usdc instanceof LocalCheckout ? 'the local checkout' : 'Spherepay'}; ` +
          `purchases ${formatMicros(payments.limits.min)} to ${formatMicros(payments.limits.max)}`,
        `providers' stand-ins: list calls on ${standInsOf(payments)?.url() ?? '(none)'} (Stripe at /v1, Spherepay at ` +
          `/spherepay/v1), ${inMemory ? 'in memory' : `kept in ${resolve(dataDir, 'stand-ins')}`}`,
        `grace deadlines: ${jobs.scheduler.pendingCount()} schedule(s) re-armed from the table; sweep every ` +
          `${SWEEP_EVERY_MS / 1000} s; payment outcomes printed as they are delivered`,
        `clock: ${runtime.manualClock ? 'manual (POST /admin/test-clock moves it)' : 'system'}; grace ` +
          `${runtime.ledger.config.gracePeriodMs / 1000} s; default negative allowance ` +
          `${runtime.ledger.config.defaultAllowance / 1_000_000} credits`,
        process.env.AUTH_DEV_SECRET
          ? 'AUTH_DEV_SECRET: from the environment'
          : `AUTH_DEV_SECRET=${secret}  (${generated ? 'generated, kept in' : 'read from'} ` +
            `${resolve(dataDir, 'auth-dev-secret')}; tokens signed with it work across restarts)`,
        '',
        `user token (sub demo-user):\n  export TOKEN=${user}`,
        `admin token (sub finance, credits:admin):\n  export ADMIN_TOKEN=${admin}`,
        `service token (sub deployments, credits:service):\n  export SERVICE_TOKEN=${service}`,
        '',
        `try: curl -s -H "Authorization: Bearer $TOKEN" ${server.url}/credits/balance`,
        'Ctrl-C stops the server and DynamoDB Local.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
