// Reversing a purchase the provider refunded or lost to a dispute. The unspent part of the lot
// is taken back; the spent part becomes debt, beyond the allowance if need be; credit that had
// already expired is neither (it left the balance with its expiry entry). The account is flagged.

import { REVERSAL_DEBT_PREFIX } from '../account.js';
import { type LotRecord, lotItems } from '../items/lot.js';
import { formatMicros, type Micros, max, micros, min, ZERO } from '../money.js';
import { keys } from '../table/keys.js';
import type { Draft } from './draft.js';
import { creditArrived } from './pending.js';

export interface LotReversal {
  lotId: string;
  amount: Micros;
  kind: 'refund' | 'dispute';
  /** The provider's id for this refund or dispute; each takes effect once. */
  reference: string;
}

export interface ReversalResult {
  lotId: string;
  reversed: Micros;
  unspentReversed: Micros;
  debtCreated: Micros;
  balance: Micros;
}

/**
 * Within an operation: takes back up to `amount` of a purchased lot (its stored record given, or
 * the one this draft puts), the unspent part from the lot and the spent part as debt, and flags the
 * account. Reverses nothing when the lot is already wholly reversed.
 */
export function reverseLot(draft: Draft, lot: LotRecord, input: LotReversal): ReversalResult {
  const left = micros(lot.amount - lot.reversed);
  const amount = max(ZERO, min(input.amount, left));
  if (amount === 0)
    return { lotId: input.lotId, reversed: ZERO, unspentReversed: ZERO, debtCreated: ZERO, balance: draft.balance() };

  const unspent = draft.takeFromLot(input.lotId, amount);
  const expiredLeft = micros(lot.expired - lot.reversedFromExpired);
  const fromExpired = min(micros(amount - unspent), expiredLeft);
  const debtCreated = micros(amount - unspent - fromExpired);
  if (debtCreated > 0) draft.addDebt(`${REVERSAL_DEBT_PREFIX}${input.reference}`, debtCreated);
  draft.flag();

  const after = {
    reversed: micros(lot.reversed + amount),
    reversedFromExpired: micros(lot.reversedFromExpired + fromExpired),
  };
  // A lot credited in this same transaction (a payment applying the refunds held for it) is
  // written once, with what was reversed already on it.
  const planned = draft.plannedPut(keys.lot(draft.accountId, input.lotId));
  if (planned) Object.assign(planned, after);
  else draft.write(lotItems.reversed(draft.accountId, lot, after));
  const taken = micros(unspent + debtCreated);
  if (taken > 0) {
    draft.entry({
      type: 'reversal',
      amount: micros(-taken),
      reference: input.reference,
      description: `Purchase ${input.kind === 'dispute' ? 'disputed' : 'refunded'} at the payment provider`,
      lots: unspent > 0 ? [{ lotId: input.lotId, amount: unspent }] : [],
    });
  }
  creditArrived(draft);
  draft.notify(
    'reversal',
    `A ${input.kind} of ${formatMicros(amount)} credits was reported by the payment provider; ` +
      `${formatMicros(debtCreated)} credits already spent are now owed.`,
  );
  return { lotId: input.lotId, reversed: amount, unspentReversed: unspent, debtCreated, balance: draft.balance() };
}
