// Money: every amount is an integer count of micro-credits (1 credit = 1 USD = 1,000,000 micros).
// This module is the only place that turns text into amounts and amounts into text; no float ever
// touches an amount. Micros are plain safe integers, branded so a count of seconds or items can
// not be passed where an amount is expected.

import { assert } from './assert.js';
import { InvalidRequest } from './errors.js';

export type Micros = number & { readonly __brand: 'Micros' };

export const MICROS_PER_CREDIT = 1_000_000;
export const MICROS_PER_CENT = 10_000;
/** The largest amount the API accepts in one request: 1,000,000,000 credits. */
export const MAX_AMOUNT_MICROS = micros(1_000_000_000 * MICROS_PER_CREDIT);
export const ZERO = micros(0);

const DECIMAL = /^(-)?(\d+)(?:\.(\d{1,6}))?$/;
const MAX_INTEGER_DIGITS = 10; // 1,000,000,000 has ten digits; more is refused before arithmetic.

/** Brands an integer as micros; throws on anything that is not a safe integer. */
export function micros(value: number): Micros {
  assert(Number.isSafeInteger(value), `micros must be a safe integer, got ${value}`);
  return value as Micros;
}

/**
 * Reads a decimal string ("12.50", "0.000125", "-3") into micros. Refuses exponents, NaN,
 * Infinity, empty strings, signs other than a leading '-', more than 6 fractional digits, and
 * magnitudes over 1,000,000,000 credits. JSON numbers must be passed as their source text.
 */
export function parseMicros(text: string, field = 'amount'): Micros {
  if (typeof text !== 'string') throw new InvalidRequest(`${field} must be a decimal string`);
  const match = DECIMAL.exec(text);
  if (!match)
    throw new InvalidRequest(
      `${field} must be a decimal with at most 6 fractional digits, got ${JSON.stringify(text.slice(0, 40))}`,
    );
  const [, sign, whole = '', fraction = ''] = match;
  const wholeDigits = whole.replace(/^0+(?=\d)/, '');
  if (wholeDigits.length > MAX_INTEGER_DIGITS) throw new InvalidRequest(`${field} is over 1,000,000,000 credits`);
  const magnitude = Number(wholeDigits) * MICROS_PER_CREDIT + Number(fraction.padEnd(6, '0'));
  if (magnitude > MAX_AMOUNT_MICROS) throw new InvalidRequest(`${field} is over 1,000,000,000 credits`);
  return micros(sign && magnitude !== 0 ? -magnitude : magnitude);
}

/** Like parseMicros, and the amount must be above zero. */
export function parsePositiveMicros(text: string, field = 'amount'): Micros {
  const value = parseMicros(text, field);
  if (value <= 0) throw new InvalidRequest(`${field} must be greater than zero`);
  return value;
}

/** Like parsePositiveMicros, and the amount must be whole cents (purchases, grants, withdrawals). */
export function parseCents(text: string, field = 'amount'): Micros {
  const value = parsePositiveMicros(text, field);
  if (value % MICROS_PER_CENT !== 0) throw new InvalidRequest(`${field} must be whole cents`);
  return value;
}

/**
 * Reads an integer count of cents from a payment provider (Stripe's smallest USD unit) into
 * micros. Refuses anything that is not a whole, non-negative count or that is over the largest
 * amount the ledger accepts, before any arithmetic can leave the safe integers.
 */
export function microsFromCents(cents: unknown, field = 'amount'): Micros {
  if (typeof cents !== 'number' || !Number.isSafeInteger(cents) || cents < 0)
    throw new InvalidRequest(`${field} must be a whole number of cents, got ${String(cents).slice(0, 40)}`);
  if (cents > MAX_AMOUNT_MICROS / MICROS_PER_CENT) throw new InvalidRequest(`${field} is over 1,000,000,000 credits`);
  return micros(cents * MICROS_PER_CENT);
}

/** Whole cents of an amount, for providers that take the smallest currency unit. */
export function centsOf(amount: Micros): number {
  if (amount % MICROS_PER_CENT !== 0) throw new InvalidRequest('the amount is not whole cents');
  return amount / MICROS_PER_CENT;
}

/** Writes micros as a decimal string with at least two and at most six fractional digits. */
export function formatMicros(value: Micros): string {
  assert(Number.isSafeInteger(value), `cannot format ${value}`);
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  const whole = Math.floor(magnitude / MICROS_PER_CREDIT);
  let fraction = String(magnitude % MICROS_PER_CREDIT).padStart(6, '0');
  while (fraction.length > 2 && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${sign}${whole}.${fraction}`;
}

export function add(a: Micros, b: Micros): Micros {
  return micros(a + b);
}

export function sub(a: Micros, b: Micros): Micros {
  return micros(a - b);
}

export function min(a: Micros, b: Micros): Micros {
  return a < b ? a : b;
}

export function max(a: Micros, b: Micros): Micros {
  return a > b ? a : b;
}

export function sum(values: Iterable<Micros>): Micros {
  let total = 0;
  for (const value of values) total += value;
  return micros(total);
}
