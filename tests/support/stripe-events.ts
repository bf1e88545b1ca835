// Stripe events from the fixtures in tests/fixtures/stripe, filled in for a purchase and signed
// with the Stripe SDK's own test-header helper, as Stripe signs them.

import { readFileSync } from 'node:fs';
import Stripe from 'stripe';
import type { Purchase } from '../../core/index.js';

type Json = Record<string, any>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/stripe/${name}.json`, import.meta.url), 'utf8')) as Json;

function fill(value: unknown, purchase: Pick<Purchase, 'purchaseId' | 'accountId'>): any {
  if (typeof value === 'string')
    return value.replaceAll('{{purchaseId}}', purchase.purchaseId).replaceAll('{{accountId}}', purchase.accountId);
  if (Array.isArray(value)) return value.map((v) => fill(v, purchase));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, purchase)]));
  return value;
}

let sequence = 0;
/** A fresh event id, as each delivery of a new event has. */
const eventId = () => `evt_1SkQ${String(++sequence).padStart(6, '0')}IoCreditsTest${process.pid}`;

export type SessionEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired';

/** A Checkout Session event for `purchase`; `cents` and `session` override the session's fields. */
export function sessionEvent(
  type: SessionEventType,
  purchase: Purchase,
  options: { cents?: number; session?: Json; id?: string } = {},
): Json {
  const event = fill(fixture('checkout.session.completed'), purchase);
  const session = event.data.object;
  const cents = options.cents ?? purchase.amount / 10_000;
  Object.assign(session, {
    id: purchase.providerRef ?? session.id,
    amount_subtotal: cents,
    amount_total: cents,
    payment_intent: paymentIntentOf(purchase),
  });
  if (type === 'checkout.session.async_payment_failed') Object.assign(session, { payment_status: 'unpaid' });
  if (type === 'checkout.session.expired')
    Object.assign(session, { payment_status: 'unpaid', status: 'expired', payment_intent: null });
  Object.assign(session, options.session);
  return { ...event, id: options.id ?? eventId(), type };
}

export function refundEvent(
  purchase: Purchase,
  totalRefundedCents: number,
  options: { id?: string; currency?: string } = {},
): Json {
  const event = fill(fixture('charge.refunded'), purchase);
  Object.assign(event.data.object, {
    amount_refunded: totalRefundedCents,
    refunded: totalRefundedCents >= event.data.object.amount,
    payment_intent: paymentIntentOf(purchase),
    ...(options.currency ? { currency: options.currency } : {}),
  });
  return { ...event, id: options.id ?? eventId() };
}

export function disputeEvent(purchase: Purchase, cents: number, options: { id?: string } = {}): Json {
  const event = fill(fixture('charge.dispute.created'), purchase);
  Object.assign(event.data.object, {
    amount: cents,
    payment_intent: paymentIntentOf(purchase),
    id: `dp_${eventId().slice(4)}`,
  });
  return { ...event, id: options.id ?? eventId() };
}

/** Each purchase gets its own PaymentIntent id. */
export function paymentIntentOf(purchase: Pick<Purchase, 'purchaseId'>): string {
  return `pi_${purchase.purchaseId.slice(3)}`;
}

export function signStripe(body: string, secret: string, timestampSeconds = Math.floor(Date.now() / 1000)): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: timestampSeconds });
}
