// The local stand-ins for Stripe Checkout and Spherepay payment links, used by `npm start` when a
// method has no provider keys: a checkout is a page on the local server (local-checkout.ts) whose
// Pay button makes the server send itself the provider's signed webhook (local-events.ts). For auto
// top-up it also stands in for a saved card: setup sessions offering Stripe's test cards (one that
// pays, one that is declined, one that needs authentication), and off-session charges whose outcome
// arrives as a signed `payment_intent.*` webhook. Every payment taken is kept by the stand-ins
// (provider-stand-ins.ts), which answer the providers' list calls for the daily close. Never deployed.

import { randomBytes } from 'node:crypto';
import { Conflict, NotFound } from '../../core/errors.js';
import { ulidOf } from '../../core/ids.js';
import { type PaymentMethod, PROVIDER_OF, type ProviderName } from '../../core/items/purchase.js';
import type { PaymentDetails } from '../../core/items/receipt.js';
import type { Micros } from '../../core/money.js';
import type { Checkout, CheckoutProvider, CheckoutRequest, SavedCardCharger } from '../../core/payments/port.js';
import { type Payments, paymentsFromEnv } from '../http/payments.js';
import { localIntentEvent, localProviderRef, sendToSelf } from './local-events.js';
import { ProviderStandIns } from './provider-stand-ins.js';

export class LocalCheckout implements CheckoutProvider, SavedCardCharger {
  readonly name: ProviderName;
  /** The local server's base URL, set once it listens. */
  serverUrl = 'http://127.0.0.1:3000';
  /** Signs the events it sends the server (set by localPayments). */
  webhookSecret = '';
  /** Where the payments it takes are kept and listed (set by localPayments). */
  standIns: ProviderStandIns | undefined;
  /** The ledger's clock, so a payment is kept at the instant the ledger sees it (set by the server). */
  nowMs: () => number = Date.now;
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

  /**
   * Local payments are made with Stripe's test Visa (the only test card whose payments succeed);
   * so is any payment the local server is told of, since it stands in for Stripe.
   */
  async describePayment(_paymentIntentId: string): Promise<PaymentDetails | undefined> {
    return { kind: 'card', brand: 'visa', last4: LOCAL_TEST_CARDS.pm_card_visa.last4 };
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
    if (card && !card.failure)
      this.standIns?.stores.stripe.chargeCheckout({
        purchaseId: request.purchaseId,
        accountId: request.accountId,
        amount: request.amount,
        createdAtMs: this.nowMs(),
        metadata: { autoTopUp: 'true' },
      });
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

const standInsOfPayments = new WeakMap<Payments, ProviderStandIns>();

/** The stand-ins of the local server's payments (they listen once the server does). */
export function standInsOf(payments: Payments): ProviderStandIns | undefined {
  return standInsOfPayments.get(payments);
}

/**
 * Payments for the local server: the real provider where its keys are set, the local checkout
 * otherwise; webhook secrets from the environment or made up for this run. The stand-ins keep
 * what they take in `standInsDir` (`.data/stand-ins` under `npm start`), or in memory without it.
 */
export function localPayments(env: NodeJS.ProcessEnv, options: { standInsDir?: string } = {}): Payments {
  const real = paymentsFromEnv(env);
  const webhookSecrets = {
    stripe: real.webhookSecrets.stripe ?? `whsec_${randomBytes(24).toString('hex')}`,
    spherepay: real.webhookSecrets.spherepay ?? randomBytes(32).toString('hex'),
  };
  const localCard = new LocalCheckout('card');
  localCard.webhookSecret = webhookSecrets.stripe;
  const localUsdc = new LocalCheckout('usdc');
  const stoodIn = new Set<ProviderName>([
    ...(real.checkout.card ? [] : ['stripe' as const]),
    ...(real.checkout.usdc ? [] : ['spherepay' as const]),
  ]);
  const standIns = new ProviderStandIns(stoodIn, options.standInsDir);
  localCard.standIns = standIns;
  localUsdc.standIns = standIns;
  const payments: Payments = {
    checkout: {
      card: real.checkout.card ?? localCard,
      usdc: real.checkout.usdc ?? localUsdc,
    },
    cards: real.cards ?? localCard,
    limits: real.limits,
    webhookSecrets,
  };
  standInsOfPayments.set(payments, standIns);
  return payments;
}
