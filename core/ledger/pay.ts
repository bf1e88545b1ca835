// Paying a charge from the balance, at once (a new charge) or later (a waiting charge credit now
// covers, or one whose deadline came with enough): lots first in consumption order, the rest as
// debt recorded under the charge, with its usage entry and the outcome published after the commit.

import type { Allocation } from '../account.js';
import { chargeItems } from '../items/charge.js';
import type { ItemWrite } from '../items/fields.js';
import { type Micros, micros } from '../money.js';
import type { Draft } from './draft.js';

export interface Paid {
  allocations: Allocation[];
  debtCreated: Micros;
}

/**
 * Pays a charge and writes what paying it means: the charge item `write` returns (new, or a
 * pending one settled), its usage entry, and its outcome.
 */
export function payCharge(
  draft: Draft,
  charge: { chargeId: string; amount: Micros; description: string; wasPending: boolean; deploymentId?: string },
  write: (paid: Paid) => ItemWrite,
): Paid {
  const { chargeId, amount } = charge;
  const paid = draft.payFromBalance(chargeId, amount);
  draft.write(write(paid));
  draft.entry({
    type: 'usage',
    amount: micros(-amount),
    reference: chargeId,
    description: charge.description,
    lots: paid.allocations.map((a) => ({ lotId: a.lotId, amount: a.taken })),
  });
  draft.outcome({
    chargeId,
    status: 'paid',
    amount,
    wasPending: charge.wasPending,
    ...(charge.deploymentId ? { deploymentId: charge.deploymentId } : {}),
  });
  return paid;
}

/** Pays a charge that was waiting (credit arrived, or its deadline came with enough). */
export function payWaitingCharge(draft: Draft, chargeId: string, amount: Micros, description: string): void {
  payCharge(draft, { chargeId, amount, description, wasPending: true }, (paid) =>
    chargeItems.settled(draft.accountId, chargeId, paid, draft.nowMs),
  );
}
