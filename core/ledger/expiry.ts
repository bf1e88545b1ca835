// The nightly run's work on one account: every lot whose expiry instant has come loses what it has
// left, in one transaction with one `expiry` entry and a notification; lots 30 or 7 days from
// expiring get their notice, once each. Balances never counted expired credit anyway
// (account.isUsable); this makes the ledger say so. Running it again finds nothing to do.

import { LAST_NOTICE_DAYS, type LotView, lotsWithEventsBy, type NoticeDays, noticeDue } from '../account.js';
import { lotItems } from '../items/lot.js';
import { formatMicros, type Micros, micros, sum } from '../money.js';
import { iso } from '../time.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import { dailyUsage, forecastUnused } from './forecast.js';
import type { Ledger } from './ledger.js';

export interface ExpiryResult {
  accountId: string;
  lotsExpired: number;
  amountExpired: Micros;
  /** Lots that got an expiry notice (30 or 7 days before). */
  notices: number;
  /** True when more lots were due than one transaction holds; call again for the rest. */
  more: boolean;
}

/**
 * Lots expired per transaction: each writes its lot item and, on a heavy account, removes its
 * overflow item, leaving room for the account, the entry and the notifications.
 */
export const MAX_LOTS_PER_EXPIRY = 45;

export async function expireDueLots(ledger: Ledger, accountId: string): Promise<ExpiryResult> {
  return run(ledger, {
    name: 'expireDueLots',
    accountId,
    plan: async (draft): Promise<ExpiryResult> => {
      const now = draft.nowMs;
      const allDue = lotsWithEventsBy(draft.state, now).filter(
        (lot) => lot.expiresAtMs !== null && lot.expiresAtMs <= now && lot.remaining > 0,
      );
      const due = allDue.slice(0, MAX_LOTS_PER_EXPIRY);
      const { amountExpired } = expire(draft, due);
      // The 7-day notice goes out only for credit the usage of the last 30 days would leave unspent.
      const lastNoticeDue = draft.state.lots.some((lot) => noticeDue(lot, now) === LAST_NOTICE_DAYS);
      const unused = lastNoticeDue
        ? forecastUnused(draft.state, now, await dailyUsage(ledger, draft.state, now))
        : new Map<string, Micros>();
      const notices = sendNotices(draft, unused);
      return { accountId, lotsExpired: due.length, amountExpired, notices, more: allDue.length > due.length };
    },
  });
}

/** Removes what the due lots hold, with one `expiry` entry. */
function expire(draft: Draft, due: readonly LotView[]): { amountExpired: Micros } {
  draft.dropLots(new Set(due.map((lot) => lot.lotId)));
  const amountExpired = sum(due.map((lot) => lot.remaining));
  for (const lot of due) draft.write(lotItems.expired(draft.accountId, lot.lotId, lot.remaining, draft.nowMs));
  if (due.length === 0) return { amountExpired };
  draft.entry({
    type: 'expiry',
    amount: micros(-amountExpired),
    reference: due
      .map((lot) => lot.lotId)
      .join(',')
      .slice(0, 900),
    description: `${due.length} lot${due.length === 1 ? '' : 's'} expired`,
    lots: due.map((lot) => ({ lotId: lot.lotId, amount: lot.remaining })),
  });
  draft.event('credits.expired', { amount: formatMicros(amountExpired), lots: due.length });
  draft.notify('credits_expired', `${formatMicros(amountExpired)} credits expired.`);
  return { amountExpired };
}

/**
 * The notices due: 30 days before, always; 7 days before, only for lots the forecast leaves
 * credit unspent in (`unused`), saying how much. Each lot's notice is decided once either way.
 * Answers how many lots were told of.
 */
function sendNotices(draft: Draft, unused: ReadonlyMap<string, Micros>): number {
  const noticed = new Map<NoticeDays, LotView[]>();
  for (const lot of draft.state.lots) {
    const days = noticeDue(lot, draft.nowMs);
    if (days === null) continue;
    draft.noticeSent(lot.lotId, days);
    if (days === LAST_NOTICE_DAYS && (unused.get(lot.lotId) ?? lot.remaining) === 0) continue;
    noticed.set(days, [...(noticed.get(days) ?? []), lot]);
  }
  for (const [days, lots] of noticed) {
    const amount = formatMicros(sum(lots.map((l) => l.remaining)));
    const parts = lots.map((lot) => `${formatMicros(lot.remaining)} on ${iso(lot.expiresAtMs ?? 0).slice(0, 10)}`);
    const lost = sum(lots.map((lot) => unused.get(lot.lotId) ?? lot.remaining));
    const forecast =
      days === LAST_NOTICE_DAYS ? ` At your current usage ${formatMicros(lost)} of it will go unused.` : '';
    draft.event('credits.expiring', {
      amount,
      withinDays: days,
      lots: lots.length,
      firstExpiresAt: iso(Math.min(...lots.map((l) => l.expiresAtMs ?? Number.POSITIVE_INFINITY))),
      ...(days === LAST_NOTICE_DAYS ? { forecastUnused: formatMicros(lost) } : {}),
    });
    draft.notify('credits_expiring', `${amount} credits expire within ${days} days: ${parts.join(', ')}.${forecast}`);
  }
  return [...noticed.values()].reduce((n, lots) => n + lots.length, 0);
}
