// Stripe: cards through Stripe Checkout. A `payment` mode session for the exact amount in USD,
// tied to the purchase by `client_reference_id` and `metadata` (copied to the PaymentIntent, so
// refunds and disputes can be traced back), created with the purchase id as Stripe's
// idempotency key. Webhooks are verified with the SDK on the raw body. With `invoices`
// (STRIPE_INVOICES=true) the session also makes a Stripe invoice of the payment and collects the
// buyer's tax id; the receipt links that invoice's hosted page (SPEC §11).

import Stripe from 'stripe';
import * as z from 'zod';
import { InvalidRequest, ProviderUnavailable } from '../errors.js';
import type { PaymentDetails } from '../items/receipt.js';
import { centsOf, formatMicros, type Micros, microsFromCents, sub, ZERO } from '../money.js';
import type { Checkout, CheckoutProvider, CheckoutRequest, SavedCardCharger, WebhookAction } from './port.js';

export interface StripeCheckoutOptions {
  secretKey: string;
  /**
   * Where Stripe sends the buyer back; `{PURCHASE_ID}` in either becomes the purchase's id, so the
   * app can follow it.
   */
  successUrl: string;
  cancelUrl: string;
  /** Stripe invoices for card purchases, and the buyer's tax id collected at checkout (STRIPE_INVOICES). */
  invoices?: boolean;
  /** Another Stripe endpoint, for tests: the SDK's host, port and protocol. */
  endpoint?: { host: string; port: number; protocol: 'http' | 'https' };
}

/** How old a signed webhook may be, in seconds (Stripe's own default). */
export const STRIPE_TOLERANCE_SECONDS = 300;
const NETWORK_RETRIES = 2;
const TIMEOUT_MS = 10_000;

