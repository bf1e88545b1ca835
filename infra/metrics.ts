// The CloudWatch side of core/metrics.ts, for the alarms and the dashboard: the business metrics
// as the functions write them (EMF through Powertools, in core's namespace with the `service`
// dimension Powertools adds), and the five minutes every alarm and graph looks at.

import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricName } from '../core/metrics.js';

export const PERIOD = Duration.minutes(5);

/** A business metric, summed over PERIOD. */
export function businessMetric(name: MetricName): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: METRICS_SERVICE },
    statistic: 'Sum',
    period: PERIOD,
  });
}
