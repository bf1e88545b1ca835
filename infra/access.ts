// What each function may do, and the IAM statements that allow exactly that and nothing more.
// `ACCESS` is the one list: functions.ts names in a function's environment only what it may use,
// grantAccess writes its statements, and tests/infra.test.ts checks every role against the list.

import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
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
 * or delete one.
 */
export interface Access {
  table?: 'read' | 'write';
  audit?: 'append';
  schedules?: 'create' | 'delete';
  outcomes?: true;
  expiryQueue?: 'send';
  eventQueue?: 'send';
  secrets?: SecretName[];
}

export const ACCESS: Record<FunctionName, Access> = {
  balance: { table: 'read', secrets: ['cursor'] },
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
  receipts: { table: 'write', secrets: ['cursor'] },
  admin: {
    table: 'write',
    audit: 'append',
    schedules: 'delete',
    outcomes: true,
    eventQueue: 'send',
    secrets: ['cursor'],
  },
  openapi: {},
  events: { table: 'write', audit: 'append', eventQueue: 'send' },
  grace: { table: 'write', schedules: 'delete', outcomes: true, eventQueue: 'send' },
  sweep: { table: 'write', schedules: 'delete', outcomes: true, eventQueue: 'send' },
  'expiry-fanout': { table: 'write', schedules: 'delete', outcomes: true, expiryQueue: 'send', eventQueue: 'send' },
  'expiry-worker': { table: 'write', eventQueue: 'send' },
  // Consumes the webhook queue (the event source grants that) and sends its own retries to it.
  'webhook-worker': { table: 'write', eventQueue: 'send', secrets: ['stripe'] },
};

/** What the functions are given access to. */
export interface Resources {
  table: Table;
  grace: GraceScheduling;
  queues: Queues;
  secrets: Secrets;
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

/** One statement per kind of access, each on the resources it is about. */
export function grantAccess(fn: LambdaFunction, access: Access, { table, grace, queues, secrets }: Resources): void {
  const allow = (actions: string[], resources: string[]) =>
    fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
  if (access.table)
    allow(access.table === 'read' ? READ_ACTIONS : WRITE_ACTIONS, [table.tableArn, `${table.tableArn}/index/*`]);
  if (access.table === 'write') fn.addToRolePolicy(auditIsAppendOnly(table, access.audit === 'append'));
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