export class StripeCheckout implements CheckoutProvider, SavedCardCharger {
  readonly name = 'stripe' as const;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeCheckoutOptions) {
    this.stripe = new Stripe(options.secretKey, {
      maxNetworkRetries: NETWORK_RETRIES,
      timeout: TIMEOUT_MS,
      telemetry: false,
      ...(options.endpoint ?? {}),
    });
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
              price_data: {
                currency: 'usd',
                unit_amount: centsOf(request.amount),
                product_data: { name: `IO Credits: ${formatMicros(request.amount)}` },
              },
            },
          ],
          success_url: withPurchase(this.options.successUrl, request.purchaseId),
          cancel_url: withPurchase(this.options.cancelUrl, request.purchaseId),
          ...(this.options.invoices
            ? {
                invoice_creation: { enabled: true, invoice_data: { metadata } },
                tax_id_collection: { enabled: true },
              }
            : {}),
        },
        { idempotencyKey: request.purchaseId },
      );
      if (!session.url) throw new Error(`Stripe answered session ${session.id} without a url`);
      return { checkoutUrl: session.url, providerRef: session.id };
    } catch (error) {
      // What Stripe said goes to the logs with the cause, never to the buyer.
      throw new ProviderUnavailable(
        'the card checkout could not be created; retrying with the same Idempotency-Key is safe',
        { cause: error },
      );
    }
  }

  /**
   * Stripe Checkout in setup mode: the card is saved to the account's Stripe customer (made on the
   * first setup), for off-session top-ups. The SetupIntent carries the account, so its
   * `setup_intent.succeeded` event saves the card to the right account.
   */
  async createCardSetup(request: { accountId: string; customerId?: string }): Promise<{ checkoutUrl: string }> {
    try {
      const customer =
        request.customerId ??
        (
          await this.stripe.customers.create(
            { metadata: { accountId: request.accountId } },
            { idempotencyKey: `io-credits-customer-${request.accountId}` },
          )
        ).id;
      const metadata = { accountId: request.accountId, purpose: 'auto_top_up' };
      const session = await this.stripe.checkout.sessions.create({
        mode: 'setup',
        currency: 'usd',
        customer,
        metadata,
        setup_intent_data: { metadata },
        success_url: settingsUrl(this.options.successUrl, 'saved'),
        cancel_url: settingsUrl(this.options.successUrl, 'cancelled'),
      });
      if (!session.url) throw new Error(`Stripe answered setup session ${session.id} without a url`);
      return { checkoutUrl: session.url };
    } catch (error) {
      throw new ProviderUnavailable('the card setup could not be created; try again', { cause: error });
    }
  }

  async describeCard(paymentMethodId: string): Promise<{ brand: string; last4: string }> {
    try {
      const method = await this.stripe.paymentMethods.retrieve(paymentMethodId);
      if (!method.card) throw new Error(`payment method ${paymentMethodId} is not a card`);
      return { brand: method.card.brand, last4: method.card.last4 };
    } catch (error) {
      // Stripe retries the event that needed it: the card is saved once the provider answers.
      throw new ProviderUnavailable('the saved card could not be read from Stripe; retry', { cause: error });
    }
  }

  async describePayment(paymentIntentId: string): Promise<PaymentDetails | undefined> {
    let intent: Stripe.PaymentIntent;
    try {
      intent = await this.stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] });
    } catch (error) {
      // The receipt's card is a detail: a payment Stripe will never show does not hold up the credit.
      if (refusedForGood(error)) return undefined;
      throw new ProviderUnavailable('the payment could not be read from Stripe; retry', { cause: error });
    }
    const charge = intent.latest_charge;
    const card = typeof charge === 'object' ? charge?.payment_method_details?.card : undefined;
    return card?.last4 ? { kind: 'card', brand: card.brand ?? 'unknown', last4: card.last4 } : undefined;
  }

  async describeInvoice(invoiceId: string): Promise<string | undefined> {
    let invoice: Stripe.Invoice;
    try {
      invoice = await this.stripe.invoices.retrieve(invoiceId);
    } catch (error) {
      // Nor does an invoice Stripe will never show (deleted, or not found): the receipt links none.
      if (refusedForGood(error)) return undefined;
      throw new ProviderUnavailable('the invoice could not be read from Stripe; retry', { cause: error });
    }
    return httpsOnly(invoice.hosted_invoice_url);
  }

  async chargeSavedCard(request: {
    purchaseId: string;
    accountId: string;
    amount: Micros;
    customerId: string;
    paymentMethodId: string;
  }): Promise<{ paymentIntentId: string }> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: centsOf(request.amount),
          currency: 'usd',
          customer: request.customerId,
          payment_method: request.paymentMethodId,
          off_session: true,
          confirm: true,
          description: `IO Credits auto top-up: ${formatMicros(request.amount)}`,
          metadata: { purchaseId: request.purchaseId, accountId: request.accountId, autoTopUp: 'true' },
        },
        { idempotencyKey: request.purchaseId },
      );
      return { paymentIntentId: intent.id };
    } catch (error) {
      // A declined card or one that needs its holder: the intent exists, and its failure event ends the top-up.
      const declined = error instanceof Stripe.errors.StripeCardError ? error.payment_intent?.id : undefined;
      if (declined) return { paymentIntentId: declined };
      throw new ProviderUnavailable('the top-up could not be charged; it is tried again', { cause: error });
    }
  }
}

/** The app's Settings page, where a card setup returns: the success URL's origin. */
function settingsUrl(successUrl: string, outcome: 'saved' | 'cancelled'): string {
  return `${new URL(successUrl).origin}/settings?card=${outcome}`;
}

const PURCHASE_ID_PLACEHOLDER = '{PURCHASE_ID}';

function withPurchase(url: string, purchaseId: string): string {
  return url.replaceAll(PURCHASE_ID_PLACEHOLDER, encodeURIComponent(purchaseId));
}

/**
 * An invoice page is linked from the receipt and the app: only an https one is kept. Anything else
 * is left off the receipt rather than refusing the payment it came with.
 */
function httpsOnly(url: string | null | undefined): string | undefined {
  return url?.startsWith('https://') ? url : undefined;
}

/** The verified event, or an InvalidRequest for a bad signature, a stale timestamp or a malformed body. */
export function verifyStripeEvent(
  rawBody: string,
  signature: string | undefined,
  secret: string,
  nowMs = Date.now(),
): Stripe.Event {
  if (!signature) throw new InvalidRequest('the Stripe-Signature header is missing');
  try {
    return Stripe.webhooks.constructEvent(rawBody, signature, secret, STRIPE_TOLERANCE_SECONDS, undefined, nowMs);
  } catch (error) {
    throw new InvalidRequest(
      `the Stripe signature does not verify: ${error instanceof Error ? error.message.split('\n')[0] : 'invalid'}`,
      undefined,
      { cause: error },
    );
  }
}

