// The nightly run's work on one account: every lot whose expiry instant has come loses what it has
// left, in one transaction with one `expiry` entry and a notification; lots 30 or 7 days from
// expiring get their notice, once each. Balances never counted expired credit anyway
// (account.isUsable); this makes the ledger say so. Running it again finds nothing to do.

import { type LotView, lotsWithEventsBy, type NoticeDays, noticeDue } from '../account.js';
import { lotItems } from '../items/lot.js';
import { formatMicros, type Micros, micros, sum } from '../money.js';
import { iso } from '../time.js';
import { run } from './commit.js';
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
    plan: (draft): ExpiryResult => {
      const now = draft.nowMs;
      const allDue = lotsWithEventsBy(draft.state, now).filter(
        (lot) => lot.expiresAtMs !== null && lot.expiresAtMs <= now && lot.remaining > 0,
      );
      const due = allDue.slice(0, MAX_LOTS_PER_EXPIRY);
      const dueIds = new Set(due.map((lot) => lot.lotId));
      draft.dropLots(dueIds);
      const amountExpired = sum(due.map((lot) => lot.remaining));
      for (const lot of due) {
        draft.write(lotItems.expired(accountId, lot.lotId, lot.remaining, draft.nowMs));
      }
      if (due.length > 0) {
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
      }

      const noticed = new Map<NoticeDays, LotView[]>();
      for (const lot of draft.state.lots) {
        const days = noticeDue(lot, now);
        if (days === null) continue;
        draft.noticeSent(lot.lotId, days);
        noticed.set(days, [...(noticed.get(days) ?? []), lot]);
      }
      for (const [days, lots] of noticed) {
        const parts = lots.map((lot) => `${formatMicros(lot.remaining)} on ${iso(lot.expiresAtMs!).slice(0, 10)}`);
        draft.event('credits.expiring', {
          amount: formatMicros(sum(lots.map((l) => l.remaining))),
          withinDays: days,
          lots: lots.length,
          firstExpiresAt: iso(Math.min(...lots.map((l) => l.expiresAtMs!))),
        });
        draft.notify(
          'credits_expiring',
          `${formatMicros(sum(lots.map((l) => l.remaining)))} credits expire within ${days} days: ${parts.join(', ')}.`,
        );
      }
      const notices = [...noticed.values()].reduce((n, lots) => n + lots.length, 0);
      return { accountId, lotsExpired: due.length, amountExpired, notices, more: allDue.length > due.length };
    },
  });
}
