// What happens at a pending charge's grace deadline, whoever notices it: the scheduled grace
// handler, or the sweep that finds deadlines nothing enforced (a schedule that could not be
// created, or fired too early). Both are idempotent: a charge already paid, failed or cancelled
// is left alone, and one still pending before its deadline too.

import { NotFound } from '../errors.js';
import { isAccountId, isId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { expirePendingCharge, type PendingOutcome } from '../ledger/pending-charges.js';
import { accountOfPk, chargeOfSk, chargeQueueIndex } from '../table/keys.js';
import type { GraceEvent } from './port.js';

export async function handleGraceDeadline(
  ledger: Ledger,
  event: GraceEvent,
): Promise<PendingOutcome | { chargeId: string; ignored: string }> {
  const { accountId, chargeId } = event ?? {};
  if (!isAccountId(accountId) || !isId('ch', chargeId)) {
    // A malformed schedule input can never succeed: answer rather than have it retried.
    return { chargeId: String(chargeId), ignored: 'the schedule input is not an account and a charge id' };
  }
  try {
    return await expirePendingCharge(ledger, accountId, chargeId);
  } catch (error) {
    if (error instanceof NotFound) return { chargeId, ignored: 'no such charge' };
    throw error;
  }
}

/** The most overdue charges one sweep handles; the next sweep takes the rest. */
export const MAX_SWEEP_CHARGES = 1_000;
const PAGE_SIZE = 100;

export interface SweepResult {
  checked: number;
  failed: number;
  paid: number;
}

/** Ends every pending charge whose deadline has passed, found through the DEADLINE index (never a scan). */
export async function sweepOverdueCharges(ledger: Ledger, limit = MAX_SWEEP_CHARGES): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, failed: 0, paid: 0 };
  await ledger.table.forEachDuePage(
    chargeQueueIndex,
    chargeQueueIndex.shards('DEADLINE'),
    chargeQueueIndex.skUpTo(ledger.nowMs()),
    async (page) => {
      for (const key of page) {
        if (result.checked >= limit) return false;
        result.checked += 1;
        const outcome = await handleGraceDeadline(ledger, {
          accountId: accountOfPk(key.pk),
          chargeId: chargeOfSk(key.sk),
        });
        if ('changed' in outcome && outcome.changed) result[outcome.status === 'paid' ? 'paid' : 'failed'] += 1;
      }
      return true;
    },
    PAGE_SIZE,
  );
  return result;
}