// The parts of Stripe's objects this adapter reads, checked before use: a signed event can still
// be malformed (a provider bug, an API version change), and such an event is refused with a 400
// naming the field, never answered with a 500 that Stripe would retry for days.
const paymentIntentRef = z
  .union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((pi) => pi.id)])
  .nullish();
const sessionShape = z.object({
  id: z.string().min(1),
  client_reference_id: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  payment_status: z.string(),
  amount_total: z.unknown(),
  currency: z.string().nullish(),
  payment_intent: paymentIntentRef,
  /** With invoice creation: the invoice made of the payment, by id or (expanded) with its hosted page. */
  invoice: z
    .union([
      z
        .string()
        .min(1)
        .transform((id) => ({ id, url: undefined })),
      z
        .object({ id: z.string().min(1), hosted_invoice_url: z.string().nullish() })
        .transform((invoice) => ({ id: invoice.id, url: httpsOnly(invoice.hosted_invoice_url) })),
    ])
    .nullish(),
  total_details: z.object({ amount_tax: z.unknown() }).nullish(),
});
const chargeShape = z.object({
  id: z.string().min(1),
  payment_intent: paymentIntentRef,
  amount_refunded: z.unknown(),
  currency: z.string().nullish(),
});
const disputeShape = z.object({
  id: z.string().min(1),
  payment_intent: paymentIntentRef,
  amount: z.unknown(),
  currency: z.string().nullish(),
});
const setupIntentShape = z.object({
  id: z.string().min(1),
  customer: z.union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((c) => c.id)]).nullish(),
  payment_method: z.union([z.string().min(1), z.object({ id: z.string().min(1) }).transform((p) => p.id)]).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
const paymentIntentShape = z.object({
  id: z.string().min(1),
  amount_received: z.unknown(),
  currency: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish() }).nullish(),
});
const eventShape = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

function read<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidRequest(
    `the Stripe ${what} is malformed at ${[what, ...(issue?.path ?? []).map(String)].join('.')}: ` +
      `${issue?.message ?? 'invalid'}`,
  );
}

/** What a verified Stripe event asks of the ledger (SPEC §5 lists the handled types). */
export function stripeAction(raw: Stripe.Event | unknown): WebhookAction {
  const event = read(eventShape, raw, 'event');
  const { id: eventId, type } = event;
  const object = event.data.object;
  switch (type) {
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
      return sessionPaid(eventId, read(sessionShape, object, 'event.data.object'));
    case 'checkout.session.async_payment_failed':
      return sessionAction(eventId, read(sessionShape, object, 'event.data.object'), { kind: 'failed' });
    case 'checkout.session.expired':
      return sessionAction(eventId, read(sessionShape, object, 'event.data.object'), { kind: 'expired' });
    case 'charge.refunded':
      return refunded(eventId, read(chargeShape, object, 'event.data.object'));
    case 'charge.dispute.created':
      return disputed(eventId, read(disputeShape, object, 'event.data.object'));
    case 'setup_intent.succeeded':
      return cardSaved(eventId, read(setupIntentShape, object, 'event.data.object'));
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
      return topUpSettled(eventId, type, read(paymentIntentShape, object, 'event.data.object'));
    default:
      return { kind: 'ignore', eventId, why: `${type} is not an event IO Credits acts on` };
  }
}

/** A session paid: credit it, unless its payment is still on its way (an async method). */
function sessionPaid(eventId: string, session: z.output<typeof sessionShape>): WebhookAction {
  if (session.payment_status !== 'paid')
    return {
      kind: 'ignore',
      eventId,
      why: `session ${session.id} is ${session.payment_status}; waiting for its async payment`,
    };
  const total = paidAmount(session.amount_total, session.currency, 'amount_total');
  const tax = session.total_details?.amount_tax
    ? microsFromCents(session.total_details.amount_tax, 'total_details.amount_tax')
    : ZERO;
  // The credits bought are what was paid before tax; the tax is on the receipt beside them.
  if (tax > 0 && tax >= total)
    throw new InvalidRequest(`session ${session.id} reports tax of ${formatMicros(tax)}, all it was paid or more`);
  const { invoice } = session;
  return sessionAction(eventId, session, {
    kind: 'paid',
    amount: sub(total, tax),
    ...(tax > 0 ? { tax } : {}),
    ...(session.payment_intent ? { paymentRef: session.payment_intent } : {}),
    // The hosted page when the event carries it, else the invoice's id, read from Stripe as the card is.
    ...(invoice?.url ? { invoiceUrl: invoice.url } : invoice ? { invoiceRef: invoice.id } : {}),
  });
}

