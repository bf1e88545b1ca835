// Automatic top-up (SPEC §8): its settings, the saved card, and making each top-up's PaymentIntent.
// A top-up is started by the draft of the operation that causes it (Draft.maybeTopUp) as a
// purchase in that operation's transaction, waiting in the TOPUPQ work queue; after the commit
// (on AWS, by the webhook worker; locally, in process) the saved card is charged off session
// with the purchase id as the provider's idempotency key, so however often this runs for one
// top-up the card is charged once. The provider's payment events then settle the purchase like any
// other (applyPaymentEvent), which pays waiting charges oldest first.

import { type AutoTopUp, TOP_UP_AMOUNT } from '../account.js';
import { Conflict, InvalidRequest } from '../errors.js';
import { accountFromItem } from '../items/account.js';
import { purchaseFromItem, purchaseItems } from '../items/purchase.js';
import { log } from '../log.js';
import { formatMicros, type Micros, micros, ZERO } from '../money.js';
import type { SavedCardCharger } from '../payments/port.js';
import { accountOfPk, chargeQueueIndex, keys, SK_PREFIX } from '../table/keys.js';
import { fingerprint, type Ledger, run } from './ledger.js';

export interface AutoTopUpSettings {
  enabled: boolean;
  threshold: Micros;
  amount: Micros;
  monthlyLimit: Micros;
}

export interface AutoTopUpView extends AutoTopUpSettings {
  accountId: string;
  /** The saved card's label; null: none saved (auto top-up can not be enabled). */
  card: string | null;
  failuresInARow: number;
  topUpInFlight: boolean;
  /** Top-ups this month, the one in flight included. */
  spentThisMonth: Micros;
}

const DEFAULTS: AutoTopUp = {
  enabled: false,
  threshold: micros(10_000_000),
  amount: micros(50_000_000),
  monthlyLimit: micros(500_000_000),
  card: null,
  failures: 0,
  inFlight: null,
  month: '',
  spent: ZERO,
};

function view(accountId: string, settings: AutoTopUp | null, nowMs: number): AutoTopUpView {
  const s = settings ?? DEFAULTS;
  const month = new Date(nowMs).toISOString().slice(0, 7);
  return {
    accountId,
    enabled: s.enabled,
    threshold: s.threshold,
    amount: s.amount,
    monthlyLimit: s.monthlyLimit,
    card: s.card?.label ?? null,
    failuresInARow: s.failures,
    topUpInFlight: s.inFlight !== null,
    spentThisMonth: s.month === month ? s.spent : ZERO,
  };
}

export async function getAutoTopUp(ledger: Ledger, accountId: string): Promise<AutoTopUpView> {
  const item = await ledger.table.get(keys.account(accountId));
  return view(accountId, accountFromItem(accountId, item).autoTopUp, ledger.nowMs());
}

/**
 * Sets auto top-up. Enabling it needs a saved card, and clears the failures that turned it off.
 * If the balance is below the new threshold (or a charge is waiting), the first top-up starts in
 * this same transaction.
 */
export async function setAutoTopUp(
  ledger: Ledger,
  accountId: string,
  settings: AutoTopUpSettings,
): Promise<AutoTopUpView> {
  const { amount, threshold, monthlyLimit } = settings;
  if (amount < TOP_UP_AMOUNT.min || amount > TOP_UP_AMOUNT.max)
    throw new InvalidRequest(
      `amount must be between ${formatMicros(TOP_UP_AMOUNT.min)} and ${formatMicros(TOP_UP_AMOUNT.max)} credits`,
    );
  if (threshold < 0) throw new InvalidRequest('threshold can not be negative');
  if (monthlyLimit < amount) throw new InvalidRequest('monthlyLimit must be at least the amount of one top-up');
  return run(ledger, {
    name: 'setAutoTopUp',
    accountId,
    plan: (draft) => {
      const before = draft.state.autoTopUp ?? DEFAULTS;
      if (settings.enabled && !before.card)
        throw new Conflict('save a card first (POST /credits/auto-top-up/payment-method)');
      const turnedOn = settings.enabled && !before.enabled;
      draft.state.autoTopUp = { ...before, ...settings, failures: turnedOn ? 0 : before.failures };
      return view(accountId, draft.state.autoTopUp, draft.nowMs);
    },
  });
}

