// The AWS deployment, synthesized offline and checked on its CloudFormation template: the table,
// the functions, the API and its authorizer, the schedules, the queues, the alarms, the secrets,
// and each function's IAM statements (what is there, and what is not).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../core/table/keys.js';
import { tableDefinition } from '../core/table/schema.js';
import { routes } from '../functions/http/routes.js';
import { runtimeFromEnv } from '../functions/http/runtime.js';
import { SECRET_SOURCES } from '../functions/http/secrets.js';
import { localRoutes } from '../functions/local/local-routes.js';
import { ACCESS, type FunctionName } from '../infra/io-credits.js';
import { IoCreditsStack } from '../infra/stack.js';
import { apiPathPatterns } from '../infra/web.js';

let template: Template;
let stack: IoCreditsStack;
let app: App;
type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};
let resources: Record<string, Resource>;

beforeAll(() => {
  app = new App({ outdir: `.build/cdk-${process.pid}` });
  stack = new IoCreditsStack(app, 'io-credits-test');
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

function ourFunctions(): Resource[] {
  return Object.values(stack.credits.functions).map(
    (fn) => resources[stack.getLogicalId(fn.node.defaultChild as never)]!,
  );
}

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the policies attached to a role (by its logical id). */
function policyStatementsOf(roleId: string): Statement[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === roleId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
}

const roleOf = (name: FunctionName) =>
  stack.getLogicalId(stack.credits.functions[name].role!.node.defaultChild as never);

/** Every action a function's role is allowed, with the resources of each statement. */
function statementsOf(name: FunctionName): { actions: string[]; resources: unknown }[] {
  return policyStatementsOf(roleOf(name))
    .filter((s) => s.Effect === 'Allow')
    .map((s) => ({ actions: [s.Action].flat(), resources: s.Resource }));
}

const actionsOf = (name: FunctionName) => statementsOf(name).flatMap((s) => s.actions);

describe("the functions' code", () => {
  it('each function deploys its own bundle: its own asset, whose source map names its own handler', () => {
    const outdir = app.outdir;
    const byFunction = Object.entries(stack.credits.functions).map(([name, fn]) => {
      const code = resources[logicalId(fn)]!.Properties.Code as { S3Key: string };
      const hash = code.S3Key.replace(/\.zip$/, '');
      const map = JSON.parse(readFileSync(join(outdir, `asset.${hash}`, 'index.mjs.map'), 'utf8')) as {
        sources: string[];
      };
      const handlers = map.sources.filter((source) => /(^|\/)functions\/[a-z-]+\.ts$/.test(source));
      return { name, key: code.S3Key, handlers: handlers.map((h) => h.replace(/^.*functions\//, '')) };
    });
    expect(new Set(byFunction.map((f) => f.key)).size).toBe(byFunction.length);
    for (const { name, handlers } of byFunction) expect(handlers, name).toContain(`${name}.ts`);
  });
});

describe('the table', () => {
  it('is on-demand, with point-in-time recovery, deletion protection, TTL, retained on removal', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      },
    });
  });

  it('has the indexes of core/table/schema.ts, as DynamoDB Local has them', () => {
    const table = Object.values(resources).find((r) => r.Type === 'AWS::DynamoDB::Table')!;
    const deployed = (table.Properties.GlobalSecondaryIndexes as any[]).map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema,
      projection: i.Projection.ProjectionType,
    }));
    const local = tableDefinition('x').GlobalSecondaryIndexes!.map((i) => ({
      name: i.IndexName,
      keys: i.KeySchema,
      projection: i.Projection!.ProjectionType,
    }));
    expect(deployed).toEqual(local);
  });
});

