// Paying a charge from the balance, at once (a new charge) or later (a waiting charge credit now
// covers, or one whose deadline came with enough): lots first in consumption order, the rest as
// debt recorded under the charge, with its usage entry and the outcome published after the commit.

import type { Allocation, PendingCharge, ReadonlyDeep } from '../account.js';
import { chargeItems } from '../items/charge.js';
import type { ItemWrite } from '../items/fields.js';
import { type Micros, micros } from '../money.js';
import type { Product } from '../products.js';
import type { Draft } from './draft.js';

export interface Paid {
  allocations: Allocation[];
  debtCreated: Micros;
}

/**
 * Pays a charge and writes what paying it means: the charge item `write` returns (new, or a
 * pending one settled), its usage entry, and its outcome.
 */
export function payCharge(draft: Draft, charge: ChargeToPay, write: (paid: Paid) => ItemWrite): Paid {
  const { chargeId, amount } = charge;
  const paid = draft.payFromBalance(charge);
  draft.write(write(paid));
  draft.entry({
    type: 'usage',
    amount: micros(-amount),
    reference: chargeId,
    description: charge.description,
    usage: {
      product: charge.product,
      ...(charge.deploymentId ? { deploymentId: charge.deploymentId } : {}),
      ...(charge.projectId ? { projectId: charge.projectId } : {}),
      paidFrom: paid.allocations.map((a) => ({ lotId: a.lotId, kind: a.kind, amount: a.taken })),
      allowance: paid.debtCreated,
    },
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

export interface ChargeToPay {
  chargeId: string;
  amount: Micros;
  product: Product;
  description: string;
  wasPending: boolean;
  /** Known, unless it waited for credit before deployments were kept with waiting charges. */
  deploymentId?: string;
  projectId?: string;
}

/** Pays a charge that was waiting (credit arrived, or its deadline came with enough). */
export function payWaitingCharge(draft: Draft, pending: ReadonlyDeep<PendingCharge>, description: string): void {
  const { chargeId, amount, product, deploymentId, projectId } = pending;
  const charge = { chargeId, amount, product, description, wasPending: true };
  const known = { ...(deploymentId ? { deploymentId } : {}), ...(projectId ? { projectId } : {}) };
  payCharge(draft, { ...charge, ...known }, (paid) =>
    chargeItems.settled(draft.accountId, chargeId, paid, draft.nowMs),
  );
}
