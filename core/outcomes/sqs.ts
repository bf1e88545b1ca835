// Payment outcomes on SQS: SendMessageBatch, ten messages a call, the outcomeId both in the body
// and as a message attribute. Entries SQS reports as failed are retried once; what still fails is
// answered to the caller, whose outbox keeps it for the sweep. On a FIFO queue the outcomeId is
// also the deduplication id and the account the message group.

import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { OutcomeMessage, OutcomeQueue } from './port.js';

export const SQS_BATCH_SIZE = 10;
const SEND_ROUNDS = 2;

export class SqsOutcomeQueue implements OutcomeQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async send(messages: OutcomeMessage[]): Promise<{ failed: string[] }> {
    const failed: string[] = [];
    for (let start = 0; start < messages.length; start += SQS_BATCH_SIZE) {
      let batch = messages.slice(start, start + SQS_BATCH_SIZE);
      for (let round = 1; round <= SEND_ROUNDS && batch.length > 0; round += 1) {
        const out = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: batch.map((m, i) => this.entry(m, i)) }));
        const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
        batch = batch.filter((_m, i) => failedIds.has(`m${i}`));
      }
      failed.push(...batch.map((m) => m.outcomeId));
    }
    return { failed };
  }

  private entry(message: OutcomeMessage, index: number): SendMessageBatchRequestEntry {
    const fifo = this.queueUrl.endsWith('.fifo');
    return {
      Id: `m${index}`,
      MessageBody: JSON.stringify(message),
      MessageAttributes: { outcomeId: { DataType: 'String', StringValue: message.outcomeId }, status: { DataType: 'String', StringValue: message.status } },
      ...(fifo ? { MessageGroupId: message.accountId, MessageDeduplicationId: message.outcomeId.replace(/[^A-Za-z0-9_-]/g, '-') } : {}),
    };
  }
}