describe('the functions', () => {
  it('one per handler, on nodejs22.x and arm64, with a log group kept a month', () => {
    // The project's own; CDK adds its custom-resource handlers (the app's file deployment, the bucket's clean-up).
    const functions = ourFunctions();
    expect(functions).toHaveLength(Object.keys(ACCESS).length);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
      });
      expect(fn.Properties.LoggingConfig?.LogGroup).toBeDefined();
      // Bundles ship a linked source map, which the runtime reads: stack traces name our files.
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
    const functionLogs = functions.map((fn) => (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref);
    for (const id of functionLogs) expect(resources[id]!.Properties.RetentionInDays).toBe(30);
  });

  it('no function is given a provider key or secret as a plain value, only the ARN of its secret', () => {
    for (const fn of ourFunctions()) {
      const variables = Object.keys(fn.Properties.Environment?.Variables ?? {});
      expect(
        variables.filter((v) =>
          /^(STRIPE_SECRET_KEY|STRIPE_WEBHOOK_SECRET|SPHEREPAY_API_KEY|SPHEREPAY_WEBHOOK_SECRET|CURSOR_SECRET|AUTH_DEV_SECRET)$/.test(
            v,
          ),
        ),
      ).toEqual([]);
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 3);
  });
});

describe('least privilege', () => {
  const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

  it('the check function (balance) can only read the table, its cursor secret and the published digests', () => {
    expect(actionsOf('balance').sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:ListBucket',
      'secretsmanager:GetSecretValue',
    ]);
    for (const write of [...writes, 'dynamodb:Scan', 'dynamodb:BatchWriteItem', 'dynamodb:*'])
      expect(actionsOf('balance')).not.toContain(write);
  });

  it('no role may update or delete an audit record; only the functions that record staff actions may put one', () => {
    const auditDeny = (s: Statement) =>
      s.Effect === 'Deny' &&
      JSON.stringify(s.Condition) ===
        JSON.stringify({ 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': ['AUDIT#*'] } });
    const writers = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        (r.Properties.PolicyDocument.Statement as Statement[]).some(
          (s) =>
            s.Effect === 'Allow' &&
            [s.Action].flat().some((a) => /^dynamodb:(UpdateItem|DeleteItem|PutItem|\*)$/.test(a)),
        ),
    );
    expect(writers.length).toBeGreaterThan(10);
    const appenders: string[] = [];
    for (const policy of writers) {
      const denied = (policy.Properties.PolicyDocument.Statement as Statement[]).filter(auditDeny);
      expect(denied, JSON.stringify(policy.Properties.Roles)).toHaveLength(1);
      const actions = [denied[0]!.Action].flat();
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
      if (!actions.includes('dynamodb:PutItem')) appenders.push(JSON.stringify(policy.Properties.Roles));
    }
    const roles = (names: FunctionName[]) => names.map((n) => JSON.stringify([{ Ref: roleOf(n) }])).sort();
    expect(appenders.sort()).toEqual(roles(['admin', 'charges', 'events']));
    // The condition names the audit partitions' prefix, as the keys module writes them.
    expect(keys.audit('acct-1', '2026-12-05T10:00:00.000Z', 'au_1').pk.startsWith('AUDIT#')).toBe(true);
  });

  it('no function may scan the table or use a wildcard action', () => {
    for (const name of Object.keys(ACCESS) as FunctionName[]) {
      for (const action of actionsOf(name)) {
        expect(action, name).not.toMatch(/\*|dynamodb:Scan|dynamodb:BatchWriteItem/);
      }
    }
  });

  it(
    'only the grace-related functions manage schedules; only charges may create them and pass the scheduler ' + 'role',
    () => {
      const manage = (Object.keys(ACCESS) as FunctionName[]).filter((n) =>
        actionsOf(n).some((a) => a.startsWith('scheduler:')),
      );
      expect(manage.sort()).toEqual(['admin', 'charges', 'expiry-fanout', 'grace', 'sweep', 'webhooks', 'withdrawals']);
      const creators = (Object.keys(ACCESS) as FunctionName[]).filter((n) =>
        actionsOf(n).includes('scheduler:CreateSchedule'),
      );
      expect(creators).toEqual(['charges']);
      expect((Object.keys(ACCESS) as FunctionName[]).filter((n) => actionsOf(n).includes('iam:PassRole'))).toEqual([
        'charges',
      ]);
      for (const statement of statementsOf('charges').filter((s) =>
        s.actions.some((a) => a.startsWith('scheduler:')),
      )) {
        expect(JSON.stringify(statement.resources)).toContain(':schedule/');
      }
    },
  );

  it('provider secrets are readable only by the purchases, webhooks and close functions and the webhook worker', () => {
    const readers = (Object.keys(ACCESS) as FunctionName[]).filter((n) =>
      actionsOf(n).includes('secretsmanager:GetSecretValue'),
    );
    // balance, admin and receipts read the cursor key only; the worker the Stripe key, to make auto top-ups'
    // PaymentIntents; the close both providers' keys, to list what they took (reconciliation).
    expect(readers.sort()).toEqual([
      'admin',
      'balance',
      'close',
      'purchases',
      'receipts',
      'webhook-worker',
      'webhooks',
    ]);
    const stripeSecret = logicalId(stack.node.findChild('IoCredits').node.findChild('StripeSecret') as never);
    const balanceSecrets = JSON.stringify(
      statementsOf('balance').filter((s) => s.actions.includes('secretsmanager:GetSecretValue')),
    );
    expect(balanceSecrets).not.toContain(stripeSecret);
    const receiptsSecrets = JSON.stringify(
      statementsOf('receipts').filter((s) => s.actions.includes('secretsmanager:GetSecretValue')),
    );
    expect(receiptsSecrets).not.toContain(stripeSecret);
  });

  it('the scheduler role can invoke only the grace function', () => {
    const role = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r.Properties).includes('invokes the grace function'),
    )!;
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' && (r.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role[0]),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[],
    );
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('lambda:InvokeFunction');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':function:io-credits-test-grace');
    expect(role[1].Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'scheduler.amazonaws.com',
    });
  });
});

