// Business metrics: what the ledger did, counted where it commits (ledger.ts `recordMetrics`), so
// a charge paid by a top-up or a lot expired by the nightly run counts like any other. A port:
// the Lambda functions plug in Powertools' Metrics (CloudWatch EMF, functions/metrics.ts);
// elsewhere nothing is sent.

/** The CloudWatch namespace, and the `service` dimension Powertools adds to every metric. */
export const METRICS_NAMESPACE = 'IOCredits';
export const METRICS_SERVICE = 'io-credits';

export const METRICS = {
  /** Credits bought and credited (purchase entries), in credits. */
  creditsPurchased: 'CreditsPurchased',
  /** Credits taken by charges (usage entries), in credits. */
  creditsCharged: 'CreditsCharged',
  chargesPaid: 'ChargesPaid',
  /** Charges that started waiting in pending_payment. */
  chargesPending: 'ChargesPending',
  /** Pending charges whose grace deadline passed unpaid. */
  chargesFailed: 'ChargesFailed',
  creditsExpired: 'CreditsExpired',
  withdrawalsRequested: 'WithdrawalsRequested',
  /** Provider webhooks refused (bad signature, malformed, wrong currency): a misconfiguration or an attack. */
  webhookRefusals: 'WebhookRefusals',
  /** Grace deadlines whose handler threw (the sweep ends those charges later). */
  graceFailures: 'GraceFailures',
  // The daily close's reconciliation (core/reconcile/metrics.ts): items per category of a new
  // report, and their amounts in micro-credits where money is at stake.
  closeMatched: 'CloseMatched',
  closePaidNotCredited: 'ClosePaidNotCredited',
  closePaidNotCreditedMicros: 'ClosePaidNotCreditedMicros',
  closeCreditedNotPaid: 'CloseCreditedNotPaid',
  closeCreditedNotPaidMicros: 'CloseCreditedNotPaidMicros',
  closeAmountMismatch: 'CloseAmountMismatch',
  closeAmountMismatchMicros: 'CloseAmountMismatchMicros',
  closeReversedAtProviderOnly: 'CloseReversedAtProviderOnly',
  closeReversedAtProviderOnlyMicros: 'CloseReversedAtProviderOnlyMicros',
  closeDuplicates: 'CloseDuplicates',
  closeDuplicatesMicros: 'CloseDuplicatesMicros',
  closeStuckPurchases: 'CloseStuckPurchases',
  closeStuckWithdrawals: 'CloseStuckWithdrawals',
  closeStuckWithdrawalsMicros: 'CloseStuckWithdrawalsMicros',
  /** 1 when the day's roll-forward does not add up. */
  closeRollForwardBroken: 'CloseRollForwardBroken',
  /**
   * Items of the leak categories (credited not paid, credited more than paid, reversed at the provider
   * only, a purchase credited twice) plus a broken roll-forward: what the leak alarm watches.
   */
  closeLeaks: 'CloseLeaks',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

export interface MetricsPort {
  /** Adds `value` (a count, or credits) to the metric. */
  add(name: MetricName, value: number): void;
}

let current: MetricsPort = { add: () => undefined };

export function metrics(): MetricsPort {
  return current;
}

export function useMetrics(next: MetricsPort): void {
  current = next;
}
