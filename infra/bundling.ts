// How each Lambda function is bundled: one entry per route group, esbuild with minification,
// ESM for Node 22 on arm64. The AWS SDK v3 is left out of the bundle because the nodejs22.x
// runtime ships it (this is also the CDK's default for NodejsFunction on Node 18 and later);
// what a function loads at a cold start is its bundle plus the SDK clients it imports.
// The deployment (through scripts/bundle-function.ts), the bundle tests and the bundle-size
// benchmark all build with `functionBuild`, so they measure and run the same thing.

import { readFile } from 'node:fs/promises';
import type { BuildOptions, Plugin } from 'esbuild';
import type { Group } from '../functions/http/routes.js';

export interface LambdaFunction {
  /** The route group it serves. */
  group: Group;
  /** The handler module, relative to the repository root; it exports `handler`. */
  entry: string;
}

export const HTTP_FUNCTIONS: readonly LambdaFunction[] = [
  { group: 'balance', entry: 'functions/balance.ts' },
  { group: 'charges', entry: 'functions/charges.ts' },
  { group: 'purchases', entry: 'functions/purchases.ts' },
  { group: 'webhooks', entry: 'functions/webhooks.ts' },
  { group: 'withdrawals', entry: 'functions/withdrawals.ts' },
  { group: 'notifications', entry: 'functions/notifications.ts' },
  { group: 'receipts', entry: 'functions/receipts.ts' },
  { group: 'admin', entry: 'functions/admin.ts' },
  { group: 'openapi', entry: 'functions/openapi.ts' },
  { group: 'events', entry: 'functions/events.ts' },
];

/**
 * Functions that serve no route: the grace handler (EventBridge Scheduler), the sweep, the nightly
 * expiry, the webhook worker (the webhook queue's consumer), and the daily close.
 */
export const JOB_FUNCTIONS: readonly {
  name: 'grace' | 'sweep' | 'expiry-fanout' | 'expiry-worker' | 'webhook-worker' | 'close';
  entry: string;
}[] = [
  { name: 'grace', entry: 'functions/grace.ts' },
  { name: 'sweep', entry: 'functions/sweep.ts' },
  { name: 'expiry-fanout', entry: 'functions/expiry-fanout.ts' },
  { name: 'expiry-worker', entry: 'functions/expiry-worker.ts' },
  { name: 'webhook-worker', entry: 'functions/webhook-worker.ts' },
  { name: 'close', entry: 'functions/close.ts' },
];

/**
 * The only functions that may carry the Stripe SDK: the purchases and webhooks route groups, the
 * webhook worker (it makes auto top-ups' PaymentIntents) and the daily close (reconciliation lists
 * Stripe's charges, refunds and disputes).
 */
export const PAYMENT_GROUPS: readonly (Group | 'webhook-worker' | 'close')[] = [
  'purchases',
  'webhooks',
  'webhook-worker',
  'close',
];

/** Provided by the Lambda runtime, so never bundled. */
export const RUNTIME_PROVIDED = ['@aws-sdk/*', '@smithy/*'];

/** What every function's runtime needs to read the source maps. */
export const NODE_OPTIONS = '--enable-source-maps';

/** Every function's name: its route group, or the job it runs. */
export type FunctionName = Group | (typeof JOB_FUNCTIONS)[number]['name'];

export const FUNCTIONS: readonly { name: FunctionName; entry: string }[] = [
  ...HTTP_FUNCTIONS.map((f) => ({ name: f.group, entry: f.entry })),
  ...JOB_FUNCTIONS,
];

/** The only function that turns schemas into JSON Schema: it serves the OpenAPI document. */
const JSON_SCHEMA_USERS: readonly FunctionName[] = ['openapi'];

const ZOD_JSON_SCHEMA = /[\\/]zod[\\/]v4[\\/]core[\\/](json-schema-processors|to-json-schema)\.js$/;

/**
 * zod's classic schemas import its JSON Schema generator (about 17 KB minified) whether or not
 * anything calls it, and its package cannot be tree-shaken of it. Every function but openapi gets
 * in its place a module with the same exports, each throwing if called, so that a call would fail
 * loudly instead of answering something wrong. The exports are read from zod's own files, so an
 * upgrade that adds one keeps building (and `functionBuild` fails on any missing-import warning).
 */
export const withoutZodJsonSchema: Plugin = {
  name: 'without-zod-json-schema',
  setup(build) {
    build.onLoad({ filter: ZOD_JSON_SCHEMA }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const names = new Set([
        ...[...source.matchAll(/^export (?:async )?(?:function\*?|const|let|var|class) ([\w$]+)/gm)].map((m) => m[1]!),
        ...[...source.matchAll(/^export \{([^}]*)\}/gm)].flatMap((m) =>
          m[1]!.split(',').flatMap((part) => {
            const name = part
              .trim()
              .split(/\s+as\s+/)
              .at(-1);
            return name ? [name] : [];
          }),
        ),
      ]);
      const lines = [
        'function unavailable() {',
        "  throw new Error('JSON Schema generation is left out of this function (infra/bundling.ts)');",
        '}',
        // The classic schemas call the create* factories lazily, to build methods; the methods throw.
        ...[...names].map((name) =>
          name.startsWith('create')
            ? `export const ${name} = () => unavailable;`
            : `export const ${name} = unavailable;`,
        ),
      ];
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

/** How one function is built: the shared options, less zod's JSON Schema generator where unused. */
export function functionBuild(name: FunctionName): BuildOptions {
  const entry = FUNCTIONS.find((f) => f.name === name)?.entry;
  if (!entry) throw new Error(`no function named ${name}`);
  return {
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    plugins: JSON_SCHEMA_USERS.includes(name) ? [] : [withoutZodJsonSchema],
  };
}

export const ESBUILD_OPTIONS: BuildOptions = {
  bundle: true,
  minify: true,
  // A linked .map beside each bundle: stack traces name our files and lines (the runtime gets
  // NODE_OPTIONS=--enable-source-maps); the bundle itself grows by one comment line.
  sourcemap: 'linked',
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  external: RUNTIME_PROVIDED,
  legalComments: 'none',
};