describe('the ledger that proves itself (SPEC §12)', () => {
  /** The Deny statements on a function's role. */
  function deniesOf(name: FunctionName) {
    const roleId = stack.getLogicalId(stack.credits.functions[name].role!.node.defaultChild as never);
    return Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === roleId),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Record<string, any>[])
      .filter((statement) => statement.Effect === 'Deny');
  }

  it('publishes digests to a bucket under Object Lock, compliance mode, 7 years, retained with the stack', () => {
    const bucket = Object.values(resources).find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties.ObjectLockEnabled);
    expect(bucket!.Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 * 365 + 2 } },
    });
    expect(bucket!.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket!.Properties.PublicAccessBlockConfiguration).toMatchObject({ BlockPublicAcls: true });
    expect(bucket!.DeletionPolicy).toBe('Retain');
  });

  it('closes each day at 00:30 UTC with a function of its own that reads the table and writes only digests', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 0 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { Arn: { 'Fn::GetAtt': [logicalId(stack.credits.functions.close), 'Arn'] } },
    });
    // The providers' keys too (a statement each): reconciliation lists what they took (SPEC §12).
    expect([...new Set(actionsOf('close'))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
    ]);
    const env = resources[logicalId(stack.credits.functions.close)]!.Properties.Environment.Variables;
    expect(env.DIGEST_BUCKET).toEqual({ Ref: expect.stringMatching(/Digests/) });
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['STRIPE_SECRET_ARN', 'SPHEREPAY_SECRET_ARN']));
  });

  it('no function may delete a digest or change its retention', () => {
    for (const name of Object.keys(ACCESS) as FunctionName[])
      for (const action of actionsOf(name))
        expect(action, name).not.toMatch(/^s3:(Delete|PutObjectRetention|PutObjectLegalHold|BypassGovernance)/);
  });

  it("no role that writes the table may name an entry's chain attributes in an UpdateItem", () => {
    for (const name of Object.keys(ACCESS) as FunctionName[]) {
      const denied = deniesOf(name);
      if (ACCESS[name].table !== 'write') {
        expect(denied, name).toEqual([]);
        continue;
      }
      // Beside the statement that keeps audit records append-only (SPEC §14).
      expect(denied, name).toContainEqual({
        Effect: 'Deny',
        Action: 'dynamodb:UpdateItem',
        Resource: { 'Fn::GetAtt': [logicalId(stack.credits.table), 'Arn'] },
        Condition: {
          'ForAnyValue:StringEquals': {
            'dynamodb:Attributes': ['seq', 'prevHash', 'hash', 'balanceAfter', 'transactionId'],
          },
        },
      });
    }
  });
});

