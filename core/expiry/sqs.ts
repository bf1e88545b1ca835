// The expiry queue on SQS: one message per account, ten a call (sqs-batch.ts).

import { SQSClient } from '@aws-sdk/client-sqs';
import { sendInBatches } from '../sqs-batch.js';
import type { ExpiryMessage, ExpiryQueue } from './port.js';

export class SqsExpiryQueue implements ExpiryQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  send(messages: ExpiryMessage[]): Promise<{ failed: string[] }> {
    return sendInBatches(
      this.client,
      this.queueUrl,
      messages,
      (message) => ({ MessageBody: JSON.stringify(message) }),
      (message) => message.accountId,
    );
  }
}
