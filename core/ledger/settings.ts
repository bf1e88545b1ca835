// The account's settings, changed by their owner: the low-balance alert's threshold (SPEC §8), auto
// top-up's settings, and the card saved for it (once per provider event). What the settings make
// happen is decided elsewhere: when alerts fire (alerts.ts), when a top-up starts (auto-top-up.ts).

import { Conflict, InvalidRequest } from '../errors.js';
import { formatMicros, MAX_AMOUNT_MICROS, MICROS_PER_CENT, type Micros } from '../money.js';
import { TOP_UP_AMOUNT, withinLimits } from '../purchase-limits.js';
import { type AlertSettings, alertedAtNewThreshold } from './alerts.js';
import { AUTO_TOP_UP_DEFAULTS, type AutoTopUpSettings, type AutoTopUpView, autoTopUpView } from './auto-top-up.js';
import { run } from './commit.js';
import { fingerprint, type Ledger } from './ledger.js';

/**
 * Sets the low-balance threshold. Setting it above the current balance alerts nobody (no operation
 * took the balance across it): the alert waits for the balance to be back at or above it and fall
 * again.
 */
export async function setLowBalanceThreshold(
  ledger: Ledger,
  accountId: string,
  threshold: Micros | null,
): Promise<AlertSettings> {
  if (threshold !== null && (threshold < 0 || threshold > MAX_AMOUNT_MICROS))
    throw new InvalidRequest('lowBalanceThreshold must be between 0 and the largest amount, or null');
  return run(ledger, {
    name: 'setLowBalanceThreshold',
    accountId,
    plan: (draft) => {
      draft.setLowBalanceThreshold(threshold);
      draft.setAlerted({ lowBalance: alertedAtNewThreshold(draft, threshold) });
      return { accountId, lowBalanceThreshold: threshold };
    },
  });
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
  if (!withinLimits(amount, TOP_UP_AMOUNT))
    throw new InvalidRequest(
      `amount must be between ${formatMicros(TOP_UP_AMOUNT.min)} and ${formatMicros(TOP_UP_AMOUNT.max)} credits`,
    );
  if (threshold < 0) throw new InvalidRequest('threshold can not be negative');
  for (const [field, value] of Object.entries({ threshold, amount, monthlyLimit }))
    if (value % MICROS_PER_CENT !== 0) throw new InvalidRequest(`${field} must be whole cents`);
  if (monthlyLimit < amount) throw new InvalidRequest('monthlyLimit must be at least the amount of one top-up');
  return run(ledger, {
    name: 'setAutoTopUp',
    accountId,
    plan: (draft) => {
      const before = draft.state.autoTopUp ?? AUTO_TOP_UP_DEFAULTS;
      if (settings.enabled && !before.card)
        throw new Conflict('save a card first (POST /credits/auto-top-up/payment-method)');
      const turnedOn = settings.enabled && !before.enabled;
      const after = { ...before, ...settings, failures: turnedOn ? 0 : before.failures };
      draft.setAutoTopUp(after);
      return autoTopUpView(accountId, after, draft.nowMs);
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
      const after = { ...(draft.state.autoTopUp ?? AUTO_TOP_UP_DEFAULTS), card, failures: 0 };
      draft.setAutoTopUp(after);
      return autoTopUpView(input.accountId, after, draft.nowMs);
    },
  });
}
