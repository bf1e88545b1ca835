// The payment-provider port: what buying credits needs from Stripe, Spherepay or the local
// stand-in. A checkout is created per purchase, idempotently by purchase id, so a retried
// request gets the same checkout. Provider events come back through the webhooks, each turned
// into a WebhookAction by the provider's own parser.

import type { PaymentMethod, ProviderName, ReversalReport } from '../items/purchase.js';
import type { PaymentOutcome } from '../ledger/purchases.js';
import type { Micros } from '../money.js';

export interface CheckoutRequest {
  purchaseId: string;
  accountId: string;
  amount: Micros;
  method: PaymentMethod;
}

export interface Checkout {
  /** Where the user pays. */
  checkoutUrl: string;
  /** The provider's id of the checkout. */
  providerRef: string;
}

export interface CheckoutProvider {
  readonly name: ProviderName;
  createCheckout(request: CheckoutRequest): Promise<Checkout>;
}

/** What a verified provider event asks of the ledger. */
export type WebhookAction =
  | {
      kind: 'payment';
      eventId: string;
      /** Ours, by our purchase id or by the provider's checkout reference. */
      purchase: { purchaseId: string } | { providerRef: string };
      /** The account the event says it is for, checked against the purchase. */
      accountId?: string;
      outcome: PaymentOutcome;
    }
  | { kind: 'reversal'; eventId: string; paymentRef: string; report: ReversalReport }
  | { kind: 'ignore'; eventId: string; why: string };
