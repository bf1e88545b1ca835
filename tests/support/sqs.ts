// SQS events as Lambda receives them from the expiry queue, for the worker's tests.

import type { SQSEvent, SQSRecord } from 'aws-lambda';

export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: messageId,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'expiry-fanout',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:expiry',
    awsRegion: 'us-east-1',
  };
}

/** A batch of messages, each `[messageId, body]`. */
export function sqsEvent(...messages: [messageId: string, body: string][]): SQSEvent {
  return { Records: messages.map(([messageId, body]) => sqsRecord(messageId, body)) };
}
