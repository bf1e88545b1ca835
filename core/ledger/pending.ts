// When charges waiting for credit settle (SPEC §4): credit that arrives pays debt first (each
// charge's debt remembers which lot paid it, so a later refund gives that credit back), then the
// waiting charges oldest first, each as far as the balance and the allowance cover it. A charge
// past its deadline is left to the deadline handler (pending-charges.ts), which fails it. A
// transaction too full to settle them all settles what fits and leaves the rest for the engine to
// settle right after the commit (Draft.settlementDeferred).

import { chargeItems } from '../items/charge.js';
import type { Draft } from './draft.js';
import { payWaitingCharge } from './pay.js';
import { roomFor, SETTLEMENT_WRITES } from './room.js';

/** After credit arrives: it repays debt, then settles waiting charges. */
export function creditArrived(draft: Draft): void {
  for (const repayment of draft.repayDebts()) {
    if (!repayment.ref.startsWith('ch_') || repayment.allocations.length === 0) continue;
    draft.write(chargeItems.repaid(draft.accountId, repayment.ref, repayment.allocations));
  }
  settlePending(draft);
}

/** Pays the waiting charges the balance now covers, oldest first, while the transaction has room. */
export function settlePending(draft: Draft): void {
  for (const pending of [...draft.state.pending]) {
    if (pending.graceExpiresAtMs <= draft.nowMs) continue;
    if (!draft.canPay(pending)) break;
    if (!roomFor(draft, SETTLEMENT_WRITES)) {
      draft.deferSettlement();
      break;
    }
    draft.removePending(pending.chargeId);
    payWaitingCharge(draft, pending, 'Pending charge paid after a top-up');
  }
}
