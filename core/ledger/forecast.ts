// Will credit that expires soon be used in time (SPEC §10)? For each lot expiring within 30 days,
// the part the account's average daily usage over the last 30 days would leave unspent at its
// expiry: each product's daily net usage taken, in consumption order, from the lots that may pay
// it, until the lot expires. The balance shows it beside the lot; the 7-day expiry notice goes out
// only when it is above zero, and says it.
//
//   now ───────────── expiry of lot A ──────────── expiry of lot B ──► (30 days at most)
//        each product takes its daily usage × the time, from the lots that may pay it, in order;
//        what lot A holds when it expires is A's forecastUnused

import {
  type AccountView,
  compareConsumption,
  EXPIRING_SOON_DAYS,
  isUsable,
  type LiveLot,
  mayPay,
} from '../account.js';
import { type Micros, micros, min, ZERO } from '../money.js';
import { PRODUCTS, type Product } from '../products.js';
import { DAY_MS } from '../time.js';
import type { Ledger } from './ledger.js';
import { usage } from './usage.js';

/** The window the average daily usage is taken over. */
export const FORECAST_USAGE_DAYS = 30;

export type DailyUsage = Partial<Record<Product, Micros>>;

/**
 * Each product's average daily net usage (usage less refunds, never below zero) over the last 30
 * days, for the account as just read: one query of at most 31 rollup items.
 */
export async function dailyUsage(ledger: Ledger, account: AccountView, nowMs: number): Promise<DailyUsage> {
  const { total } = await usage(
    ledger,
    {
      accountId: account.accountId,
      fromMs: nowMs - FORECAST_USAGE_DAYS * DAY_MS,
      toMs: nowMs,
      granularity: 'day',
      groupBy: 'product',
    },
    account,
  );
  const rates: DailyUsage = {};
  for (const product of PRODUCTS) {
    const net = total.byProduct?.[product]?.net ?? ZERO;
    if (net > 0) rates[product] = micros(Math.floor(net / FORECAST_USAGE_DAYS));
  }
  return rates;
}

/** What each lot expiring within 30 days would hold, unused, when it expires (lots are copied, not changed). */
export function forecastUnused(state: AccountView, nowMs: number, rates: DailyUsage): Map<string, Micros> {
  const horizon = nowMs + EXPIRING_SOON_DAYS * DAY_MS;
  const lots: LiveLot[] = state.lots
    .filter((lot) => isUsable(lot, nowMs))
    .map((lot) => ({ ...lot }))
    .sort(compareConsumption);
  const expiring = lots.filter((lot) => lot.expiresAtMs !== null && lot.expiresAtMs <= horizon);
  const unused = new Map<string, Micros>();
  let at = nowMs;
  for (const lot of expiring.sort((a, b) => (a.expiresAtMs ?? 0) - (b.expiresAtMs ?? 0))) {
    const until = lot.expiresAtMs ?? horizon;
    spend(lots, rates, at, until);
    unused.set(lot.lotId, lot.remaining);
    at = until;
  }
  return unused;
}

/**
 * Each product's usage from `fromMs` to `toMs`, taken from the lots still live then that may pay
 * it, in consumption order; the products take their shares one after another in catalog order.
 */
function spend(lots: LiveLot[], rates: DailyUsage, fromMs: number, toMs: number): void {
  if (toMs <= fromMs) return;
  for (const product of PRODUCTS) {
    let need = micros(Math.floor(((rates[product] ?? ZERO) * (toMs - fromMs)) / DAY_MS));
    for (const lot of lots) {
      if (need === 0) break;
      if (!mayPay(lot, product) || (lot.expiresAtMs !== null && lot.expiresAtMs <= fromMs)) continue;
      const taken = min(lot.remaining, need);
      lot.remaining = micros(lot.remaining - taken);
      need = micros(need - taken);
    }
  }
}
