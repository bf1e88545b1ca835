// The payment-provider port: what buying credits needs from Stripe, Spherepay or the local
// stand-in. A checkout is created per purchase, idempotently by purchase id, so a retried
// request gets the same checkout. Provider events come back through the webhooks, each turned
// into a WebhookAction by the provider's own parser.

import type { ReversalReport } from '../items/payment-lookup.js';
import type { PaymentMethod, ProviderName } from '../items/purchase.js';
import type { PaymentDetails } from '../items/receipt.js';
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
  /** A card saved for auto top-up (a completed setup); its brand and last digits are asked of the provider. */
  | { kind: 'card'; eventId: string; accountId: string; customerId: string; paymentMethodId: string }
  | { kind: 'ignore'; eventId: string; why: string };

/** Auto top-up's card (SPEC §8): saving one through the provider, and charging it off session. */
export interface SavedCardCharger {
  /** A page where the user saves a card (Stripe Checkout in setup mode). */
  createCardSetup(request: { accountId: string; customerId?: string }): Promise<{ checkoutUrl: string }>;
  /** The saved card's brand and last four digits, to name it to its holder (core/payments/card-label.ts). */
  describeCard(paymentMethodId: string): Promise<{ brand: string; last4: string }>;
  /**
   * The card a payment (a PaymentIntent) was made with, for its receipt (SPEC §11); undefined when
   * it was not a card. Only an unreachable provider throws: the event is retried.
   */
  describePayment(paymentIntentId: string): Promise<PaymentDetails | undefined>;
  /**
   * The hosted page of an invoice the provider made of a payment (Stripe, with STRIPE_INVOICES),
   * for the receipt to link; undefined when it has none. Only an unreachable provider throws.
   */
  describeInvoice(invoiceId: string): Promise<string | undefined>;
  /**
   * Charges the saved card, with the purchase id as the idempotency key: called again for the same
   * purchase, the provider answers the same PaymentIntent. A declined card still answers its intent
   * (the provider's failure event ends the purchase); only an unreachable provider throws.
   */
  chargeSavedCard(request: {
    purchaseId: string;
    accountId: string;
    amount: Micros;
    customerId: string;
    paymentMethodId: string;
  }): Promise<{ paymentIntentId: string }>;
}
