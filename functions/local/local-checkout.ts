// The local stand-in for Stripe Checkout and Spherepay payment links, used by `npm start` when a
// method has no provider keys. Its checkout URL is a page on the local server whose Pay button
// makes the server send itself the provider's webhook, shaped like the real event and signed
// with the webhook secret, over HTTP, so the whole path of a real payment runs. For auto top-up
// it also stands in for a saved card: a setup page offering Stripe's test cards (one that pays,
// one that is declined, one that needs authentication), and off-session charges whose outcome
// arrives as a signed `payment_intent.*` webhook. Never deployed.

import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import * as z from 'zod';
import { Conflict, NotFound } from '../../core/errors.js';
import { ulidOf } from '../../core/ids.js';
import { type PaymentMethod, PROVIDER_OF, type ProviderName, type Purchase } from '../../core/items/purchase.js';
import { accountOfPurchase, getPurchase } from '../../core/ledger/purchases.js';
import { centsOf, formatMicros, type Micros } from '../../core/money.js';
import type { Checkout, CheckoutProvider, CheckoutRequest, SavedCardCharger } from '../../core/payments/port.js';
import { spherepaySignature } from '../../core/payments/spherepay.js';
import { groupHandler, implement, type Request } from '../http/handler.js';
import { type Payments, payments, paymentsFromEnv } from '../http/payments.js';
import { defineRoute } from '../http/routes.js';
import { emptyBody, params } from '../http/schemas.js';

export class LocalCheckout implements CheckoutProvider, SavedCardCharger {
  readonly name: ProviderName;
  /** The local server's base URL, set once it listens. */
  serverUrl = 'http://127.0.0.1:3000';
  /** Signs the events it sends the server (set by localPayments). */
  webhookSecret = '';
  /** PaymentIntents made so far, by purchase id: Stripe's idempotency key, kept the same way. */
  readonly intents = new Map<string, string>();
  /**
   * Card setups opened by an account's own request, by their unguessable id, as Stripe's setup
   * sessions are: the page acts for that account only, and saves one card.
   */
  private readonly setups = new Map<string, { accountId: string; expiresAtMs: number; completed: boolean }>();

  constructor(method: PaymentMethod) {
    this.name = PROVIDER_OF[method];
  }

  async createCheckout(request: CheckoutRequest): Promise<Checkout> {
    return {
      checkoutUrl: `${this.serverUrl}/local/checkout/${request.purchaseId}`,
      providerRef: localProviderRef(this.name, request.purchaseId),
    };
  }
  async createCardSetup(request: { accountId: string }): Promise<{ checkoutUrl: string }> {
    const setupId = `cs_local_setup_${randomBytes(16).toString('hex')}`;
    for (const [id, setup] of this.setups) if (setup.expiresAtMs <= Date.now()) this.setups.delete(id);
    this.setups.set(setupId, {
      accountId: request.accountId,
      expiresAtMs: Date.now() + SETUP_LIFETIME_MS,
      completed: false,
    });
    return { checkoutUrl: `${this.serverUrl}/local/card-setup/${setupId}` };
  }

  /** The open setup `setupId` (404 otherwise), marked complete when `complete` (409 if it already is). */
  setup(setupId: string, complete = false): { accountId: string } {
    const setup = this.setups.get(setupId);
    if (!setup || setup.expiresAtMs <= Date.now()) throw new NotFound(`no card setup ${setupId}`);
    if (complete) {
      if (setup.completed) throw new Conflict(`card setup ${setupId} has already saved a card`);
      setup.completed = true;
    }
    return { accountId: setup.accountId };
  }

  async describeCard(paymentMethodId: string): Promise<{ brand: string; last4: string }> {
    const card = LOCAL_TEST_CARDS[paymentMethodId as LocalTestCard];
    if (!card) throw new NotFound(`no test card ${paymentMethodId}`);
    return { brand: 'visa', last4: card.last4 };
  }

  /** Answers the intent at once; its outcome follows as a signed webhook, as Stripe's does. */
  async chargeSavedCard(request: {
    purchaseId: string;
    accountId: string;
    amount: Micros;
    paymentMethodId: string;
  }): Promise<{ paymentIntentId: string }> {
    const known = this.intents.get(request.purchaseId);
    if (known) return { paymentIntentId: known };
    const paymentIntentId = `pi_local_${ulidOf(request.purchaseId)}`;
    this.intents.set(request.purchaseId, paymentIntentId);
    const card = LOCAL_TEST_CARDS[request.paymentMethodId as LocalTestCard];
    const event = localIntentEvent(
      { ...request, paymentIntentId, failure: card ? card.failure : 'card_declined' },
      this.webhookSecret,
    );
    setImmediate(() => void sendToSelf(this.serverUrl, event));
    return { paymentIntentId };
  }
}

