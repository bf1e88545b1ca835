// Setting an account's negative allowance (admin). A larger allowance may let pending charges
// be paid, so they are settled in the same transaction. It can not go below what charges already
// owe, so `debt ≤ allowance` keeps holding (debt from a provider reversal is the one exception).

import { chargeDebtOf } from '../account.js';
import { Conflict, InvalidRequest } from '../errors.js';
import type { Actor, StaffMark } from '../items/audit.js';
import { formatMicros, type Micros, sum } from '../money.js';
import { markOf, recordAudit, refuseOwnAccount } from './audit.js';
import { run } from './commit.js';
import type { Ledger } from './ledger.js';
import { settlePending } from './pending.js';

export interface AllowanceSet {
  accountId: string;
  negativeAllowance: Micros;
  debt: Micros;
  /** The member of staff who set it (SPEC §14), when one did. */
  setBy?: StaffMark;
}

export async function setNegativeAllowance(
  ledger: Ledger,
  accountId: string,
  amount: Micros,
  actor?: Actor,
): Promise<AllowanceSet> {
  if (amount < 0) throw new InvalidRequest('the negative allowance can not be below zero');
  refuseOwnAccount(actor, accountId, 'the allowance');
  return run(ledger, {
    name: 'setNegativeAllowance',
    accountId,
    ...(actor ? { actor } : {}),
    plan: (draft) => {
      const owed = chargeDebtOf(draft.state);
      if (amount < owed)
        throw new Conflict(`the account owes ${formatMicros(owed)} on charges; the allowance can not go below that`);
      const before = draft.allowance();
      draft.setAllowance(amount);
      settlePending(draft);
      const debt = sum(draft.state.debts.map((d) => d.amount));
      if (!actor) return { accountId, negativeAllowance: amount, debt };
      recordAudit(draft, actor, {
        action: 'allowance.set',
        subject: accountId,
        before: { negativeAllowance: formatMicros(before) },
        after: { negativeAllowance: formatMicros(amount) },
      });
      return { accountId, negativeAllowance: amount, debt, setBy: markOf(draft, actor) };
    },
  });
}
