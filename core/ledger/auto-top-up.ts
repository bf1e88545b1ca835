// When an automatic top-up starts and for how much, and what its end does (SPEC §8). A top-up is
// started by the engine after an operation's plan (commit.ts) when the change leaves the balance
// below the threshold or a charge waiting for credit: a purchase written in that operation's
// transaction, waiting in the TOPUPQ work queue. After the commit its PaymentIntent is made with
// the purchase id as the provider's idempotency key (payments/top-ups.ts), and the provider's
// payment events settle the purchase like any other (purchases.applyPaymentEvent), which ends the
// top-up here and pays waiting charges oldest first. The settings and the saved card are changed
// by their owner (settings.ts).

import { type AutoTopUp, MAX_TOP_UP_FAILURES } from '../account.js';
import { accountFromItem } from '../items/account.js';
import { type Purchase, purchaseItems } from '../items/purchase.js';
import {
  formatMicros,
  MICROS_PER_CENT,
  MICROS_PER_CREDIT,
  type Micros,
  max,
  micros,
  min,
  sum,
  ZERO,
} from '../money.js';
import { TOP_UP_AMOUNT } from '../purchase-limits.js';
import { keys } from '../table/keys.js';
import type { Draft } from './draft.js';
import type { Ledger } from './ledger.js';

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

/**
 * What an account that never saved settings is offered: values a person would choose (below 10.00,
 * top up by 50.00, at most 500.00 a month), off until they turn it on.
 */
export const AUTO_TOP_UP_DEFAULTS: AutoTopUp = {
  enabled: false,
  threshold: micros(10 * MICROS_PER_CREDIT),
  amount: micros(50 * MICROS_PER_CREDIT),
  monthlyLimit: micros(500 * MICROS_PER_CREDIT),
  card: null,
  failures: 0,
  inFlight: null,
  month: '',
  spent: ZERO,
};

export function autoTopUpView(accountId: string, settings: AutoTopUp | null, nowMs: number): AutoTopUpView {
  const s = settings ?? AUTO_TOP_UP_DEFAULTS;
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
  return autoTopUpView(accountId, accountFromItem(accountId, item).autoTopUp, ledger.nowMs());
}

/** The Stripe customer of an account's saved card, so a new setup adds to it. */
export async function customerOf(ledger: Ledger, accountId: string): Promise<string | undefined> {
  const item = await ledger.table.get(keys.account(accountId));
  return accountFromItem(accountId, item).autoTopUp?.card?.customerId;
}

/**
 * Starts an automatic top-up when this change leaves the balance below its threshold or a charge
 * waiting for credit, unless one is in flight, a top-up failed in this same transaction, or this
 * month's limit would be passed. The top-up is a purchase written in this transaction; its amount
 * covers the waiting charges' shortfall without the allowance (rounded up to the cent) when that
 * is more than the configured amount. A top-up that would pass the month's limit is not made at
 * all: the charges wait and, without other credit, fail at their deadlines.
 */
export function startTopUpIfDue(draft: Draft): void {
  const settings = draft.state.autoTopUp;
  if (!settings?.enabled || !settings.card || settings.inFlight || draft.holdsTopUps) return;
  const balance = draft.balance();
  const waiting = sum(draft.state.pending.map((c) => c.amount));
  if (balance >= settings.threshold && waiting === 0) return;
  // The waiting charges' shortfall as the check states it: the allowance is the last resort, so a
  // top-up made for them covers them on its own (one card payment, not one now and more later).
  const shortfall = max(ZERO, micros(waiting - balance));
  const amount = min(TOP_UP_AMOUNT.max, max(settings.amount, roundUpToCent(shortfall)));
  const month = draft.now.slice(0, 7);
  const spent = settings.month === month ? settings.spent : ZERO;
  if (spent + amount > settings.monthlyLimit) return;
  const purchase: Purchase = {
    purchaseId: draft.id('pu'),
    accountId: draft.accountId,
    status: 'pending',
    amount,
    method: 'card',
    provider: 'stripe',
    createdAt: draft.now,
    updatedAt: draft.now,
    autoTopUp: true,
  };
  draft.write(purchaseItems.topUpRequested(purchase, draft.nowMs));
  draft.write(purchaseItems.lookup(purchase));
  draft.setAutoTopUp({ ...settings, inFlight: purchase.purchaseId, month, spent: micros(spent + amount) });
  draft.topUpStarted({ accountId: draft.accountId, purchaseId: purchase.purchaseId });
}

/**
 * An automatic top-up ended: it is no longer in flight; a success clears the failures, a failure
 * tells the user why, gives its amount back to the month's limit, and the third in a row turns
 * auto top-up off. After a failure no new top-up starts in the same transaction.
 */
export function topUpEnded(
  draft: Draft,
  purchase: Purchase,
  end: { paid: true } | { paid: false; reason?: string },
): void {
  const settings = draft.state.autoTopUp;
  if (!settings) return;
  const inFlight = settings.inFlight === purchase.purchaseId ? null : settings.inFlight;
  const amount = formatMicros(purchase.amount);
  if (end.paid) {
    draft.setAutoTopUp({ ...settings, failures: 0, inFlight });
    draft.event('auto_top_up.succeeded', { purchaseId: purchase.purchaseId, amount });
    return;
  }
  const failures = settings.failures + 1;
  const sameMonth = settings.month === purchase.createdAt.slice(0, 7);
  const turnedOff = failures >= MAX_TOP_UP_FAILURES;
  draft.setAutoTopUp({
    ...settings,
    failures,
    enabled: settings.enabled && !turnedOff,
    inFlight,
    spent: sameMonth ? max(ZERO, micros(settings.spent - purchase.amount)) : settings.spent,
  });
  draft.holdTopUps();
  const why = end.reason ? ` (${end.reason.replace(/_/g, ' ')})` : '';
  draft.event('auto_top_up.failed', {
    purchaseId: purchase.purchaseId,
    amount,
    reason: end.reason ?? null,
    failuresInARow: failures,
    turnedOff,
  });
  draft.notify('top_up_failed', `The automatic top-up of ${amount} credits failed${why}: the card was not charged.`);
  if (turnedOff)
    draft.notify(
      'auto_top_up_disabled',
      `Auto top-up is off: ${failures} top-ups in a row failed${why}. Update your card and turn it on again.`,
    );
}

function roundUpToCent(amount: Micros): Micros {
  return micros(Math.ceil(amount / MICROS_PER_CENT) * MICROS_PER_CENT);
}
