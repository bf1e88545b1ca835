// How each Lambda function is bundled: one entry per route group, esbuild with minification,
// ESM for Node 22 on arm64. The AWS SDK v3 is left out of the bundle because the nodejs22.x
// runtime ships it (this is also the CDK's default for NodejsFunction on Node 18 and later);
// what a function loads at a cold start is its bundle plus the SDK clients it imports.
// The deployment and the bundle-size benchmark both read this file, so they measure the same thing.

import type { BuildOptions } from 'esbuild';
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
  { group: 'admin', entry: 'functions/admin.ts' },
  { group: 'openapi', entry: 'functions/openapi.ts' },
  { group: 'events', entry: 'functions/events.ts' },
];

/**
 * Functions that serve no route: the grace handler (EventBridge Scheduler), the sweep, the nightly
 * expiry, and the webhook worker (the webhook queue's consumer).
 */
export const JOB_FUNCTIONS: readonly {
  name: 'grace' | 'sweep' | 'expiry-fanout' | 'expiry-worker' | 'webhook-worker';
  entry: string;
}[] = [
  { name: 'grace', entry: 'functions/grace.ts' },
  { name: 'sweep', entry: 'functions/sweep.ts' },
  { name: 'expiry-fanout', entry: 'functions/expiry-fanout.ts' },
  { name: 'expiry-worker', entry: 'functions/expiry-worker.ts' },
  { name: 'webhook-worker', entry: 'functions/webhook-worker.ts' },
];

/**
 * The only functions that may carry the Stripe SDK: the purchases and webhooks route groups, and
 * the webhook worker (it makes auto top-ups' PaymentIntents).
 */
export const PAYMENT_GROUPS: readonly (Group | 'webhook-worker')[] = ['purchases', 'webhooks', 'webhook-worker'];

/** Provided by the Lambda runtime, so never bundled. */
export const RUNTIME_PROVIDED = ['@aws-sdk/*', '@smithy/*'];

/** What every function's runtime needs to read the source maps. */
export const NODE_OPTIONS = '--enable-source-maps';

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
