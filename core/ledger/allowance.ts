// Setting an account's negative allowance (admin). A larger allowance may let pending charges
// be paid, so they are settled in the same transaction. It can not go below what charges already
// owe, so `debt ≤ allowance` keeps holding (debt from a provider reversal is the one exception).

import { chargeDebtOf } from '../account.js';
import { Conflict, InvalidRequest } from '../errors.js';
import { formatMicros, type Micros, sum } from '../money.js';
import { run } from './commit.js';
import type { Ledger } from './ledger.js';
import { settlePending } from './pending.js';

export async function setNegativeAllowance(
  ledger: Ledger,
  accountId: string,
  amount: Micros,
): Promise<{ accountId: string; negativeAllowance: Micros; debt: Micros }> {
  if (amount < 0) throw new InvalidRequest('the negative allowance can not be below zero');
  return run(ledger, {
    name: 'setNegativeAllowance',
    accountId,
    plan: (draft) => {
      const owed = chargeDebtOf(draft.state);
      if (amount < owed)
        throw new Conflict(`the account owes ${formatMicros(owed)} on charges; the allowance can not go below that`);
      draft.setAllowance(amount);
      settlePending(draft);
      const debt = sum(draft.state.debts.map((d) => d.amount));
      return { accountId, negativeAllowance: amount, debt };
    },
  });
}