describe('the HTTP API', () => {
  const routeKeys = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => ({ key: r.Properties.RouteKey as string, auth: r.Properties.AuthorizationType as string }));

  it('has every route of the OpenAPI document, and no local-only route', () => {
    expect(
      routeKeys()
        .map((r) => r.key)
        .sort(),
    ).toEqual(routes.map((r) => `${r.method} ${r.path}`).sort());
    for (const local of localRoutes)
      expect(routeKeys().map((r) => r.key)).not.toContain(`${local.method} ${local.path}`);
  });

  it('puts the JWT authorizer on every route but the webhooks and the OpenAPI document', () => {
    const open = routeKeys()
      .filter((r) => r.auth !== 'JWT')
      .map((r) => r.key)
      .sort();
    expect(open).toEqual(['GET /openapi.json', 'POST /webhooks/spherepay', 'POST /webhooks/stripe']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: { Ref: 'JwtIssuer' }, Audience: { Ref: 'JwtAudience' } },
    });
  });

  it(
    'throttles the stage by default, tighter on purchases and the webhooks, and logs each request as JSON ' +
      'with its request id',
    () => {
      const stages = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGatewayV2::Stage');
      expect(stages).toHaveLength(1);
      const stage = stages[0]!.Properties;
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      });
      expect(stage.RouteSettings).toEqual({
        'POST /credits/purchases': { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
        'POST /webhooks/stripe': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        'POST /webhooks/spherepay': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      });
      for (const key of Object.keys(stage.RouteSettings))
        expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(key);
      const format = JSON.parse(stage.AccessLogSettings.Format as string) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
      });
      const logGroupId = (stage.AccessLogSettings.DestinationArn as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      expect(resources[logGroupId]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 90 } });
    },
  );

  it(
    'refuses tokens without the scope at the gateway: credits:admin on /admin/*, credits:service or ' +
      'credits:admin on refunds',
    () => {
      const scoped = Object.fromEntries(
        Object.values(resources)
          .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route' && r.Properties.AuthorizationScopes)
          .map((r) => [r.Properties.RouteKey as string, r.Properties.AuthorizationScopes as string[]]),
      );
      const adminRoutes = routes.filter((r) => r.path.startsWith('/admin/')).map((r) => `${r.method} ${r.path}`);
      expect(Object.keys(scoped).sort()).toEqual([...adminRoutes, 'POST /credits/charges/{chargeId}/refunds'].sort());
      for (const key of adminRoutes) expect(scoped[key]).toEqual(['credits:admin']);
      expect(scoped['POST /credits/charges/{chargeId}/refunds']).toEqual(['credits:service', 'credits:admin']);
    },
  );
});

