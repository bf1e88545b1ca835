// The end of a charge waiting for credit: its grace deadline (paid if credit now covers it, else
// failed) or the user's cancel. Either way younger waiting charges may now fit, so they are settled
// (pending.ts). The deadline handler is idempotent: a charge already paid, failed or cancelled is
// left alone.

import { Conflict } from '../errors.js';
import { type Charge, type ChargeStatus, chargeItems } from '../items/charge.js';
import { formatMicros } from '../money.js';
import { getCharge } from './charge.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import type { Ledger } from './ledger.js';
import { payWaitingCharge } from './pay.js';
import { settlePending } from './pending.js';

export interface PendingOutcome {
  chargeId: string;
  status: ChargeStatus;
  /** False when the call found nothing to do (already final, or the deadline not yet reached). */
  changed: boolean;
}

export async function expirePendingCharge(
  ledger: Ledger,
  accountId: string,
  chargeId: string,
): Promise<PendingOutcome> {
  return run(ledger, {
    name: 'expirePendingCharge',
    accountId,
    plan: async (draft): Promise<PendingOutcome> => {
      const charge = await getCharge(ledger, accountId, chargeId);
      const pending = draft.state.pending.find((c) => c.chargeId === chargeId);
      if (charge.status !== 'pending_payment' || !pending || pending.graceExpiresAtMs > draft.nowMs) {
        return { chargeId, status: charge.status, changed: false };
      }
      draft.removePending(chargeId);
      if (draft.canPay(pending)) {
        payWaitingCharge(draft, pending, 'Pending charge paid at its deadline');
        settlePending(draft);
        return { chargeId, status: 'paid', changed: true };
      }
      end(draft, charge, 'failed');
      draft.notify(
        'charge_failed',
        `Charge ${chargeId} for ${formatMicros(pending.amount)} credits failed: the balance was not topped up in time.`,
      );
      settlePending(draft);
      return { chargeId, status: 'failed', changed: true };
    },
  });
}

export async function cancelPendingCharge(
  ledger: Ledger,
  accountId: string,
  chargeId: string,
): Promise<{ chargeId: string; status: 'cancelled' }> {
  return run(ledger, {
    name: 'cancelPendingCharge',
    accountId,
    plan: async (draft) => {
      const charge = await getCharge(ledger, accountId, chargeId);
      if (charge.status !== 'pending_payment')
        throw new Conflict(`charge ${chargeId} is ${charge.status}, not pending_payment`);
      draft.removePending(chargeId);
      end(draft, charge, 'cancelled');
      settlePending(draft);
      return { chargeId, status: 'cancelled' as const };
    },
  });
}

function end(draft: Draft, charge: Charge, status: 'failed' | 'cancelled'): void {
  draft.write(chargeItems.ended(draft.accountId, charge.chargeId, status, draft.nowMs));
  draft.outcome({
    chargeId: charge.chargeId,
    status,
    amount: charge.amount,
    wasPending: true,
    deploymentId: charge.deploymentId,
  });
}

/**
 * Settles the waiting charges that fit, oldest first: after credit arrived in a transaction too
 * full to settle them all (Draft.settlementDeferred). Each settlement is conditioned on the charge
 * still pending and the account unchanged, so none is ever settled twice.
 */
export async function settlePendingCharges(ledger: Ledger, accountId: string): Promise<{ settled: number }> {
  return run(ledger, {
    name: 'settlePendingCharges',
    accountId,
    plan: (draft) => {
      settlePending(draft);
      return { settled: draft.outcomes.length };
    },
  });
}
