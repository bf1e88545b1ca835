// Payment outcomes on SQS: ten messages a call (sqs-batch.ts), the outcomeId both in the body and
// as a message attribute. On a FIFO queue the outcomeId is also the deduplication id and the
// account the message group.

import { SQSClient } from '@aws-sdk/client-sqs';
import { sendInBatches } from '../sqs-batch.js';
import type { OutcomeMessage, OutcomeQueue } from './port.js';

export class SqsOutcomeQueue implements OutcomeQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  send(messages: OutcomeMessage[]): Promise<{ failed: string[] }> {
    const fifo = this.queueUrl.endsWith('.fifo');
    return sendInBatches(
      this.client,
      this.queueUrl,
      messages,
      (message) => ({
        MessageBody: JSON.stringify(message),
        MessageAttributes: {
          outcomeId: { DataType: 'String', StringValue: message.outcomeId },
          status: { DataType: 'String', StringValue: message.status },
        },
        ...(fifo
          ? {
              MessageGroupId: message.accountId,
              MessageDeduplicationId: message.outcomeId.replace(/[^A-Za-z0-9_-]/g, '-'),
            }
          : {}),
      }),
      (message) => message.outcomeId,
    );
  }
}
