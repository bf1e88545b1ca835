// What the purchase and webhook handlers need beyond the ledger: a checkout provider per payment
// method, the purchase limits and the webhook secrets. Built once per Lambda container from the
// environment; the local server hands each request its own (with the local checkout).
// Only the purchases and webhooks functions import this, so no other bundle carries Stripe.

import type { PaymentMethod } from '../../core/items/purchase.js';
import { parseCents } from '../../core/money.js';
import type { CheckoutProvider, SavedCardCharger } from '../../core/payments/port.js';
import { SpherepayCheckout } from '../../core/payments/spherepay.js';
import { StripeCheckout } from '../../core/payments/stripe.js';
import { DEFAULT_PURCHASE_LIMITS, type PurchaseLimits } from '../../core/purchase-limits.js';

export interface Payments {
  checkout: Partial<Record<PaymentMethod, CheckoutProvider>>;
  /** Saving a card and charging it for auto top-up (Stripe; locally the stand-in). */
  cards?: SavedCardCharger;
  limits: PurchaseLimits;
  webhookSecrets: { stripe?: string; spherepay?: string };
}

let current: Payments | undefined;

/** The request's payments: the local server's own, or the container's, built from the environment. */
export function payments(request?: { local?: { payments: unknown } }): Payments {
  if (request?.local) return request.local.payments as Payments;
  current ??= paymentsFromEnv(process.env);
  return current;
}

export function limitsFromEnv(env: NodeJS.ProcessEnv): PurchaseLimits {
  const limits = {
    min: env.PURCHASE_MIN_AMOUNT
      ? parseCents(env.PURCHASE_MIN_AMOUNT, 'PURCHASE_MIN_AMOUNT')
      : DEFAULT_PURCHASE_LIMITS.min,
    max: env.PURCHASE_MAX_AMOUNT
      ? parseCents(env.PURCHASE_MAX_AMOUNT, 'PURCHASE_MAX_AMOUNT')
      : DEFAULT_PURCHASE_LIMITS.max,
  };
  if (limits.min > limits.max) throw new Error('PURCHASE_MIN_AMOUNT is above PURCHASE_MAX_AMOUNT');
  return limits;
}

/** The real providers whose keys are set; a method without keys has no provider (answered 502). */
export function paymentsFromEnv(env: NodeJS.ProcessEnv): Payments {
  const checkout: Payments['checkout'] = {};
  if (env.STRIPE_SECRET_KEY) {
    checkout.card = new StripeCheckout({
      secretKey: env.STRIPE_SECRET_KEY,
      successUrl: required(env, 'CHECKOUT_SUCCESS_URL'),
      cancelUrl: required(env, 'CHECKOUT_CANCEL_URL'),
      invoices: flag(env, 'STRIPE_INVOICES'),
    });
  }
  if (env.SPHEREPAY_API_KEY) {
    checkout.usdc = new SpherepayCheckout({
      apiKey: env.SPHEREPAY_API_KEY,
      productId: required(env, 'SPHEREPAY_PRODUCT_ID'),
      ...(env.SPHEREPAY_BASE_URL ? { baseUrl: env.SPHEREPAY_BASE_URL } : {}),
    });
  }
  const cards = checkout.card instanceof StripeCheckout ? checkout.card : undefined;
  return {
    checkout,
    ...(cards ? { cards } : {}),
    limits: limitsFromEnv(env),
    webhookSecrets: {
      ...(env.STRIPE_WEBHOOK_SECRET ? { stripe: env.STRIPE_WEBHOOK_SECRET } : {}),
      ...(env.SPHEREPAY_WEBHOOK_SECRET ? { spherepay: env.SPHEREPAY_WEBHOOK_SECRET } : {}),
    },
  };
}

/** `true` or `false` (unset: false); anything else is a mistake worth failing on. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name] ?? '';
  if (value !== '' && value !== 'true' && value !== 'false') throw new Error(`${name} must be true or false`);
  return value === 'true';
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`${name} must be set when its payment provider is configured`);
  return value;
}