describe('schedules, queues and alarms', () => {
  it('the nightly run is a cron at 00:05 UTC on the fan-out; the sweep runs every 5 minutes', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(5 0 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: { 'Fn::GetAtt': [logicalId(stack.credits.functions['expiry-fanout']), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: { Arn: { 'Fn::GetAtt': [logicalId(stack.credits.functions.sweep), 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'io-credits-test-grace' });
  });

  it(
    'the expiry queue moves a message to its dead-letter queue after 5 receives; its worker reports partial ' +
      'batch failures',
    () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
        VisibilityTimeout: 360,
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FunctionName: { Ref: logicalId(stack.credits.functions['expiry-worker']) },
      });
    },
  );

  it(
    'the webhook queue feeds the webhook worker in small batches with partial failures, and has its dead-letter ' +
      'queue; every function whose writes may start events or top-ups may send to it, and no other',
    () => {
      const queue = resources[logicalId(stack.credits.webhookQueue)]!;
      expect(queue.Properties).toMatchObject({ RedrivePolicy: { maxReceiveCount: 5 }, VisibilityTimeout: 360 });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        BatchSize: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        FunctionName: { Ref: logicalId(stack.credits.functions['webhook-worker']) },
        EventSourceArn: { 'Fn::GetAtt': [logicalId(stack.credits.webhookQueue), 'Arn'] },
      });
      for (const name of Object.keys(ACCESS) as FunctionName[]) {
        const variables = resources[logicalId(stack.credits.functions[name])]!.Properties.Environment.Variables;
        const sends = JSON.stringify(statementsOf(name)).includes(logicalId(stack.credits.webhookQueue));
        expect(sends, name).toBe(ACCESS[name].eventQueue === 'send');
        expect('WEBHOOK_QUEUE_URL' in variables, name).toBe(ACCESS[name].eventQueue === 'send');
        // receipts writes only the billing profile, which moves no credit and starts no event.
        const writesLedger = ACCESS[name].table === 'write' && name !== 'receipts';
        expect(Boolean(ACCESS[name].eventQueue), name).toBe(writesLedger);
      }
    },
  );

  it('the payment-outcomes queue has its dead-letter queue too', () => {
    const queue = resources[logicalId(stack.credits.outcomesQueue)]!;
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
  });

  it('alarms on webhook refusals, grace failures and close leaks, from the business metrics functions write', () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const business = alarms.filter((a) => a.Properties.Namespace === 'IOCredits');
    expect(business.map((a) => a.Properties.MetricName).sort()).toEqual([
      'CloseLeaks',
      'GraceFailures',
      'WebhookRefusals',
    ]);
    expect(business.find((a) => a.Properties.MetricName === 'CloseLeaks')!.Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Statistic: 'Sum',
    });
    for (const alarm of business)
      expect(alarm.Properties.Dimensions).toEqual([{ Name: 'service', Value: 'io-credits' }]);
  });

  it(
    'a dashboard shows credits, charges, grace failures, webhook refusals, queues, dead letters, errors and ' +
      'latency',
    () => {
      const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
      for (const title of [
        'Credits purchased and charged',
        'Charges paid, pending and failed',
        'Grace failures and webhook refusals',
        'Queue depth and oldest message age',
        'Dead-letter queues',
        'Errors per function',
        'Latency per function (p99)',
      ])
        expect(body).toContain(title);
      for (const metric of [
        'CreditsPurchased',
        'CreditsCharged',
        'ChargesPending',
        'ChargesFailed',
        'GraceFailures',
        'WebhookRefusals',
        'ApproximateAgeOfOldestMessage',
        'Duration',
      ])
        expect(body).toContain(metric);
    },
  );

  it("alarms on every dead-letter queue (expiry, payment outcomes, webhooks) and on every function's errors", () => {
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    expect(alarms.filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(alarms.filter((a) => a.Properties.MetricName === 'Errors')).toHaveLength(Object.keys(ACCESS).length);
    for (const alarm of alarms)
      expect(alarm.Properties).toMatchObject({
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [expect.anything()],
      });
  });
});

