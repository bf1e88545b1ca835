// Stripe: cards through Stripe Checkout. A `payment` mode session for the exact amount in USD,
// tied to the purchase by `client_reference_id` and `metadata` (copied to the PaymentIntent, so
// refunds and disputes can be traced back), created with the purchase id as Stripe's
// idempotency key. Webhooks are verified with the SDK on the raw body.

import Stripe from 'stripe';
import { InvalidRequest, ProviderUnavailable } from '../errors.js';
import { formatMicros, type Micros, micros, MICROS_PER_CENT } from '../money.js';
import type { Checkout, CheckoutProvider, CheckoutRequest, WebhookAction } from './port.js';

export interface StripeCheckoutOptions {
  secretKey: string;
  successUrl: string;
  cancelUrl: string;
  /** Another Stripe endpoint, for tests: the SDK's host, port and protocol. */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
}

/** How old a signed webhook may be, in seconds (Stripe's own default). */
export const STRIPE_TOLERANCE_SECONDS = 300;
const NETWORK_RETRIES = 2;
const TIMEOUT_MS = 10_000;

export class StripeCheckout implements CheckoutProvider {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeCheckoutOptions) {
    this.stripe = new Stripe(options.secretKey, { maxNetworkRetries: NETWORK_RETRIES, timeout: TIMEOUT_MS, telemetry: false, ...(options.endpoint ?? {}) });
  }

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    const metadata = { purchaseId: request.purchaseId, accountId: request.accountId };
    try {
      const session = await this.stripe.checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: request.purchaseId,
          metadata,
          payment_intent_data: { metadata },
          line_items: [
            {
              quantity: 1,
              price_data: { currency: 'usd', unit_amount: centsOf(request.amount), product_data: { name: `IO Credits: ${formatMicros(request.amount)}` } },
            },
          ],
          success_url: this.options.successUrl,
          cancel_url: this.options.cancelUrl,
        },
        { idempotencyKey: request.purchaseId },
      );
      if (!session.url) throw new Error(`Stripe answered session ${session.id} without a url`);
      return { checkoutUrl: session.url, providerRef: session.id };
    } catch (error) {
      throw new ProviderUnavailable(`Stripe could not create the checkout: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** The verified event, or an InvalidRequest for a bad signature, a stale timestamp or a malformed body. */
export function verifyStripeEvent(rawBody: string, signature: string | undefined, secret: string, nowMs = Date.now()): Stripe.Event {
  if (!signature) throw new InvalidRequest('the Stripe-Signature header is missing');
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS, undefined, nowMs);
  } catch (error) {
    throw new InvalidRequest(`the Stripe signature does not verify: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid'}`);
  }
}

/** What a verified Stripe event asks of the ledger (SPEC §5 lists the handled types). */
export function stripeAction(event: Stripe.Event): WebhookAction {
  const eventId = event.id;
  switch (event.type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded': {
      const session = event.data.object;
      if (session.payment_status !== 'paid') return { kind: 'ignore', eventId, why: `session ${session.id} is ${session.payment_status}; waiting for its async payment` };
      return sessionAction(eventId, session, { kind: 'paid', amount: paidAmount(session.amount_total, session.currency), ...(paymentIntentId(session.payment_intent) ? { paymentRef: paymentIntentId(session.payment_intent)! } : {}) });
    }
    case 'checkout.session.async_payment_failed':
      return sessionAction(eventId, event.data.object, { kind: 'failed' });
    case 'checkout.session.expired':
      return sessionAction(eventId, event.data.object, { kind: 'expired' });
    case 'charge.refunded': {
      const charge = event.data.object;
      const paymentRef = paymentIntentId(charge.payment_intent);
      if (!paymentRef) return { kind: 'ignore', eventId, why: `charge ${charge.id} has no PaymentIntent` };
      return { kind: 'reversal', eventId, paymentRef, report: { kind: 'refund', totalRefunded: paidAmount(charge.amount_refunded, charge.currency) } };
    }
    case 'charge.dispute.created': {
      const dispute = event.data.object;
      const paymentRef = paymentIntentId(dispute.payment_intent);
      if (!paymentRef) return { kind: 'ignore', eventId, why: `dispute ${dispute.id} has no PaymentIntent` };
      return { kind: 'reversal', eventId, paymentRef, report: { kind: 'dispute', amount: paidAmount(dispute.amount, dispute.currency), disputeId: dispute.id } };
    }
    default:
      return { kind: 'ignore', eventId, why: `${event.type} is not an event IO Credits acts on` };
  }
}

function sessionAction(eventId: string, session: Stripe.Checkout.Session, outcome: Extract<WebhookAction, { kind: 'payment' }>['outcome']): WebhookAction {
  const purchaseId = session.client_reference_id;
  if (!purchaseId || !purchaseId.startsWith('pu_')) return { kind: 'ignore', eventId, why: `session ${session.id} is not an IO Credits purchase` };
  const accountId = session.metadata?.accountId;
  return { kind: 'payment', eventId, purchase: { purchaseId }, ...(accountId ? { accountId } : {}), outcome };
}

/** Micros from Stripe's integer cents; only USD is credited. */
function paidAmount(cents: number | null, currency: string | null): Micros {
  if (currency?.toLowerCase() !== 'usd') throw new InvalidRequest(`only USD payments are credited, this one is in ${currency ?? 'no currency'}`);
  if (cents === null || !Number.isSafeInteger(cents) || cents < 0) throw new InvalidRequest(`the amount ${String(cents)} is not a count of cents`);
  return micros(cents * MICROS_PER_CENT);
}

function centsOf(amount: Micros): number {
  if (amount % MICROS_PER_CENT !== 0) throw new InvalidRequest('card purchases are whole cents');
  return amount / MICROS_PER_CENT;
}

function paymentIntentId(value: string | Stripe.PaymentIntent | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}