/** A refund at Stripe: its running total, about the charge's PaymentIntent. */
function refunded(eventId: string, charge: z.output<typeof chargeShape>): WebhookAction {
  if (!charge.payment_intent) return { kind: 'ignore', eventId, why: `charge ${charge.id} has no PaymentIntent` };
  return {
    kind: 'reversal',
    eventId,
    paymentRef: charge.payment_intent,
    report: { kind: 'refund', totalRefunded: paidAmount(charge.amount_refunded, charge.currency, 'amount_refunded') },
  };
}

function disputed(eventId: string, dispute: z.output<typeof disputeShape>): WebhookAction {
  if (!dispute.payment_intent) return { kind: 'ignore', eventId, why: `dispute ${dispute.id} has no PaymentIntent` };
  return {
    kind: 'reversal',
    eventId,
    paymentRef: dispute.payment_intent,
    report: {
      kind: 'dispute',
      amount: paidAmount(dispute.amount, dispute.currency, 'amount'),
      disputeId: dispute.id,
    },
  };
}

/** A card setup for auto top-up completed: the card is saved to the account its metadata names. */
function cardSaved(eventId: string, setup: z.output<typeof setupIntentShape>): WebhookAction {
  const accountId = setup.metadata?.accountId;
  if (setup.metadata?.purpose !== 'auto_top_up' || typeof accountId !== 'string' || !accountId)
    return { kind: 'ignore', eventId, why: `setup ${setup.id} is not an IO Credits card setup` };
  if (!setup.customer || !setup.payment_method)
    throw new InvalidRequest(`setup ${setup.id} names no customer or payment method`);
  return { kind: 'card', eventId, accountId, customerId: setup.customer, paymentMethodId: setup.payment_method };
}

/** An auto top-up's off-session PaymentIntent succeeded or failed; checkout purchases settle by their session. */
function topUpSettled(
  eventId: string,
  type: 'payment_intent.succeeded' | 'payment_intent.payment_failed',
  intent: z.output<typeof paymentIntentShape>,
): WebhookAction {
  const purchaseId = intent.metadata?.purchaseId;
  if (intent.metadata?.autoTopUp !== 'true' || typeof purchaseId !== 'string' || !purchaseId.startsWith('pu_'))
    return { kind: 'ignore', eventId, why: `intent ${intent.id} is not an IO Credits auto top-up` };
  const accountId = intent.metadata.accountId;
  const reason = intent.last_payment_error?.decline_code ?? intent.last_payment_error?.code ?? undefined;
  return {
    kind: 'payment',
    eventId,
    purchase: { purchaseId },
    ...(typeof accountId === 'string' && accountId ? { accountId } : {}),
    outcome:
      type === 'payment_intent.succeeded'
        ? {
            kind: 'paid',
            amount: paidAmount(intent.amount_received, intent.currency, 'amount_received'),
            paymentRef: intent.id,
          }
        : { kind: 'failed', ...(reason ? { reason } : {}) },
  };
}

function sessionAction(
  eventId: string,
  session: z.output<typeof sessionShape>,
  outcome: Extract<WebhookAction, { kind: 'payment' }>['outcome'],
): WebhookAction {
  const purchaseId = session.client_reference_id;
  if (!purchaseId || !purchaseId.startsWith('pu_'))
    return { kind: 'ignore', eventId, why: `session ${session.id} is not an IO Credits purchase` };
  const accountId = session.metadata?.accountId;
  return {
    kind: 'payment',
    eventId,
    purchase: { purchaseId },
    ...(typeof accountId === 'string' && accountId ? { accountId } : {}),
    outcome,
  };
}

/** Micros from Stripe's integer cents; only USD is credited. */
function paidAmount(cents: unknown, currency: string | null | undefined, field: string): Micros {
  if (currency?.toLowerCase() !== 'usd')
    throw new InvalidRequest(`only USD payments are credited, this one is in ${currency ?? 'no currency'}`);
  return microsFromCents(cents, field);
}

/**
 * A refusal Stripe would give again (a 4xx other than 429: not found, no access); anything else
 * (no answer, 429, 5xx) may pass on a retry.
 */
function refusedForGood(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  const status = error.statusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}