describe('the Usage & Billing app', () => {
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const distribution = () => ofType('AWS::CloudFront::Distribution')[0]![1].Properties.DistributionConfig;

  it('is a private bucket that only CloudFront reads, through origin access control', () => {
    const [bucketId, bucket] = ofType('AWS::S3::Bucket').find(
      ([, r]) => r.Properties.PublicAccessBlockConfiguration && !r.Properties.ObjectLockEnabled,
    )!;
    expect(bucket!.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: {
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      },
    });
    const policy = ofType('AWS::S3::BucketPolicy')
      .map(([, r]) => r.Properties)
      .find((p) => p.Bucket.Ref === bucketId)!;
    const statements = policy.PolicyDocument.Statement as {
      Effect: string;
      Principal?: { Service?: string };
      Action: string | string[];
      Condition?: Record<string, unknown>;
    }[];
    const cloudFront = statements.filter((st) => st.Principal?.Service === 'cloudfront.amazonaws.com');
    expect(cloudFront).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(statements.some((st) => st.Effect === 'Allow' && JSON.stringify(st.Principal) === '{"AWS":"*"}')).toBe(
      false,
    );
  });

  it('is served over HTTPS with a strict content security policy and security headers', () => {
    const config = distribution();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [expect.objectContaining({ EventType: 'viewer-request' })],
    });
    const [, headers] = ofType('AWS::CloudFront::ResponseHeadersPolicy')[0]!;
    const security = headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(security.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "frame-ancestors 'none'",
      "object-src 'none'",
      "base-uri 'self'",
    ])
      expect(csp).toContain(directive);
    expect(csp, 'the identity provider is the only other origin').toContain('{"Ref":"JwtIssuer"}');
    expect(csp).not.toContain('unsafe');
    expect(security).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin' },
    });
    const [, fn] = ofType('AWS::CloudFront::Function')[0]!;
    for (const route of ['/', '/checkout', '/finance', '/sign-in', '/callback'])
      expect(fn.Properties.FunctionCode).toContain(JSON.stringify(route));
  });

  it("sends every API path to the API on the same origin, uncached, with the caller's token", () => {
    const behaviours = distribution().CacheBehaviors as Record<string, any>[];
    expect(behaviours.map((b) => b.PathPattern).sort()).toEqual(apiPathPatterns());
    expect(apiPathPatterns()).toEqual(['/admin/*', '/credits/*', '/notifications*', '/openapi.json', '/webhooks/*']);
    const apiOriginId = (distribution().Origins as { Id: string; DomainName: unknown }[]).find((o) =>
      JSON.stringify(o.DomainName).includes('execute-api'),
    )!.Id;
    for (const behaviour of behaviours) {
      expect(behaviour).toMatchObject({
        TargetOriginId: apiOriginId,
        ViewerProtocolPolicy: 'https-only',
        AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
        CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
        OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
      });
    }
    // The routes a browser calls all live under those paths.
    const matches = (pattern: string, path: string) =>
      pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
    for (const route of routes)
      expect(
        apiPathPatterns().some((p) => matches(p, route.path)),
        route.path,
      ).toBe(true);
    // And none of the app's own pages.
    for (const page of ['/', '/checkout', '/finance', '/sign-in', '/callback', '/assets/index.js', '/config.json'])
      expect(
        apiPathPatterns().some((p) => matches(p, page)),
        page,
      ).toBe(false);
  });

  it('gets its settings at deploy time: the issuer, audience and client the API trusts, in config.json', () => {
    const deployments = ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties);
    const pages = deployments.find((d) => JSON.stringify(d.SourceMarkers ?? []).includes('JwtIssuer'))!;
    const markers = JSON.stringify(pages.SourceMarkers);
    expect(markers).toContain('{"Ref":"JwtIssuer"}');
    expect(markers).toContain('{"Ref":"OidcClientId"}');
    expect(markers).toContain('"Fn::Select":[0,{"Ref":"JwtAudience"}]');
    expect(pages).toMatchObject({ Prune: false, SystemMetadata: { 'cache-control': 'no-cache' } });
    const assets = deployments.find((d) => d !== pages)!;
    expect(assets.SystemMetadata).toEqual({ 'cache-control': 'public, max-age=31536000, immutable' });
  });

  it('sends a buyer back from Stripe to the app, which follows the purchase, unless a URL is configured', () => {
    const purchases = resources[logicalId(stack.credits.functions.purchases)]!.Properties.Environment.Variables;
    expect(JSON.stringify(purchases.CHECKOUT_SUCCESS_URL)).toMatch(
      /"Fn::If":\["[^"]*CheckoutSuccessUrlIsEmpty.*\/\?purchase=\{PURCHASE_ID\}.*\{"Ref":"CheckoutSuccessUrl"\}/,
    );
    expect(template.toJSON().Outputs.AppUrl.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.any(String), 'DomainName'] }]],
    });
  });
});

