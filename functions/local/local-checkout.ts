// The local checkout's pages (`npm start` without provider keys): a purchase's checkout with its Pay
// button, and the card setup page auto top-up opens, each styled like the provider's and acting
// through the signed events a provider would send (local-events.ts). A paid checkout is kept by the
// provider's stand-in (provider-stand-ins.ts) first, then notified, unless `?notify=false`. Never deployed.

import * as z from 'zod';
import { NotFound } from '../../core/errors.js';
import { ulidOf } from '../../core/ids.js';
import type { ProviderName, Purchase } from '../../core/items/purchase.js';
import { accountOfPurchase, getPurchase } from '../../core/ledger/purchases.js';
import { formatMicros } from '../../core/money.js';
import { groupHandler, implement, type Request } from '../http/handler.js';
import { payments } from '../http/payments.js';
import { defineRoute } from '../http/routes.js';
import { emptyBody, params } from '../http/schemas.js';
import { localPaymentEvent, localProviderRef, localSetupEvent, sendToSelf } from './local-events.js';
import { LOCAL_TEST_CARDS, LocalCheckout, type LocalTestCard } from './local-providers.js';

/** The local stand-in for saved cards, when the server uses it (no Stripe keys); otherwise no local setups exist. */
function localCards(request: Pick<Request, 'local'>): LocalCheckout {
  const cards = payments(request).cards;
  if (!(cards instanceof LocalCheckout)) throw new NotFound('card setups are made by Stripe on this server');
  return cards;
}

/**
 * The payment the provider's stand-in takes for a paid checkout, kept before any webhook is sent
 * (as the provider takes the money first): once per purchase, at the ledger's instant.
 */
function keepAtStandIn(request: Pick<Request, 'local' | 'runtime'>, purchase: Purchase): void {
  const checkout = payments(request).checkout[purchase.method];
  const standIns = checkout instanceof LocalCheckout ? checkout.standIns : undefined;
  if (!standIns) return;
  const taken = {
    purchaseId: purchase.purchaseId,
    accountId: purchase.accountId,
    amount: purchase.amount,
    createdAtMs: request.runtime.ledger.nowMs(),
  };
  if (purchase.provider === 'stripe') standIns.stores.stripe.chargeCheckout(taken);
  else
    standIns.stores.spherepay.payCheckout({
      ...taken,
      id: `payment_local_${ulidOf(purchase.purchaseId)}`,
      paymentLink: purchase.providerRef ?? localProviderRef('spherepay', purchase.purchaseId),
    });
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
  'button.quiet{color:#3730a3;background:#fff;border:1px solid #c7d2fe;font-weight:500;font-size:.875rem}',
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
  summary: "Pay a local checkout: the stand-in keeps the payment and sends the provider's signed webhook",
  description:
    "Pays a local checkout: the provider's stand-in keeps the payment (its list calls answer it), then the " +
    "server signs the provider's webhook and sends it to itself. With `?notify=false` no webhook is sent: the " +
    'purchase stays pending, and the next daily close reports it as paid at the provider, not credited.',
  params: params.purchase,
  query: z.strictObject({ notify: z.enum(['true', 'false']).optional() }),
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
          `<form method="post" action="/local/checkout/${purchase.purchaseId}/pay?notify=false"><button ` +
          `type="submit" class="quiet">Pay, and lose the webhook (test: the close reports it owed)</button></form>` +
          `<p class="back"><a href="${appLink(request, purchase)}">Cancel and return to IO Credits</a></p>`
        : `<p>This purchase is <b>${purchase.status}</b>.</p><p class="back"><a ` +
          `href="${appLink(request, purchase)}">Return to IO Credits</a></p>`;
    return { status: 200, html: page('Checkout', purchase.provider, summary + action) };
  }),
  implement(payRoute, async (request) => {
    const purchase = await purchaseFor(request);
    const secret = payments(request).webhookSecrets[purchase.provider];
    if (!secret) throw new NotFound(`no ${purchase.provider} webhook secret is configured`);
    keepAtStandIn(request, purchase);
    const back = `<p class="back"><a href="${appLink(request, purchase)}">Return to IO Credits</a></p>`;
    if (request.query.notify === 'false')
      return {
        status: 200,
        html: page(
          'Paid, not notified',
          purchase.provider,
          `<h1 class="ok">Payment taken, webhook not sent</h1><p class="total">$${formatMicros(purchase.amount)}` +
            `</p><p>The ${purchase.provider} stand-in lists this payment; IO Credits was not told, so the purchase ` +
            `stays pending and the next daily close reports it as paid, not credited.</p>${back}`,
        ),
      };
    const event = localPaymentEvent(purchase, secret, request.runtime.ledger.nowMs());
    const response = await fetch(`${request.local?.serverUrl ?? 'http://127.0.0.1:3000'}${event.path}`, {
      method: 'POST',
      headers: event.headers,
      body: event.body,
    });
    const answer = await response.text();
    const ok = response.status === 200;
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
