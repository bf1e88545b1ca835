// The SQS queues, each with its dead-letter queue: the nightly expiry's batches (fan-out to
// workers), event webhooks' fan-outs and delivery attempts, and the payment outcomes the
// deployment system reads. A message received five times without success moves to the
// dead-letter queue, kept 14 days and watched by an alarm (alarms.ts); every queue refuses
// requests that are not over TLS.

import { Duration } from 'aws-cdk-lib';
import { Queue, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

export interface QueueWithDeadLetters {
  queue: Queue;
  deadLetters: Queue;
}

export interface Queues {
  expiry: QueueWithDeadLetters;
  webhook: QueueWithDeadLetters;
  outcomes: QueueWithDeadLetters;
}

export function addQueues(scope: Construct): Queues {
  return {
    expiry: withDeadLetters(scope, 'Expiry', { visibilityTimeout: Duration.minutes(6) }),
    // Event webhooks: a receiver's refusal is retried by the worker with its own backoff (24 hours),
    // so only messages the worker itself fails on reach the dead-letter queue.
    webhook: withDeadLetters(scope, 'Webhook', {
      visibilityTimeout: Duration.minutes(6),
      retentionPeriod: Duration.days(4),
    }),
    outcomes: withDeadLetters(scope, 'PaymentOutcomes', { retentionPeriod: Duration.days(4) }),
  };
}

/** `<name>DeadLetterQueue`, then `<name>Queue` sending to it after five failed receives. */
function withDeadLetters(scope: Construct, name: string, props: QueueProps): QueueWithDeadLetters {
  const deadLetters = new Queue(scope, `${name}DeadLetterQueue`, {
    retentionPeriod: Duration.days(14),
    enforceSSL: true,
  });
  const queue = new Queue(scope, `${name}Queue`, {
    ...props,
    enforceSSL: true,
    deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
  });
  return { queue, deadLetters };
}