/** The card a completed setup saved: Stripe's customer and payment method ids, once per provider event. */
export async function saveCard(
  ledger: Ledger,
  input: { eventId: string; accountId: string; customerId: string; paymentMethodId: string; label: string },
): Promise<AutoTopUpView> {
  return run(ledger, {
    name: 'saveCard',
    accountId: input.accountId,
    idempotency: {
      scope: 'provider-event',
      key: `stripe:${input.eventId}`,
      fingerprint: fingerprint([input.customerId, input.paymentMethodId]),
      permanent: true,
    },
    plan: (draft) => {
      const card = { customerId: input.customerId, paymentMethodId: input.paymentMethodId, label: input.label };
      // A new card starts with a clean record: the failures were the old card's.
      draft.state.autoTopUp = { ...(draft.state.autoTopUp ?? DEFAULTS), card, failures: 0 };
      return view(input.accountId, draft.state.autoTopUp, draft.nowMs);
    },
  });
}

/** The Stripe customer of an account's saved card, so a new setup adds to it. */
export async function customerOf(ledger: Ledger, accountId: string): Promise<string | undefined> {
  const item = await ledger.table.get(keys.account(accountId));
  return accountFromItem(accountId, item).autoTopUp?.card?.customerId;
}

/**
 * Makes a started top-up's PaymentIntent, then takes the purchase out of the work queue. A purchase
 * that already has its intent, or ended, only leaves the queue. A provider failure leaves it there
 * for the sweep (the idempotency key makes the retry charge nothing twice).
 */
export async function requestTopUp(
  ledger: Ledger,
  charger: SavedCardCharger,
  accountId: string,
  purchaseId: string,
): Promise<'sent' | 'skipped'> {
  const item = await ledger.table.get(keys.purchase(accountId, purchaseId));
  if (!item) return 'skipped';
  const purchase = purchaseFromItem(item);
  const account = accountFromItem(accountId, await ledger.table.get(keys.account(accountId)));
  const card = account.autoTopUp?.card;
  if (!purchase.autoTopUp || purchase.status !== 'pending' || purchase.providerRef || !card) {
    await ledger.table.update(purchaseItems.topUpSent(accountId, purchaseId, purchase.providerRef ?? 'none'));
    return 'skipped';
  }
  const { paymentIntentId } = await charger.chargeSavedCard({
    purchaseId,
    accountId,
    amount: purchase.amount,
    customerId: card.customerId,
    paymentMethodId: card.paymentMethodId,
  });
  await ledger.table.update(purchaseItems.topUpSent(accountId, purchaseId, paymentIntentId));
  log().info('auto top-up requested', {
    accountId,
    purchaseId,
    paymentIntentId,
    amount: formatMicros(purchase.amount),
  });
  return 'sent';
}

/**
 * Top-ups still waiting for their PaymentIntent a minute after they started (a crash, a provider
 * outage), each handed to `send` (the queue whose worker calls requestTopUp).
 */
export async function sweepTopUps(
  ledger: Ledger,
  send: (accountId: string, purchaseId: string) => Promise<unknown>,
): Promise<number> {
  const due: { accountId: string; purchaseId: string }[] = [];
  await ledger.table.forEachDuePage(
    chargeQueueIndex,
    chargeQueueIndex.shards('TOPUPQ'),
    chargeQueueIndex.skUpTo(ledger.nowMs() - 60_000),
    async (page) => {
      for (const key of page)
        due.push({
          accountId: accountOfPk(key.pk),
          purchaseId: String(key.sk).slice(SK_PREFIX.purchase.length),
        });
    },
  );
  for (const { accountId, purchaseId } of due) await send(accountId, purchaseId);
  return due.length;
}
