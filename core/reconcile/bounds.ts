// The limits every provider list call of reconciliation keeps (SPEC §12): a bound on the pages read
// (past it the adapter throws, so a partial period is never reported as complete), a token bucket
// under the provider's rate limit, a bounded number of retries, and a timeout per call. The
// adapters (stripe.ts, spherepay.ts) take these as options so tests can make them small.

import { assert } from '../assert.js';
import type { ProviderName } from '../items/purchase.js';
import type { Period } from './port.js';

export interface ActivityLimits {
  /** Pages read per list (each of `pageSize` objects) before the adapter gives up. */
  maxPages: number;
  /** Objects asked for per page (Stripe's most is 100). */
  pageSize: number;
  /** Calls per second the adapter keeps under, on average, with bursts of `burst`. */
  ratePerSecond: number;
  burst: number;
  /** How long one call may take, each retry included separately. */
  timeoutMs: number;
  /** Retries of one call that failed in a way worth retrying (429, 5xx, no answer). */
  retries: number;
  /** The first retry's wait; each later one doubles it, up to `maxRetryDelayMs`. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** 1,000 pages of 100: 100,000 payments in one period, ten days of 10,000 a day. */
export const MAX_PAGES = 1_000;
export const PAGE_SIZE = 100;
export const TIMEOUT_MS = 10_000;
export const RETRIES = 3;
export const RETRY_DELAY_MS = 500;
export const MAX_RETRY_DELAY_MS = 8_000;

/** A list longer than the page bound: the period is not read, rather than read in part. */
export class ActivityTooLarge extends Error {
  override name = 'ActivityTooLarge';
  constructor(
    readonly provider: ProviderName,
    readonly list: string,
    readonly maxPages: number,
  ) {
    super(
      `${provider} ${list} for the period is longer than ${maxPages} pages: the period is not reconciled ` +
        'rather than reconciled in part; close a shorter period or raise the bound',
    );
  }
}

/** Checks a period before it is asked for: whole milliseconds, not empty, not reversed. */
export function assertPeriod(period: Period): void {
  assert(Number.isSafeInteger(period.fromMs) && Number.isSafeInteger(period.toMs), 'a period is whole milliseconds');
  assert(period.fromMs < period.toMs, `the period ${period.fromMs}..${period.toMs} is empty or reversed`);
}

/**
 * A token bucket: `acquire` resolves when a call may be made. Single-threaded use per adapter (the
 * lists are read one page after another), so no queue is needed.
 */
export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    assert(ratePerSecond > 0 && burst >= 1, 'a token bucket refills and holds at least one call');
    this.tokens = burst;
    this.lastMs = nowMs();
  }

  async acquire(): Promise<void> {
    const now = this.nowMs();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastMs) * this.ratePerSecond) / 1000);
    this.lastMs = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return;
    }
    const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
    await sleep(waitMs);
    this.tokens = 0;
    this.lastMs = this.nowMs();
  }
}

/** The wait before retry `attempt` (1, 2, …): doubling from the first delay, capped. */
export function backoffMs(limits: Pick<ActivityLimits, 'retryDelayMs' | 'maxRetryDelayMs'>, attempt: number): number {
  return Math.min(limits.maxRetryDelayMs, limits.retryDelayMs * 2 ** (attempt - 1));
}

/**
 * Reads a cursor-paged list to its end, one page after another, throwing ActivityTooLarge when
 * the list does not end within `maxPages`. Answers the items and the pages read (each one call).
 */
export async function readAllPages<T, C>(
  readPage: (cursor: C | undefined) => Promise<{ items: T[]; next: C | undefined }>,
  bound: { provider: ProviderName; list: string; maxPages: number },
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: C | undefined;
  for (let pages = 1; pages <= bound.maxPages; pages += 1) {
    const page = await readPage(cursor);
    items.push(...page.items);
    if (page.next === undefined) return { items, pages };
    cursor = page.next;
  }
  throw new ActivityTooLarge(bound.provider, bound.list, bound.maxPages);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
