// The webhook queue on SQS: ten messages a call (sqs-batch.ts); a retry's message is delayed by up
// to SQS's 15 minutes (a longer wait is covered by sending it on again, queue.ts).

import { SQSClient } from '@aws-sdk/client-sqs';
import { sendInBatches } from '../sqs-batch.js';
import type { WebhookMessage, WebhookQueue } from './publish.js';

export const MAX_DELAY_SECONDS = 900;

const messageId = (m: WebhookMessage) =>
  m.kind === 'event' ? m.eventId : m.kind === 'topup' ? m.purchaseId : `${m.endpointId}/${m.deliveryId}`;

export class SqsWebhookQueue implements WebhookQueue {
  private readonly client: SQSClient;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    this.client = client ?? new SQSClient({});
  }

  async send(messages: WebhookMessage[], delaySeconds = 0): Promise<{ failed: number }> {
    const { failed } = await sendInBatches(
      this.client,
      this.queueUrl,
      messages,
      (message) => ({
        MessageBody: JSON.stringify(message),
        ...(delaySeconds > 0 ? { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.ceil(delaySeconds)) } : {}),
      }),
      messageId,
    );
    return { failed: failed.length };
  }
}
