// The expiry queue port: the nightly fan-out sends one message per account with lots due; workers
// take them in batches. The AWS adapter is SQS with a dead-letter queue after 5 receives; locally
// the in-process queue keeps the same promises.

export interface ExpiryMessage {
  accountId: string;
  /** The run that found the account due, for logs; the worker acts on its own clock. */
  runAt: string;
}

export interface ExpiryQueue {
  /** Answers the accounts whose message could not be sent. */
  send(messages: ExpiryMessage[]): Promise<{ failed: string[] }>;
}
