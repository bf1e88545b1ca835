// What wakes someone up: an SNS topic the operator subscribes to, and an alarm on it for any
// message in a dead-letter queue, any function error, any provider webhook refused, any grace
// deadline handler that failed and any leak the daily close's reconciliation found. Each alarms on
// a single five-minute period above zero, and no data is not trouble (a quiet night has no metrics).

import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { METRICS } from '../core/metrics.js';
import type { Functions } from './functions.js';
import { businessMetric, PERIOD } from './metrics.js';
import type { Queues } from './queues.js';

export function addAlarms(scope: Construct, queues: Queues, functions: Functions): void {
  const topic = new Topic(scope, 'Alarms', { displayName: 'IO Credits alarms' });
  const alarmOn = (id: string, description: string, metric: Metric) =>
    new Alarm(scope, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new SnsAction(topic));
  const deadLetters = (key: keyof Queues) =>
    queues[key].deadLetters.metricApproximateNumberOfMessagesVisible({ period: PERIOD });

  alarmOn('ExpiryDeadLetters', 'Messages in the expiry dead-letter queue', deadLetters('expiry'));
  alarmOn(
    'WebhookDeadLetters',
    'Messages in the webhook dead-letter queue: the worker failed on them (receivers failing are retried, not here)',
    deadLetters('webhook'),
  );
  alarmOn('PaymentOutcomesDeadLetters', 'Messages in the payment-outcomes dead-letter queue', deadLetters('outcomes'));
  for (const [name, fn] of Object.entries(functions))
    alarmOn(`Errors-${name}`, `The ${name} function failed`, fn.metricErrors({ period: PERIOD }));
  // Business metrics that signal trouble (functions/metrics.ts writes them as EMF).
  alarmOn(
    'WebhookRefusals',
    'Provider webhooks refused: a rotated secret not deployed, or someone probing the endpoint',
    businessMetric(METRICS.webhookRefusals),
  );
  alarmOn(
    'GraceFailures',
    'A grace deadline handler failed; the sweep ends the charge later',
    businessMetric(METRICS.graceFailures),
  );
  alarmOn(
    'CloseLeaks',
    'The daily close found a leak: credit without a provider payment, credited more than paid, a provider ' +
      'refund or dispute not reversed, a purchase credited twice, or a roll-forward that does not add up ' +
      '(GET /admin/closes/{day})',
    businessMetric(METRICS.closeLeaks),
  );
}
