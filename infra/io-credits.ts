// IO Credits on AWS: the table, one Lambda per handler, the HTTP API with its JWT authorizer, the
// Usage & Billing app on CloudFront in front of it (web.ts), the grace schedule group and the role
// EventBridge Scheduler assumes, the nightly cron and the sweep, the expiry and payment-outcomes
// queues with their dead-letter queues, the alarms, and the secrets. Each function gets exactly
// the actions it uses (see `ACCESS` below).

import { join } from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../core/metrics.js';
import { addApiStage, addRoutes } from './api.js';
import { ROOT } from './assets.js';
import type { FunctionName } from './bundling.js';
import { addFunctions } from './functions.js';
import { checkoutSettings, deploymentInputs, type IoCreditsProps } from './parameters.js';
import { addQueues } from './queues.js';
import { addGraceScheduling, addJobSchedules } from './schedules.js';
import { addSecrets } from './secrets.js';
import { addTable } from './table.js';
import { WebApp } from './web.js';

export { ACCESS } from './access.js';
export { THROTTLE } from './api.js';
export type { FunctionName, IoCreditsProps };

export class IoCredits extends Construct {
  readonly table: Table;
  readonly api: HttpApi;
  readonly functions: Record<FunctionName, LambdaFunction>;
  readonly expiryQueue: Queue;
  readonly webhookQueue: Queue;
  readonly outcomesQueue: Queue;
  readonly dashboard: Dashboard;
  readonly web: WebApp;

  constructor(scope: Construct, id: string, props: IoCreditsProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    const inputs = deploymentInputs(this, props);
    this.table = addTable(this);
    const secrets = addSecrets(this);
    const queues = addQueues(this);
    this.expiryQueue = queues.expiry.queue;
    this.webhookQueue = queues.webhook.queue;
    this.outcomesQueue = queues.outcomes.queue;
    const expiryDlq = queues.expiry.deadLetters;
    const webhookDlq = queues.webhook.deadLetters;
    const outcomesDlq = queues.outcomes.deadLetters;

    const grace = addGraceScheduling(this);

    // ---- the Usage & Billing app (its distribution also fronts the API) ----
    this.api = new HttpApi(this, 'Api', { description: 'IO Credits', createDefaultStage: false });
    this.web = new WebApp(this, 'Web', {
      api: this.api,
      distDir: join(ROOT, 'web', 'dist'),
      issuer: inputs.issuer,
      audience: inputs.appAudience,
      clientId: inputs.clientId,
    });
    const checkout = checkoutSettings(this, inputs, this.web.url);

    this.functions = addFunctions(this, { table: this.table, grace, queues, secrets, checkout });
    const made = this.functions;
    addJobSchedules(this, { expiryFanout: made['expiry-fanout'], sweep: made.sweep });

    addApiStage(this, this.api);
    addRoutes(this.api, made, inputs);

    // ---- alarms ----
    const alarms = new Topic(this, 'Alarms', { displayName: 'IO Credits alarms' });
    const alarmOn = (id: string, description: string, metric: Metric) =>
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(new SnsAction(alarms));
    const period = Duration.minutes(5);
    alarmOn(
      'ExpiryDeadLetters',
      'Messages in the expiry dead-letter queue',
      expiryDlq.metricApproximateNumberOfMessagesVisible({ period }),
    );
    alarmOn(
      'WebhookDeadLetters',
      'Messages in the webhook dead-letter queue: the worker failed on them (receivers failing are retried, not here)',
      webhookDlq.metricApproximateNumberOfMessagesVisible({ period }),
    );
    alarmOn(
      'PaymentOutcomesDeadLetters',
      'Messages in the payment-outcomes dead-letter queue',
      outcomesDlq.metricApproximateNumberOfMessagesVisible({ period }),
    );
    for (const [name, fn] of Object.entries(made))
      alarmOn(`Errors-${name}`, `The ${name} function failed`, fn.metricErrors({ period }));
    // Business metrics that signal trouble (functions/metrics.ts writes them as EMF).
    const business = (name: MetricName, statistic = 'Sum') =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic,
        period,
      });
    alarmOn(
      'WebhookRefusals',
      'Provider webhooks refused: a rotated secret not deployed, or someone probing the endpoint',
      business(METRICS.webhookRefusals),
    );
    alarmOn(
      'GraceFailures',
      'A grace deadline handler failed; the sweep ends the charge later',
      business(METRICS.graceFailures),
    );

    // ---- dashboard ----
    const watched = [
      ['expiry', this.expiryQueue],
      ['payment outcomes', this.outcomesQueue],
      ['webhooks', this.webhookQueue],
    ] as const;
    const dlqs = [
      ['expiry', expiryDlq],
      ['payment outcomes', outcomesDlq],
      ['webhooks', webhookDlq],
    ] as const;
    const fns = Object.entries(made);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${stack.stackName}-io-credits`,
      widgets: [
        [
          new GraphWidget({
            title: 'Credits purchased and charged',
            left: [
              business(METRICS.creditsPurchased),
              business(METRICS.creditsCharged),
              business(METRICS.creditsExpired),
            ],
            width: 12,
          }),
          new GraphWidget({
            title: 'Charges paid, pending and failed',
            left: [business(METRICS.chargesPaid), business(METRICS.chargesPending), business(METRICS.chargesFailed)],
            width: 12,
          }),
        ],
        [
          new GraphWidget({
            title: 'Grace failures and webhook refusals',
            left: [business(METRICS.graceFailures), business(METRICS.webhookRefusals)],
            width: 8,
          }),
          new GraphWidget({
            title: 'Queue depth and oldest message age',
            left: watched.map(([label, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period, label })),
            right: watched.map(([label, queue]) =>
              queue.metricApproximateAgeOfOldestMessage({ period, label: `${label} age (s)` }),
            ),
            width: 8,
          }),
          new GraphWidget({
            title: 'Dead-letter queues',
            left: dlqs.map(([label, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period, label })),
            width: 8,
          }),
        ],
        [
          new GraphWidget({
            title: 'Errors per function',
            left: fns.map(([name, fn]) => fn.metricErrors({ period, label: name })),
            width: 12,
          }),
          new GraphWidget({
            title: 'Latency per function (p99)',
            left: fns.map(([name, fn]) => fn.metricDuration({ period, label: name, statistic: 'p99' })),
            width: 12,
          }),
        ],
      ],
    });
  }
}
