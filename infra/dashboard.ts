// The operators' dashboard, three rows: the money (credits purchased, charged and expired;
// charges paid, waiting and failed), the trouble (grace failures, webhook refusals, queue depth
// and age, dead letters), and the functions (errors, p99 latency). Every graph is over the same
// five minutes as the alarms.

import { Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS } from '../core/metrics.js';
import type { Functions } from './functions.js';
import { businessMetric, PERIOD } from './metrics.js';
import type { Queues } from './queues.js';

/** The queues as the graphs label them, in the order they are drawn. */
const QUEUE_LABELS: readonly (readonly [string, keyof Queues])[] = [
  ['expiry', 'expiry'],
  ['payment outcomes', 'outcomes'],
  ['webhooks', 'webhook'],
];

export function addDashboard(scope: Construct, queues: Queues, functions: Functions): Dashboard {
  return new Dashboard(scope, 'Dashboard', {
    dashboardName: `${Stack.of(scope).stackName}-io-credits`,
    widgets: [moneyRow(), troubleRow(queues), functionsRow(functions)],
  });
}

function moneyRow(): GraphWidget[] {
  return [
    new GraphWidget({
      title: 'Credits purchased and charged',
      left: [
        businessMetric(METRICS.creditsPurchased),
        businessMetric(METRICS.creditsCharged),
        businessMetric(METRICS.creditsExpired),
      ],
      width: 12,
    }),
    new GraphWidget({
      title: 'Charges paid, pending and failed',
      left: [
        businessMetric(METRICS.chargesPaid),
        businessMetric(METRICS.chargesPending),
        businessMetric(METRICS.chargesFailed),
      ],
      width: 12,
    }),
  ];
}

function troubleRow(queues: Queues): GraphWidget[] {
  const visible = (label: string, queue: Queue) =>
    queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label });
  return [
    new GraphWidget({
      title: 'Grace failures and webhook refusals',
      left: [businessMetric(METRICS.graceFailures), businessMetric(METRICS.webhookRefusals)],
      width: 8,
    }),
    new GraphWidget({
      title: 'Queue depth and oldest message age',
      left: QUEUE_LABELS.map(([label, key]) => visible(label, queues[key].queue)),
      right: QUEUE_LABELS.map(([label, key]) =>
        queues[key].queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, label: `${label} age (s)` }),
      ),
      width: 8,
    }),
    new GraphWidget({
      title: 'Dead-letter queues',
      left: QUEUE_LABELS.map(([label, key]) => visible(label, queues[key].deadLetters)),
      width: 8,
    }),
  ];
}

function functionsRow(functions: Functions): GraphWidget[] {
  const named = Object.entries(functions);
  return [
    new GraphWidget({
      title: 'Errors per function',
      left: named.map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: name })),
      width: 12,
    }),
    new GraphWidget({
      title: 'Latency per function (p99)',
      left: named.map(([name, fn]) => fn.metricDuration({ period: PERIOD, label: name, statistic: 'p99' })),
      width: 12,
    }),
  ];
}
