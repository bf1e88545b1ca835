// What reconciliation (SPEC §12) reads of a payment provider: the payments it took in a period and
// the money it sent or took back (refunds, disputes), each tied to our purchase by the purchase id
// we gave the provider. One adapter per provider (Stripe, Spherepay) and the local stand-ins answer
// the same list calls, so what runs against the providers on AWS runs against the stand-ins here.
//
// Amounts are integer micro-credits (1 USD = 1,000,000), as everywhere in the ledger. A period is
// half-open: from `fromMs` included to `toMs` excluded, by the provider's own creation time.

import type { ProviderName } from '../items/purchase.js';
import type { Micros } from '../money.js';

export interface Period {
  fromMs: number;
  toMs: number;
}

/** A payment the provider took (succeeded): a Stripe charge, a Spherepay payment. */
export interface ProviderPayment {
  provider: ProviderName;
  /** The provider's id of the payment (Stripe: the charge; Spherepay: the payment). */
  paymentId: string;
  /** Our purchase id, from the metadata we gave the provider; absent when the payment is not ours. */
  purchaseId?: string;
  /** The account the metadata names, when it does. */
  accountId?: string;
  /**
   * The checkout the payment was made through, when the provider names it (Spherepay's payment
   * link): the purchase recorded it, so a payment without metadata is still matched.
   */
  providerRef?: string;
  /** What the provider took, in USD. */
  amount: Micros;
  /** What the provider reports as tax on it, when it does. */
  tax?: Micros;
  /** The provider's fee (Stripe's balance transaction), when it reports one in USD. */
  fee?: Micros;
  createdAtMs: number;
  /**
   * A payment in another currency than USD: never credited (the webhook refuses it), so `amount`
   * is 0 and what was taken is here, in the currency's smallest unit, for the report's detail.
   */
  foreign?: ForeignAmount;
}

export interface ForeignAmount {
  /** Lower case, as the provider writes it (`eur`). */
  currency: string;
  /** As the provider reports it: Stripe's integer of the currency's smallest unit, Spherepay's decimal. */
  providerAmount: string;
}

/** Money the provider sent back (a refund) or that was taken back (a dispute). */
export interface ProviderReversal {
  provider: ProviderName;
  kind: 'refund' | 'dispute';
  /** The provider's id of the refund or dispute. */
  reversalId: string;
  /** The payment it reverses. */
  paymentId: string;
  /** Our purchase id, when the provider carries it (on the payment's metadata). */
  purchaseId?: string;
  amount: Micros;
  createdAtMs: number;
  /** The provider's status of it, when it has one (Stripe: a refund `succeeded` or `pending`, a dispute `lost`…). */
  status?: string;
  /** A reversal in another currency than USD: `amount` is 0, what it was is here. */
  foreign?: ForeignAmount;
}

export interface ProviderActivity {
  payments: ProviderPayment[];
  reversals: ProviderReversal[];
  /** Calls made to the provider to list them (pages included), for the close's report and bench. */
  calls: number;
}

/**
 * A provider's list calls. An adapter pages through the provider's lists with a bound on the pages
 * it reads (throwing past it rather than reporting a partial period as complete), keeps under the
 * provider's rate limit, retries what may be retried, and gives each call a timeout.
 */
export interface PaymentsSource {
  readonly provider: ProviderName;
  /** The payments created in the period, and the refunds and disputes created in it. */
  activity(period: Period): Promise<ProviderActivity>;
}
