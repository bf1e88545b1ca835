// Expiring an account's due lots: every lot whose expiry instant has come loses what it has
// left, in one transaction with one `expiry` entry. Balances never counted that credit anyway
// (account.isUsable); this makes the ledger say so. Running it again finds nothing to do.

import { formatMicros, type Micros, micros, sum } from '../money.js';
import { keys } from '../table/keys.js';
import { type Ledger, run } from './ledger.js';

export interface ExpiryResult {
  accountId: string;
  lotsExpired: number;
  amountExpired: Micros;
  /** True when more lots were due than one transaction holds; call again for the rest. */
  more: boolean;
}

/** Lots expired per transaction, leaving room for the account, entry and notification. */
export const MAX_LOTS_PER_EXPIRY = 90;

export async function expireDueLots(ledger: Ledger, accountId: string): Promise<ExpiryResult> {
  return run(ledger, {
    name: 'expireDueLots',
    accountId,
    plan: (draft): ExpiryResult => {
      const allDue = draft.state.lots.filter((lot) => lot.expiresAtMs !== null && lot.expiresAtMs <= draft.nowMs && lot.remaining > 0);
      if (allDue.length === 0) return { accountId, lotsExpired: 0, amountExpired: micros(0), more: false };
      const due = allDue.slice(0, MAX_LOTS_PER_EXPIRY);
      const dueIds = new Set(due.map((lot) => lot.lotId));
      draft.state.lots = draft.state.lots.filter((lot) => !dueIds.has(lot.lotId));
      const amountExpired = sum(due.map((lot) => lot.remaining));
      for (const lot of due) {
        draft.write({
          Update: {
            Key: keys.lot(accountId, lot.lotId),
            UpdateExpression: 'SET expired = :remaining, expiredAt = :now',
            ExpressionAttributeValues: { ':remaining': lot.remaining, ':now': draft.now },
          },
        });
      }
      draft.entry({
        type: 'expiry',
        amount: micros(-amountExpired),
        reference: due.map((lot) => lot.lotId).join(',').slice(0, 900),
        description: `${due.length} lot${due.length === 1 ? '' : 's'} expired`,
        lots: due.map((lot) => ({ lotId: lot.lotId, amount: lot.remaining })),
      });
      draft.notify('credits_expired', `${formatMicros(amountExpired)} credits expired.`);
      return { accountId, lotsExpired: due.length, amountExpired, more: allDue.length > due.length };
    },
  });
}
