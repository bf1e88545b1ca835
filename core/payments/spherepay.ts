// Spherepay: USDC through a payment link per purchase. The link is made from a one-time price
// of the exact amount under the configured product, and carries the purchase in its metadata;
// its id is recorded so the payment event finds the purchase. The webhook is signed: the
// `signature` header is the hex HMAC-SHA256 of the raw body under SPHEREPAY_WEBHOOK_SECRET.
//
// The request and event fields used here are the ones this adapter relies on (`data.price.id`,
// `data.paymentLink.{id,url}`; events `{id, name, data: {payment: {id, amount, currency,
// paymentLink}}}`); docs/payments.md lists them, to check against Spherepay's API reference.

import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { InvalidRequest } from '../errors.js';
import { formatMicros, parseMicros } from '../money.js';
import type { Checkout, CheckoutProvider, CheckoutRequest, WebhookAction } from './port.js';
import { parseKeepingNumbers, spherepayRequest } from './spherepay-http.js';

export interface SpherepayOptions {
  apiKey: string;
  /** The product every IO Credits price belongs to. */
  productId: string;
  baseUrl?: string;
  fetch?: typeof fetch;
}

const TIMEOUT_MS = 10_000;
const UNAVAILABLE = 'the USDC checkout could not be created; retrying with the same Idempotency-Key is safe';
/** USDC is a dollar stablecoin: credited one credit per USDC, like USD. */
const CREDITED_CURRENCIES = ['usdc', 'usd'];

/** What this adapter reads of Spherepay's answers (docs/payments.md). */
const priceAnswer = z.object({ price: z.object({ id: z.string().min(1) }) });
const paymentLinkAnswer = z.object({ paymentLink: z.object({ id: z.string().min(1), url: z.string().min(1) }) });

export class SpherepayCheckout implements CheckoutProvider {
  readonly name = 'spherepay' as const;

  constructor(private readonly options: SpherepayOptions) {}

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    const metadata = { purchaseId: request.purchaseId, accountId: request.accountId };
    const price = await this.post('/price', priceAnswer, {
      name: `IO Credits ${request.purchaseId}`,
      product: this.options.productId,
      type: 'one_time',
      currency: 'usdc',
      unitAmountDecimal: formatMicros(request.amount),
      metadata,
    });
    const link = await this.post('/paymentLink', paymentLinkAnswer, {
      lineItems: [{ price: price.price.id, quantity: 1, quantityMutable: false }],
      metadata,
    });
    return { checkoutUrl: link.paymentLink.url, providerRef: link.paymentLink.id };
  }

  /** POSTs `body` and answers the `data` of Spherepay's answer, checked against `answer` (never retried). */
  private post<T>(path: string, answer: z.ZodType<T>, body: unknown): Promise<T> {
    return spherepayRequest(
      this.options,
      { method: 'POST', path, body, unavailable: UNAVAILABLE, timeoutMs: TIMEOUT_MS },
      answer,
    );
  }
}

export interface SpherepayEvent {
  id: string;
  name: string;
  data: unknown;
}

const eventShape = z.object({ id: z.string().min(1), name: z.string(), data: z.unknown().optional() });

/** Checks the signature in constant time and reads the event; InvalidRequest when either fails. */
export function verifySpherepayEvent(rawBody: string, signature: string | undefined, secret: string): SpherepayEvent {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature))
    throw new InvalidRequest('the signature header is missing or not a hex HMAC-SHA256');
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    throw new InvalidRequest('the Spherepay signature does not verify');
  let event: unknown;
  try {
    // Numbers are kept as their text, so an amount is never read through a float.
    event = parseKeepingNumbers(rawBody);
  } catch (error) {
    throw new InvalidRequest('the Spherepay event is not valid JSON', undefined, { cause: error });
  }
  const read = eventShape.safeParse(event);
  if (!read.success) throw new InvalidRequest('a Spherepay event has a string id and name');
  const { id, name, data } = read.data;
  return { id, name, data };
}

/** The signature header for a body: what Spherepay sends, and what the local checkout signs with. */
export function spherepaySignature(rawBody: string, secret: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex');
}

const linkShape = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1).optional(), metadata: z.unknown().optional() }),
]);
const metadataShape = z.object({ purchaseId: z.string().optional(), accountId: z.string().optional() }).passthrough();
const paymentShape = z.object({
  id: z.string().optional(),
  // Numbers were kept as their source text by verifySpherepayEvent, so both arrive as text.
  amount: z.string({ error: 'data.payment.amount is a decimal amount' }),
  currency: z.string(),
  paymentLink: linkShape.optional(),
  metadata: z.unknown().optional(),
  // The chain the USDC came over and its transaction, for the receipt (SPEC §11).
  network: z.string().min(1).optional(),
  transactionHash: z.string().min(1).optional(),
});

export function spherepayAction(event: SpherepayEvent): WebhookAction {
  const eventId = event.id;
  if (event.name !== 'payment.successful')
    return { kind: 'ignore', eventId, why: `${event.name} is not an event IO Credits acts on` };
  const parsed = z.object({ payment: paymentShape }).safeParse(event.data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidRequest(
      `payment.successful is malformed at ${['data', ...(issue?.path ?? []).map(String)].join('.')}: ` +
        `${issue?.message ?? 'invalid'}`,
    );
  }
  const { payment } = parsed.data;
  const currency = payment.currency.toLowerCase();
  if (!CREDITED_CURRENCIES.includes(currency))
    throw new InvalidRequest(`only USDC payments are credited, this one is in ${currency || 'no currency'}`);
  const amount = parseMicros(payment.amount, 'data.payment.amount');
  const link = payment.paymentLink;
  const linkId = typeof link === 'string' ? link : link?.id;
  const metadata = metadataShape.safeParse(payment.metadata ?? (typeof link === 'object' ? link.metadata : undefined));
  const purchaseId = metadata.success ? metadata.data.purchaseId : undefined;
  const accountId = metadata.success ? metadata.data.accountId : undefined;
  if (!purchaseId && !linkId) throw new InvalidRequest('the payment names neither a payment link nor a purchase');
  return {
    kind: 'payment',
    eventId,
    purchase: purchaseId ? { purchaseId } : { providerRef: linkId! },
    ...(accountId ? { accountId } : {}),
    outcome: {
      kind: 'paid',
      amount,
      ...(payment.id ? { paymentRef: payment.id } : {}),
      ...(payment.network && payment.transactionHash
        ? { payment: { kind: 'usdc', network: payment.network, transactionHash: payment.transactionHash } }
        : {}),
    },
  };
}
