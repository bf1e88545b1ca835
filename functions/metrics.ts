// The functions' business metrics: Powertools for AWS Lambda Metrics, written as CloudWatch EMF
// lines and flushed at the end of each invocation (logMetrics middleware). Core counts through
// its port (core/metrics.ts), which this plugs Powertools into, on Lambda only.

import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import { METRICS, METRICS_NAMESPACE, METRICS_SERVICE, type MetricName, useMetrics } from '../core/metrics.js';

export const powertoolsMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

const CREDIT_METRICS: readonly MetricName[] = [
  METRICS.creditsPurchased,
  METRICS.creditsCharged,
  METRICS.creditsExpired,
];

if (process.env.AWS_LAMBDA_FUNCTION_NAME)
  useMetrics({
    add: (name, value) =>
      powertoolsMetrics.addMetric(name, CREDIT_METRICS.includes(name) ? MetricUnit.NoUnit : MetricUnit.Count, value),
  });

/**
 * Middy middleware that flushes the invocation's metrics as one EMF line, on Lambda; elsewhere a
 * middleware that does nothing (no metrics are recorded there).
 */
export function flushMetrics(): MiddlewareObj {
  if (process.env.AWS_LAMBDA_FUNCTION_NAME) return logMetrics(powertoolsMetrics, { throwOnEmptyMetrics: false });
  return { before: () => undefined };
}
