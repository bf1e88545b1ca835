// Sending to SQS in batches: SendMessageBatch takes ten entries a call; entries SQS reports as
// failed are sent once more; what still fails is answered, by each message's own id, so the
// caller can keep it for later. Shared by the payment-outcomes and expiry queues.

import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';

export const SQS_BATCH_SIZE = 10;
const SEND_ROUNDS = 2;

export async function sendInBatches<T>(
  client: SQSClient,
  queueUrl: string,
  messages: T[],
  entry: (message: T) => Omit<SendMessageBatchRequestEntry, 'Id'>,
  idOf: (message: T) => string,
): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  for (let start = 0; start < messages.length; start += SQS_BATCH_SIZE) {
    let batch = messages.slice(start, start + SQS_BATCH_SIZE);
    for (let round = 1; round <= SEND_ROUNDS && batch.length > 0; round += 1) {
      const out = await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((m, i) => ({ Id: `m${i}`, ...entry(m) })),
        }),
      );
      const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
      batch = batch.filter((_m, i) => failedIds.has(`m${i}`));
    }
    failed.push(...batch.map(idOf));
  }
  return { failed };
}
