// The payment-outcomes queue port: every final status of a charge (paid, failed, cancelled) goes
// to the deployment system as one message. Delivery is at least once, so each message carries an
// `outcomeId` (`<chargeId>:<status>`) that names the outcome: a consumer that has seen it drops it.
// The AWS adapter is SQS (sqs.ts); the local one an in-process queue (local-queue.ts).

export interface OutcomeMessage {
  outcomeId: string;
  chargeId: string;
  accountId: string;
  deploymentId: string;
  status: 'paid' | 'failed' | 'cancelled';
  /** Decimal credits, as in the API. */
  amount: string;
  occurredAt: string;
}

export interface OutcomeQueue {
  /** Sends the messages; answers the outcomeIds that could not be sent (to be retried by the sweep). */
  send(messages: OutcomeMessage[]): Promise<{ failed: string[] }>;
}

export function outcomeId(chargeId: string, status: OutcomeMessage['status']): string {
  return `${chargeId}:${status}`;
}
