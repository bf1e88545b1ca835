// One Lambda function per handler (bundling.ts lists them): Node 22 on arm64, 512 MB, a log group
// of its own kept a month, and an environment that names the table and, beyond it, only what
// ACCESS lets the function use (the grace schedules, the queues it sends to, the ARNs of its
// secrets, the checkout settings where it holds the Stripe key, the seller where it shows receipts),
// with the IAM statements that
// allow it (access.ts). The two queue workers get their queues as event sources.

import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ACCESS, type Access, grantAccess, type Resources } from './access.js';
import { bundled } from './assets.js';
import { FUNCTIONS, type FunctionName, NODE_OPTIONS } from './bundling.js';
import type { CheckoutSettings, SellerSettings } from './parameters.js';
import type { Queues } from './queues.js';

export type Functions = Record<FunctionName, LambdaFunction>;

export interface FunctionResources extends Resources {
  checkout: CheckoutSettings;
  seller: SellerSettings;
}

export function addFunctions(scope: Construct, resources: FunctionResources): Functions {
  const made = {} as Functions;
  for (const { name } of FUNCTIONS) {
    made[name] = new LambdaFunction(scope, `Fn-${name}`, {
      functionName: name === 'grace' ? resources.grace.functionName : undefined,
      code: bundled(name),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(timeoutSeconds(name)),
      environment: environmentOf(ACCESS[name], resources),
      logGroup: new LogGroup(scope, `Logs-${name}`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    grantAccess(made[name], ACCESS[name], resources);
  }
  addQueueConsumers(made, resources.queues);
  return made;
}

/**
 * Within what API Gateway waits for a handler (30 s), a minute for a queue worker's batch, and
 * Lambda's longest (15 minutes) for the nightly fan-out and the daily close.
 */
function timeoutSeconds(name: FunctionName): number {
  if (name === 'expiry-fanout' || name === 'close') return 900;
  if (name === 'expiry-worker' || name === 'webhook-worker') return 60;
  return 29;
}

function environmentOf(access: Access, resources: FunctionResources) {
  const { table, grace, queues, secrets, checkout, digests, seller } = resources;
  const environment: Record<string, string> = { TABLE_NAME: table.tableName, NODE_OPTIONS };
  if (access.digests) environment.DIGEST_BUCKET = digests.bucketName;
  if (access.schedules)
    Object.assign(environment, {
      GRACE_SCHEDULE_GROUP: grace.groupName,
      GRACE_TARGET_ARN: grace.functionArn,
      GRACE_SCHEDULER_ROLE_ARN: grace.role.roleArn,
    });
  if (access.outcomes) environment.PAYMENT_OUTCOMES_QUEUE_URL = queues.outcomes.queue.queueUrl;
  if (access.expiryQueue) environment.EXPIRY_QUEUE_URL = queues.expiry.queue.queueUrl;
  if (access.eventQueue) environment.WEBHOOK_QUEUE_URL = queues.webhook.queue.queueUrl;
  for (const secret of access.secrets ?? [])
    environment[`${secret.toUpperCase()}_SECRET_ARN`] = secrets[secret].secretArn;
  if (access.secrets?.includes('stripe'))
    Object.assign(environment, {
      CHECKOUT_SUCCESS_URL: checkout.successUrl,
      CHECKOUT_CANCEL_URL: checkout.cancelUrl,
      SPHEREPAY_PRODUCT_ID: checkout.spherepayProductId,
      STRIPE_INVOICES: checkout.stripeInvoices,
    });
  if (access.seller)
    Object.assign(environment, {
      SELLER_NAME: seller.name,
      SELLER_ADDRESS: seller.address,
      SELLER_TAX_ID: seller.taxId,
    });
  return environment;
}

/** Each worker reports the messages of a batch it failed on, so only those are received again. */
function addQueueConsumers(functions: Functions, queues: Queues): void {
  functions['expiry-worker'].addEventSource(
    new SqsEventSource(queues.expiry.queue, { batchSize: 10, reportBatchItemFailures: true }),
  );
  // Small batches: each delivery may wait up to 10 s for its receiver.
  functions['webhook-worker'].addEventSource(
    new SqsEventSource(queues.webhook.queue, { batchSize: 5, reportBatchItemFailures: true }),
  );
}