describe('receipts and Stripe invoices (SPEC §11)', () => {
  const variablesOf = (name: FunctionName): Record<string, unknown> =>
    resources[logicalId(stack.credits.functions[name])]!.Properties.Environment.Variables;

  it('the receipts function, and only it, is told the seller, from stack parameters empty by default', () => {
    expect(variablesOf('receipts')).toMatchObject({
      SELLER_NAME: { Ref: 'SellerName' },
      SELLER_ADDRESS: { Ref: 'SellerAddress' },
      SELLER_TAX_ID: { Ref: 'SellerTaxId' },
    });
    for (const id of ['SellerName', 'SellerAddress', 'SellerTaxId']) template.hasParameter(id, { Default: '' });
    const told = (Object.keys(ACCESS) as FunctionName[]).filter((name) => 'SELLER_NAME' in variablesOf(name));
    expect(told).toEqual(['receipts']);
  });

  it('the function that creates checkouts is told STRIPE_INVOICES, a true/false parameter off by default', () => {
    expect(variablesOf('purchases').STRIPE_INVOICES).toEqual({ Ref: 'StripeInvoices' });
    template.hasParameter('StripeInvoices', { Default: 'false', AllowedValues: ['true', 'false'] });
  });

  it('a seller and invoices given as props (sst.config.ts, from SELLER_* and STRIPE_INVOICES) are plain values', () => {
    const given = new IoCreditsStack(new App({ outdir: `.build/cdk-${process.pid}-given` }), 'io-credits-given', {
      credits: {
        stripeInvoices: true,
        seller: { name: 'io.net Inc.', address: '1 Main St, San Francisco, CA, US', taxId: 'US 12-3456789' },
      },
    });
    const json = Template.fromStack(given).toJSON();
    const variables = (name: FunctionName) =>
      json.Resources[given.getLogicalId(given.credits.functions[name].node.defaultChild as never)].Properties
        .Environment.Variables;
    expect(variables('receipts')).toMatchObject({
      SELLER_NAME: 'io.net Inc.',
      SELLER_ADDRESS: '1 Main St, San Francisco, CA, US',
      SELLER_TAX_ID: 'US 12-3456789',
    });
    expect(json.Parameters.StripeInvoices.Default).toBe('true');
    expect(json.Parameters).not.toHaveProperty('SellerName');
  });
});

describe('starting on Lambda', () => {
  /** A function's environment as the template gives it, with each CloudFormation reference resolved to a stand-in. */
  function lambdaEnvironment(name: FunctionName): NodeJS.ProcessEnv {
    const variables = resources[logicalId(stack.credits.functions[name])]!.Properties.Environment.Variables as Record<
      string,
      unknown
    >;
    const resolved = Object.entries(variables).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : `resolved-${key}`,
    ]);
    return { AWS_LAMBDA_FUNCTION_NAME: name, AWS_REGION: 'us-east-1', ...Object.fromEntries(resolved) };
  }

  /** What the secrets middleware puts in place for each secret the function is given. */
  function withSecretsLoaded(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const loaded = { ...env };
    for (const source of SECRET_SOURCES)
      if (env[source.arnVariable])
        for (const variable of Object.values(source.fields)) loaded[variable] = `value-of-${variable}`;
    return loaded;
  }

  it.each(Object.keys(ACCESS) as FunctionName[])('%s builds its runtime from the environment it is given', (name) => {
    const runtime = runtimeFromEnv(withSecretsLoaded(lambdaEnvironment(name)));
    if (ACCESS[name].secrets?.includes('cursor')) expect(runtime.cursorSecret).toBe('value-of-CURSOR_SECRET');
    else expect(() => runtime.cursorSecret).toThrow(/CURSOR_SECRET is not set/);
  });

  it('a function given the cursor secret refuses to start before its value is loaded', () => {
    expect(() => runtimeFromEnv(lambdaEnvironment('balance'))).toThrow(/CURSOR_SECRET is not set/);
  });
});
