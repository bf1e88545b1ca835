// What one purchase may be (SPEC §7): 5.00 to 10,000.00 credits in whole cents, unless the
// deployment sets PURCHASE_MIN_AMOUNT and PURCHASE_MAX_AMOUNT. An automatic top-up's configured
// amount keeps to the default bounds (SPEC §8). The API answers both (GET /credits/limits), and the
// app reads them there, so no other module spells them.

import { MICROS_PER_CREDIT, type Micros, micros } from './money.js';

export interface PurchaseLimits {
  min: Micros;
  max: Micros;
}

export const DEFAULT_PURCHASE_LIMITS: PurchaseLimits = {
  min: micros(5 * MICROS_PER_CREDIT),
  max: micros(10_000 * MICROS_PER_CREDIT),
};

/** What one automatic top-up may be configured to: the default purchase bounds (SPEC §8). */
export const TOP_UP_AMOUNT: PurchaseLimits = DEFAULT_PURCHASE_LIMITS;

export function withinLimits(amount: Micros, limits: PurchaseLimits): boolean {
  return amount >= limits.min && amount <= limits.max;
}
