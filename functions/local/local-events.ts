// The signed provider events the local stand-ins send the local server (local-providers.ts): a paid
// checkout (Stripe's `checkout.session.completed`, Spherepay's `payment.successful`), an off-session
// top-up's `payment_intent.*`, a saved card's `setup_intent.succeeded`, a refund or dispute made at the
// Stripe stand-in (`charge.refunded`, `charge.dispute.created`), each shaped like the real
// event and signed with the webhook secret, so the whole path of a real payment runs. Never deployed.

import { createHash, randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { ulidOf } from '../../core/ids.js';
import type { ProviderName, Purchase } from '../../core/items/purchase.js';
import { centsOf, formatMicros, type Micros } from '../../core/money.js';
import { spherepaySignature } from '../../core/payments/spherepay.js';
import type { StripeCharge, StripeReversal } from './stand-in-store.js';

export function localProviderRef(provider: ProviderName, purchaseId: string): string {
  return provider === 'stripe' ? `cs_local_${ulidOf(purchaseId)}` : `paymentLink_local_${ulidOf(purchaseId)}`;
}

/** The provider's event for a paid local checkout: the body and the headers that sign it. */
export function localPaymentEvent(
  purchase: Purchase,
  secret: string,
  nowMs: number,
): { path: string; body: string; headers: Record<string, string> } {
  const suffix = ulidOf(purchase.purchaseId);
  if (purchase.provider === 'stripe') {
    const cents = centsOf(purchase.amount);
    const session = {
      id: purchase.providerRef ?? localProviderRef('stripe', purchase.purchaseId),
      object: 'checkout.session',
      amount_subtotal: cents,
      amount_total: cents,
      client_reference_id: purchase.purchaseId,
      currency: 'usd',
      customer: null,
      livemode: false,
      metadata: { purchaseId: purchase.purchaseId, accountId: purchase.accountId },
      mode: 'payment',
      payment_intent: `pi_local_${suffix}`,
      payment_status: 'paid',
      status: 'complete',
      url: null,
    };
    return signedStripeEvent('checkout.session.completed', `evt_local_${suffix}`, session, secret, nowMs);
  }
  const body = JSON.stringify({
    id: `evt_local_${suffix}`,
    name: 'payment.successful',
    data: {
      payment: {
        id: `payment_local_${suffix}`,
        status: 'succeeded',
        amount: formatMicros(purchase.amount),
        currency: 'usdc',
        network: 'base',
        transactionHash: localTransactionHash(purchase.purchaseId),
        paymentLink: { id: purchase.providerRef ?? localProviderRef('spherepay', purchase.purchaseId) },
      },
    },
  });
  return {
    path: '/webhooks/spherepay',
    body,
    headers: { 'content-type': 'application/json', signature: spherepaySignature(body, secret) },
  };
}

/** A test value of an EVM transaction hash's shape (0x and 64 hex digits), the same for a purchase every time. */
function localTransactionHash(purchaseId: string): string {
  return `0x${createHash('sha256').update(purchaseId).digest('hex')}`;
}

/** A signed Stripe event, as the local server's own Stripe webhook receives it. */
function signedStripeEvent(
  type: string,
  id: string,
  object: Record<string, unknown>,
  secret: string,
  createdMs = Date.now(),
) {
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(createdMs / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    timestamp: Math.floor(Date.now() / 1000),
  });
  return {
    path: '/webhooks/stripe',
    body,
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
  };
}

/** What Stripe reports about an off-session top-up: `payment_intent.succeeded` or `.payment_failed`. */
export function localIntentEvent(
  intent: { purchaseId: string; accountId: string; amount: Micros; paymentIntentId: string; failure: string | null },
  secret: string,
) {
  const metadata = { purchaseId: intent.purchaseId, accountId: intent.accountId, autoTopUp: 'true' };
  const cents = centsOf(intent.amount);
  const object = {
    id: intent.paymentIntentId,
    object: 'payment_intent',
    amount: cents,
    amount_received: intent.failure ? 0 : cents,
    currency: 'usd',
    metadata,
    status: intent.failure ? 'requires_payment_method' : 'succeeded',
    last_payment_error: intent.failure
      ? {
          code: intent.failure === 'card_declined' ? 'card_declined' : 'authentication_required',
          decline_code: intent.failure,
        }
      : null,
  };
  const type = intent.failure ? 'payment_intent.payment_failed' : 'payment_intent.succeeded';
  return signedStripeEvent(type, `evt_local_${ulidOf(intent.purchaseId)}`, object, secret);
}

/** What Stripe reports when a setup saved a card: `setup_intent.succeeded`, for the account it names. */
export function localSetupEvent(accountId: string, card: string, secret: string) {
  const suffix = randomBytes(8).toString('hex');
  return signedStripeEvent(
    'setup_intent.succeeded',
    `evt_local_setup_${suffix}`,
    {
      id: `seti_local_${suffix}`,
      object: 'setup_intent',
      customer: `cus_local_${Buffer.from(accountId).toString('hex').slice(0, 24)}`,
      payment_method: card,
      status: 'succeeded',
      metadata: { accountId, purpose: 'auto_top_up' },
    },
    secret,
  );
}

/** What Stripe reports of a refund made at the stand-in: `charge.refunded`, with the running refunded total. */
export function localRefundEvent(
  refund: { id: string; totalRefundedCents: number },
  charge: StripeCharge,
  secret: string,
  nowMs: number,
) {
  const object = {
    id: charge.id,
    object: 'charge',
    amount: charge.amountCents,
    amount_captured: charge.amountCents,
    amount_refunded: refund.totalRefundedCents,
    currency: 'usd',
    metadata: charge.metadata,
    payment_intent: charge.paymentIntent,
    refunded: refund.totalRefundedCents >= charge.amountCents,
    status: 'succeeded',
  };
  return signedStripeEvent('charge.refunded', `evt_local_${refund.id}`, object, secret, nowMs);
}

/** What Stripe reports of a dispute opened at the stand-in: `charge.dispute.created`. */
export function localDisputeEvent(dispute: StripeReversal, charge: StripeCharge, secret: string, nowMs: number) {
  const object = {
    id: dispute.id,
    object: 'dispute',
    amount: dispute.amountCents,
    charge: charge.id,
    currency: 'usd',
    payment_intent: charge.paymentIntent,
    reason: 'fraudulent',
    status: 'needs_response',
  };
  return signedStripeEvent('charge.dispute.created', `evt_local_${dispute.id}`, object, secret, nowMs);
}

export async function sendToSelf(
  serverUrl: string,
  event: { path: string; body: string; headers: Record<string, string> },
): Promise<Response> {
  return fetch(`${serverUrl}${event.path}`, { method: 'POST', headers: event.headers, body: event.body });
}

// ---- the checkout page and its Pay button ----
