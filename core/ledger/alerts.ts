// The low-balance alert's threshold (SPEC §8): read and set by the account's owner. The alerts
// themselves are written by every operation's draft (Draft.finish) in its own transaction.

import { InvalidRequest } from '../errors.js';
import { accountFromItem } from '../items/account.js';
import { MAX_AMOUNT_MICROS, type Micros } from '../money.js';
import { keys } from '../table/keys.js';
import { type Ledger, run } from './ledger.js';

export interface AlertSettings {
  accountId: string;
  /** null: no low-balance alerts. */
  lowBalanceThreshold: Micros | null;
}

export async function getAlertSettings(ledger: Ledger, accountId: string): Promise<AlertSettings> {
  const item = await ledger.table.meter.run('alertSettings', () => ledger.table.get(keys.account(accountId)));
  const state = accountFromItem(accountId, item);
  return { accountId, lowBalanceThreshold: state.lowBalanceThreshold };
}

/**
 * Sets the threshold. Setting it above the current balance alerts nobody (no operation took the
 * balance across it): the alert waits for the balance to be back at or above it and fall again.
 */
export async function setLowBalanceThreshold(
  ledger: Ledger,
  accountId: string,
  threshold: Micros | null,
): Promise<AlertSettings> {
  if (threshold !== null && (threshold < 0 || threshold > MAX_AMOUNT_MICROS))
    throw new InvalidRequest('lowBalanceThreshold must be between 0 and the largest amount, or null');
  return run(ledger, {
    name: 'setLowBalanceThreshold',
    accountId,
    plan: (draft) => {
      draft.state.lowBalanceThreshold = threshold;
      draft.state.lowBalanceAlerted = threshold !== null && draft.balance() < threshold;
      return { accountId, lowBalanceThreshold: threshold };
    },
  });
}