/** Stripe's test cards, with the last digits of the card numbers Stripe gives them. */
export const LOCAL_TEST_CARDS = {
  pm_card_visa: { label: 'Visa (pays)', last4: '4242', failure: null },
  pm_card_chargeDeclined: { label: 'Declined card', last4: '0002', failure: 'card_declined' },
  pm_card_authenticationRequired: {
    label: 'Needs authentication',
    last4: '3184',
    failure: 'authentication_required',
  },
} as const;
/** How long a card setup page stays open: Stripe's Checkout sessions last 24 hours. */
const SETUP_LIFETIME_MS = 24 * 60 * 60 * 1000;
export type LocalTestCard = keyof typeof LOCAL_TEST_CARDS;

function localProviderRef(provider: ProviderName, purchaseId: string): string {
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
    const metadata = { purchaseId: purchase.purchaseId, accountId: purchase.accountId };
    const body = JSON.stringify({
      id: `evt_local_${suffix}`,
      object: 'event',
      api_version: '2026-10-28.endive',
      created: Math.floor(nowMs / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
      data: {
        object: {
          id: purchase.providerRef ?? localProviderRef('stripe', purchase.purchaseId),
          object: 'checkout.session',
          amount_subtotal: cents,
          amount_total: cents,
          client_reference_id: purchase.purchaseId,
          currency: 'usd',
          customer: null,
          livemode: false,
          metadata,
          mode: 'payment',
          payment_intent: `pi_local_${suffix}`,
          payment_status: 'paid',
          status: 'complete',
          url: null,
        },
      },
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
  const body = JSON.stringify({
    id: `evt_local_${suffix}`,
    name: 'payment.successful',
    data: {
      payment: {
        id: `payment_local_${suffix}`,
        status: 'succeeded',
        amount: formatMicros(purchase.amount),
        currency: 'usdc',
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

/** A signed Stripe event, as the local server's own Stripe webhook receives it. */
function signedStripeEvent(type: string, id: string, object: Record<string, unknown>, secret: string) {
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: Math.floor(Date.now() / 1000),
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
export function localSetupEvent(accountId: string, card: LocalTestCard, secret: string) {
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

async function sendToSelf(
  serverUrl: string,
  event: { path: string; body: string; headers: Record<string, string> },
): Promise<Response> {
  return fetch(`${serverUrl}${event.path}`, { method: 'POST', headers: event.headers, body: event.body });
}

// ---- the checkout page and its Pay button ----

/** The local stand-in for saved cards, when the server uses it (no Stripe keys); otherwise no local setups exist. */
function localCards(request: Pick<Request, 'local'>): LocalCheckout {
  const cards = payments(request).cards;
  if (!(cards instanceof LocalCheckout)) throw new NotFound('card setups are made by Stripe on this server');
  return cards;
}

async function purchaseFor(request: Pick<Request, 'runtime'> & { params: { purchaseId: string } }): Promise<Purchase> {
  const { purchaseId } = request.params;
  const accountId = await accountOfPurchase(request.runtime.ledger, purchaseId);
  if (!accountId) throw new NotFound(`no purchase ${purchaseId}`);
  return getPurchase(request.runtime.ledger, accountId, purchaseId);
}

/** A checkout page styled like a provider's: what is bought, one button, and the way back to the app. */
const page = (title: string, provider: ProviderName, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" ` +
  `content="width=device-width, initial-scale=1"><title>${title} · ${PROVIDER_NAMES[provider]} test checkout</title>` +
  `<style>${CHECKOUT_CSS}</style></head><body><main class="sheet"><header><span ` +
  `class="provider">${PROVIDER_NAMES[provider]}</span><span class="test">Test mode: no money ` +
  `moves</span></header>${body}</main></body></html>`;

const PROVIDER_NAMES: Record<ProviderName, string> = { stripe: 'Stripe', spherepay: 'Spherepay' };

const CHECKOUT_CSS = [
  'body{margin:0;background:#f6f9fc;color:#1a1f36;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}',
  '.sheet{max-width:26rem;margin:3rem auto;background:#fff;border-radius:12px;box-shadow:0 8px 30px rgb(26 31 ' +
    '54/12%);padding:2rem;display:grid;gap:1.25rem}',
  'header{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}',
  '.provider{font-weight:700;font-size:1.25rem}',
  '.test{font-size:.75rem;font-weight:600;color:#7a4100;background:#fff4e5;border-radius:999px;padding:.2rem .6rem}',
  'h1{margin:0;font-size:1rem;font-weight:600;color:#4f566b}',
  '.total{font-size:2rem;font-weight:700;margin:0;font-variant-numeric:tabular-nums}',
  'dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:.25rem ' +
    '1rem;font-size:.875rem}dt{color:#4f566b}dd{margin:0;text-align:right;word-break:break-all}',
  'button{width:100%;font:inherit;font-weight:600;color:#fff;background:#3730a3;border:none;border-radius:8px;' +
    'padding:.8rem 1rem;cursor:pointer}',
  'button:focus-visible,a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}',
  'a{color:#3730a3;font-weight:600}',
  '.back{text-align:center;font-size:.875rem}',
  '.ok{color:#065f46}',
  '.bad{color:#b91c1c}',
  'code{font-size:.75rem;word-break:break-all}',
].join('');

const appLink = (request: Request, purchase: Purchase) =>
  `${request.local?.serverUrl ?? ''}/?purchase=${purchase.purchaseId}`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const showRoute = defineRoute({
  method: 'GET',
  path: '/local/checkout/{purchaseId}',
  group: 'local',
  access: 'public',
  summary: 'The local checkout page for a purchase',
  description: 'The page a purchase made on the local server checks out on, standing in for Stripe or Spherepay.',
  params: params.purchase,
  responses: { 200: { description: 'Page' } },
});
const payRoute = defineRoute({
  method: 'POST',
  path: '/local/checkout/{purchaseId}/pay',
  group: 'local',
  access: 'public',
  summary: "Pay a local checkout: the server sends itself the provider's signed webhook",
  description: "Pays a local checkout: the server signs the provider's webhook and sends it to itself.",
  params: params.purchase,
  body: emptyBody,
  responses: { 200: { description: 'Page' } },
});

const setupId = z.string().regex(/^cs_local_setup_[0-9a-f]{32}$/, 'must be a local card setup id');
const setupRoute = defineRoute({
  method: 'GET',
  path: '/local/card-setup/{setupId}',
  group: 'local',
  access: 'public',
  summary: 'The local card setup page for auto top-up',
  description:
    "Stands in for Stripe Checkout in setup mode: offers Stripe's three test cards. The setup is opened by the " +
    "account's own POST /credits/auto-top-up/payment-method and acts for that account only.",
  params: z.strictObject({ setupId }),
  responses: { 200: { description: 'Page' } },
});
const chooseCardRoute = defineRoute({
  method: 'POST',
  path: '/local/card-setup/{setupId}/{card}',
  group: 'local',
  access: 'public',
  summary: 'Save a local test card: the server sends itself the signed setup_intent.succeeded',
  description:
    "Saves one of the test cards to the setup's account, once: the server signs Stripe's setup event and sends " +
    'it to itself.',
  params: z.strictObject({
    setupId,
    card: z.enum(Object.keys(LOCAL_TEST_CARDS) as [LocalTestCard, ...LocalTestCard[]]),
  }),
  body: emptyBody,
  responses: { 200: { description: 'Page' } },
});

export const checkoutRoutes = [showRoute, payRoute, setupRoute, chooseCardRoute];

export const checkoutHandler = groupHandler([
  implement(setupRoute, async (request) => {
    const { setupId } = request.params;
    const { accountId } = localCards(request).setup(setupId);
    const cards = Object.entries(LOCAL_TEST_CARDS)
      .map(
        ([card, { label }]) =>
          `<form method="post" action="/local/card-setup/${setupId}/${card}">` +
          `<button type="submit">${label}</button></form>`,
      )
      .join('');
    const body =
      `<h1>Save a card for auto top-up</h1><dl><dt>Account</dt><dd>${escapeHtml(accountId)}</dd></dl>` +
      `<p>Choose one of Stripe's test cards: top-ups on the first are paid, on the second declined, and the ` +
      `third needs its holder to authenticate (so it fails off session).</p>${cards}` +
      `<p class="back"><a href="${request.local?.serverUrl ?? ''}/settings">Cancel and return to IO Credits</a></p>`;
    return { status: 200, html: page('Save a card', 'stripe', body) };
  }),
  implement(chooseCardRoute, async (request) => {
    const { setupId, card } = request.params;
    const secret = payments(request).webhookSecrets.stripe;
    if (!secret) throw new NotFound('no stripe webhook secret is configured');
    const { accountId } = localCards(request).setup(setupId, true);
    const response = await sendToSelf(
      request.local?.serverUrl ?? 'http://127.0.0.1:3000',
      localSetupEvent(accountId, card, secret),
    );
    const ok = response.status === 200;
    const back = `<p class="back"><a href="${request.local?.serverUrl ?? ''}/settings">Return to IO Credits</a></p>`;
    return {
      status: ok ? 200 : 502,
      html: page(
        ok ? 'Card saved' : 'Card not saved',
        'stripe',
        ok
          ? `<h1 class="ok">Card saved</h1><p>${LOCAL_TEST_CARDS[card].label} is saved for auto top-up.</p>${back}`
          : `<h1 class="bad">Card not saved</h1><code>${escapeHtml(await response.text())}</code>${back}`,
      ),
    };
  }),
  implement(showRoute, async (request) => {
    const purchase = await purchaseFor(request);
    const via = purchase.method === 'card' ? 'Card (Stripe Checkout)' : 'USDC (Spherepay)';
    const summary =
      `<h1>IO Credits</h1><p class="total">$${formatMicros(purchase.amount)}</p>` +
      `<dl><dt>Pay ` +
      `with</dt><dd>${via}</dd><dt>Account</dt><dd>${escapeHtml(purchase.accountId)}</dd>` +
      `<dt>Purchase</dt><dd><code>${purchase.purchaseId}</code></dd></dl>`;
    const action =
      purchase.status === 'pending'
        ? `<form method="post" action="/local/checkout/${purchase.purchaseId}/pay"><button type="submit">Pay ` +
          `$${formatMicros(purchase.amount)}</button></form>` +
          `<p class="back"><a href="${appLink(request, purchase)}">Cancel and return to IO Credits</a></p>`
        : `<p>This purchase is <b>${purchase.status}</b>.</p><p class="back"><a ` +
          `href="${appLink(request, purchase)}">Return to IO Credits</a></p>`;
    return { status: 200, html: page('Checkout', purchase.provider, summary + action) };
  }),
  implement(payRoute, async (request) => {
    const purchase = await purchaseFor(request);
    const secret = payments(request).webhookSecrets[purchase.provider];
    if (!secret) throw new NotFound(`no ${purchase.provider} webhook secret is configured`);
    const event = localPaymentEvent(purchase, secret, request.runtime.ledger.nowMs());
    const response = await fetch(`${request.local?.serverUrl ?? 'http://127.0.0.1:3000'}${event.path}`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    const answer = await response.text();
    const ok = response.status === 200;
    const back = `<p class="back"><a href="${appLink(request, purchase)}">Return to IO Credits</a></p>`;
    return {
      status: ok ? 200 : 502,
      html: page(
        ok ? 'Paid' : 'Payment not applied',
        purchase.provider,
        ok
          ? `<h1 class="ok">Payment received</h1><p class="total">$${formatMicros(purchase.amount)}</p><p>Your ` +
              `IO Credits are on the way to ` +
              `<code>${escapeHtml(purchase.accountId)}</code>.</p>${back}<details><summary>What the ` +
              `${purchase.provider} webhook answered</summary><code>${escapeHtml(answer)}</code></details>`
          : `<h1 class="bad">Payment not applied</h1><p>The ${purchase.provider} webhook answered ` +
              `${response.status}:</p><code>${escapeHtml(answer)}</code>${back}`,
      ),
    };
  }),
]);

/**
 * Payments for the local server: the real provider where its keys are set, the local checkout
 * otherwise; webhook secrets from the environment or made up for this run.
 */
export function localPayments(env: NodeJS.ProcessEnv): Payments {
  const real = paymentsFromEnv(env);
  const webhookSecrets = {
    stripe: real.webhookSecrets.stripe ?? `whsec_${randomBytes(24).toString('hex')}`,
    spherepay: real.webhookSecrets.spherepay ?? randomBytes(32).toString('hex'),
  };
  const localCard = new LocalCheckout('card');
  localCard.webhookSecret = webhookSecrets.stripe;
  return {
    checkout: {
      card: real.checkout.card ?? localCard,
      usdc: real.checkout.usdc ?? new LocalCheckout('usdc'),
    },
    cards: real.cards ?? localCard,
    limits: real.limits,
    webhookSecrets,
  };
}
