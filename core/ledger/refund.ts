// Refunding a charge (a deployment ended early or was cancelled). Partial refunds add up to at
// most the charged amount. A refund first pays back the debt the charge created, then gives
// credit back to the lots the charge took from, latest-taken first; a part whose lot expired
// meanwhile comes back as a new lot of the same kind (account.restoreAllocations).

import type { Allocation } from '../account.js';
import { Conflict, InvalidRequest } from '../errors.js';
import type { Actor, StaffMark } from '../items/audit.js';
import { chargeItems } from '../items/charge.js';
import { formatMicros, type Micros, micros } from '../money.js';
import { markOf, recordAudit, refuseOwnAccount } from './audit.js';
import { getCharge } from './charge.js';
import { run } from './commit.js';
import type { Draft } from './draft.js';
import { putLotItem } from './grants.js';
import { fingerprint, type Ledger } from './ledger.js';
import { creditArrived } from './pending.js';

export interface RefundInput {
  accountId: string;
  chargeId: string;
  amount: Micros;
  reason?: string;
  idempotencyKey: string;
  /** The service or member of staff refunding (SPEC §14): recorded in the audit log. */
  actor?: Actor;
}

export interface RefundResult {
  refundId: string;
  chargeId: string;
  amount: Micros;
  balance: Micros;
  refundedBy?: StaffMark;
}

export async function refund(ledger: Ledger, input: RefundInput): Promise<RefundResult> {
  if (input.amount <= 0) throw new InvalidRequest('amount must be greater than zero');
  refuseOwnAccount(input.actor, input.accountId, `charge ${input.chargeId}`);
  return run(ledger, {
    name: 'refund',
    accountId: input.accountId,
    idempotency: {
      scope: 'refund',
      key: input.idempotencyKey,
      fingerprint: fingerprint([input.chargeId, input.amount, input.reason ?? null]),
    },
    ...(input.actor ? { actor: input.actor } : {}),
    plan: async (draft): Promise<RefundResult> => {
      const charge = await getCharge(ledger, input.accountId, input.chargeId);
      if (charge.status !== 'paid')
        throw new Conflict(`charge ${input.chargeId} is ${charge.status}; only paid charges can be refunded`);
      const refundable = micros(charge.amount - charge.refunded);
      if (input.amount > refundable)
        throw new Conflict(`only ${formatMicros(refundable)} of charge ${input.chargeId} is left to refund`);

      const refundId = draft.id('rf');
      const repaidDebt = draft.forgiveDebt(input.chargeId, input.amount);
      const allocations = charge.allocations.map((a) => ({ ...a }));
      giveBack(draft, allocations, micros(input.amount - repaidDebt), `Refund ${refundId} of charge ${input.chargeId}`);

      draft.write(chargeItems.refunded(charge, micros(charge.refunded + input.amount), allocations));
      draft.entry({
        type: 'refund',
        amount: input.amount,
        reference: input.chargeId,
        description: input.reason ?? `Refund of charge ${input.chargeId}`,
        usage: {
          product: charge.product,
          deploymentId: charge.deploymentId,
          ...(charge.projectId ? { projectId: charge.projectId } : {}),
        },
      });
      creditArrived(draft);
      draft.event('refund.created', {
        refundId,
        chargeId: input.chargeId,
        amount: formatMicros(input.amount),
      });
      draft.notify(
        'refund_issued',
        `${formatMicros(input.amount)} credits were refunded for charge ${input.chargeId}.`,
      );
      const result = { refundId, chargeId: input.chargeId, amount: input.amount, balance: draft.balance() };
      if (!input.actor) return result;
      recordAudit(draft, input.actor, {
        action: 'charge.refund',
        subject: input.chargeId,
        before: { refunded: formatMicros(charge.refunded) },
        after: { refunded: formatMicros(micros(charge.refunded + input.amount)), refundId },
      });
      return { ...result, refundedBy: markOf(draft, input.actor) };
    },
  });
}

/** Restores `amount` of what the allocations took, writing a lot item for each re-issued lot. */
export function giveBack(draft: Draft, allocations: Allocation[], amount: Micros, why: string): void {
  if (amount === 0) return;
  const reissued = draft.giveBack(allocations, amount);
  for (const lot of reissued) {
    putLotItem(draft, lot.lotId, {
      kind: lot.kind,
      amount: lot.amount,
      expiresAtMs: lot.expiresAtMs,
      ...(lot.products ? { products: lot.products } : {}),
      source: 'refund',
      reference: why,
      description: `${why}: re-issued because the original lot had expired`,
    });
  }
}
