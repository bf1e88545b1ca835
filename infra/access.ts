// What each function may do, and the IAM statements that allow exactly that and nothing more.
// `ACCESS` is the one list: functions.ts names in a function's environment only what it may use,
// grantAccess writes its statements, and tests/infra.test.ts checks every role against the list.

import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { AUDIT_PK_PREFIX } from '../core/table/keys.js';
import type { FunctionName } from './bundling.js';
import type { Queues } from './queues.js';
import type { GraceScheduling } from './schedules.js';
import type { SecretName, Secrets } from './secrets.js';

/**
 * What one function may do. `read`: GetItem and Query; `write`: also PutItem, UpdateItem,
 * DeleteItem and ConditionCheckItem (what TransactWriteItems needs). `schedules`: `create` makes
 * grace schedules (and deletes them), `delete` only deletes them (a settled charge's). `outcomes`:
 * sends to the payment-outcomes queue. `eventQueue`: sends to the webhook queue (every function
 * whose ledger writes may write events). `secrets`: which secrets it may read. `audit`: it
 * appends audit records (SPEC §14); every other writer is denied even that, and no role may update
 * or delete one. `digests`: the daily digests' bucket, `read` (GetObject, ListBucket) or `publish`
 * (also PutObject; never a delete). `seller`: it shows receipts and credit notes, so it is told the
 * seller they name (no access of its own).
 */
export interface Access {
  table?: 'read' | 'write';
  audit?: 'append';
  schedules?: 'create' | 'delete';
  outcomes?: true;
  expiryQueue?: 'send';
  eventQueue?: 'send';
  secrets?: SecretName[];
  digests?: 'read' | 'publish';
  seller?: true;
}

export const ACCESS: Record<FunctionName, Access> = {
  balance: { table: 'read', secrets: ['cursor'], digests: 'read' },
  charges: { table: 'write', audit: 'append', schedules: 'create', outcomes: true, eventQueue: 'send' },
  purchases: { table: 'write', secrets: ['stripe', 'spherepay'], eventQueue: 'send' },
  webhooks: {
    table: 'write',
    schedules: 'delete',
    outcomes: true,
    secrets: ['stripe', 'spherepay'],
    eventQueue: 'send',
  },
  withdrawals: { table: 'write', schedules: 'delete', outcomes: true, eventQueue: 'send' },
  notifications: { table: 'write', eventQueue: 'send' },
  // Reads the digests for a closed month's statement proof (SPEC §11, §12).
  receipts: { table: 'write', secrets: ['cursor'], seller: true, digests: 'read' },
  admin: {
    table: 'write',
    audit: 'append',
    schedules: 'delete',
    outcomes: true,
    eventQueue: 'send',
    secrets: ['cursor'],
    // The daily close reports (GET /admin/closes/{day}); resolutions are kept in the table.
    digests: 'read',
  },
  openapi: {},
  events: { table: 'write', audit: 'append', eventQueue: 'send' },
  grace: { table: 'write', schedules: 'delete', outcomes: true, eventQueue: 'send' },
  sweep: { table: 'write', schedules: 'delete', outcomes: true, eventQueue: 'send' },
  'expiry-fanout': { table: 'write', schedules: 'delete', outcomes: true, expiryQueue: 'send', eventQueue: 'send' },
  'expiry-worker': { table: 'write', eventQueue: 'send' },
  // Consumes the webhook queue (the event source grants that) and sends its own retries to it.
  'webhook-worker': { table: 'write', eventQueue: 'send', secrets: ['stripe'] },
  // Reads the ledger and the providers' lists, publishes the day's digest and close report: it writes
  // nothing to the table.
  close: { table: 'read', digests: 'publish', secrets: ['stripe', 'spherepay'] },
};

/** What the functions are given access to. */
export interface Resources {
  table: Table;
  grace: GraceScheduling;
  queues: Queues;
  secrets: Secrets;
  digests: Bucket;
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query'];
const WRITE_ACTIONS = [
  ...READ_ACTIONS,
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * Audit records live under their own leading key (`AUDIT#`, core/table/keys.ts), so IAM can keep
 * them append-only whatever the code does: no role may update or delete one, and only the
 * functions that record staff actions may put one (always on condition that it is new).
 */
export function auditIsAppendOnly(table: Table, appends: boolean): PolicyStatement {
  return new PolicyStatement({
    effect: Effect.DENY,
    actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', ...(appends ? [] : ['dynamodb:PutItem'])],
    resources: [table.tableArn],
    conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${AUDIT_PK_PREFIX}*`] } },
  });
}

/**
 * The attributes only a ledger entry holds: its link in the hash chain and the balance it left. No
 * role may name them in an UpdateItem, so no function can rewrite an entry's link in place. IAM sees
 * only an item's partition key (dynamodb:LeadingKeys), which an entry shares with its account's
 * other items, so deletes and puts on entry keys can not be told apart by a condition here: the
 * chain makes any of those visible to the verifier instead (SPEC §12).
 */
export const ENTRY_ONLY_ATTRIBUTES = ['seq', 'prevHash', 'hash', 'balanceAfter', 'transactionId'];

/** One statement per kind of access, each on the resources it is about. */
export function grantAccess(fn: LambdaFunction, access: Access, resources: Resources): void {
  const { table, grace, queues, secrets } = resources;
  const allow = (actions: string[], on: string[]) =>
    fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources: on }));
  if (access.table)
    allow(access.table === 'read' ? READ_ACTIONS : WRITE_ACTIONS, [table.tableArn, `${table.tableArn}/index/*`]);
  if (access.table === 'write') fn.addToRolePolicy(auditIsAppendOnly(table, access.audit === 'append'));
  if (access.table === 'write')
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.DENY,
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ENTRY_ONLY_ATTRIBUTES } },
      }),
    );
  grantDigests(fn, access, resources.digests);
  if (access.schedules === 'create') {
    allow(['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'], [grace.schedulesArn]);
    allow(['iam:PassRole'], [grace.role.roleArn]);
  }
  if (access.schedules === 'delete') allow(['scheduler:DeleteSchedule'], [grace.schedulesArn]);
  if (access.outcomes) allow(['sqs:SendMessage'], [queues.outcomes.queue.queueArn]);
  if (access.expiryQueue) allow(['sqs:SendMessage'], [queues.expiry.queue.queueArn]);
  if (access.eventQueue) allow(['sqs:SendMessage'], [queues.webhook.queue.queueArn]);
  for (const secret of access.secrets ?? []) allow(['secretsmanager:GetSecretValue'], [secrets[secret].secretArn]);
}

function grantDigests(fn: LambdaFunction, access: Access, bucket: Bucket): void {
  if (!access.digests) return;
  const objects = bucket.arnForObjects('digests/*');
  fn.addToRolePolicy(
    new PolicyStatement({ effect: Effect.ALLOW, actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  fn.addToRolePolicy(
    new PolicyStatement({
      effect: Effect.ALLOW,
      actions: access.digests === 'read' ? ['s3:GetObject'] : ['s3:GetObject', 's3:PutObject'],
      resources: [objects],
    }),
  );
}
