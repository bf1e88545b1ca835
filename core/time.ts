// Time: the clock port and the calendar rules of the ledger, all in UTC and epoch milliseconds.

import { assert } from './assert.js';

export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that moves only when told to, like Stripe's test clocks; used by tests and local mode. */
export class ManualClock implements Clock {
  constructor(private currentMs: number) {}
  nowMs(): number {
    return this.currentMs;
  }
  set(ms: number): void {
    this.currentMs = ms;
  }
  advance(ms: number): void {
    assert(ms >= 0, 'a manual clock only moves forward');
    this.currentMs += ms;
  }
}

export function isManualClock(clock: Clock): clock is ManualClock {
  return clock instanceof ManualClock;
}

export const SECOND_MS = 1_000;
export const DAY_MS = 86_400_000;

/**
 * The same instant `months` calendar months later; a day that month lacks becomes its last day
 * (2026-01-31 + 1 → 2026-02-28; 2028-02-29 + 12 → 2029-02-28).
 */
export function addCalendarMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const targetMonthIndex = date.getUTCMonth() + months;
  const year = date.getUTCFullYear() + Math.floor(targetMonthIndex / 12);
  const month = ((targetMonthIndex % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(date.getUTCDate(), lastDay);
  return Date.UTC(
    year,
    month,
    day,
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

const MAX_BUSINESS_DAYS = 366;

/** The same time of day `days` business days (Monday to Friday, UTC) later. */
export function addBusinessDays(ms: number, days: number): number {
  assert(days >= 0 && days <= MAX_BUSINESS_DAYS, `business days out of range: ${days}`);
  let result = ms;
  let left = days;
  while (left > 0) {
    result += DAY_MS;
    const weekday = new Date(result).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return result;
}

export function startOfUtcDay(ms: number): number {
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

export function startOfUtcMonth(ms: number): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The UTC day of an instant, YYYY-MM-DD. */
export function utcDay(ms: number): string {
  return iso(ms).slice(0, 10);
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

/**
 * Reads an ISO-8601 date (midnight UTC) or timestamp with a zone. Refuses anything Date would
 * guess at, such as 2026-02-30 (which Date.parse turns into March 2nd) or an hour of 24.
 */
export function parseIso(text: string): number | undefined {
  const match = ISO.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHours = 0, offsetMinutes = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isFinite(ms) ? ms : undefined;
}
