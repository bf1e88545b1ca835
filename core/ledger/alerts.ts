// When balance alerts fire (SPEC §8): an operation that takes the balance from at or above the
// low-balance threshold to below it writes one `low_balance` notification and a `balance.low`
// event; one that takes it below zero writes one `allowance_in_use`. Each fires once per
// crossing: the account remembers that it alerted, and re-arms only when an operation leaves the
// balance back at or above the line. The engine looks after every operation's plan (commit.ts), in
// the operation's own transaction; a balance that fell by credit expiring is alerted by the next
// operation on the account (the nightly run's, at the latest). The threshold itself is a setting
// (settings.ts).

import { accountFromItem } from '../items/account.js';
import { formatMicros as fmt, type Micros } from '../money.js';
import { keys } from '../table/keys.js';
import type { Draft } from './draft.js';
import type { Ledger } from './ledger.js';

/** The alerts this draft's change crosses into, written in its transaction. */
export function noteAlerts(draft: Draft): void {
  const balance = draft.balance();
  const { lowBalanceThreshold: threshold, lowBalanceAlerted, allowanceAlerted } = draft.state;
  if (threshold === null || balance >= threshold) draft.setAlerted({ lowBalance: false });
  else if (!lowBalanceAlerted) {
    draft.setAlerted({ lowBalance: true });
    draft.event('balance.low', { balance: fmt(balance), threshold: fmt(threshold) });
    draft.notify('low_balance', `Your balance is ${fmt(balance)}, below your alert threshold of ${fmt(threshold)}.`);
  }
  if (balance >= 0) draft.setAlerted({ allowance: false });
  else if (!allowanceAlerted) {
    draft.setAlerted({ allowance: true });
    draft.notify(
      'allowance_in_use',
      `Your balance is ${fmt(balance)}: deployments are running on your negative allowance ` +
        `of ${fmt(draft.allowance())}.`,
    );
  }
}

/**
 * Whether the low-balance alert counts as already given when the threshold becomes `threshold`:
 * setting it above the current balance alerts nobody (no operation took the balance across it),
 * so the alert waits for the balance to be back at or above it and fall again.
 */
export function alertedAtNewThreshold(draft: Draft, threshold: Micros | null): boolean {
  return threshold !== null && draft.balance() < threshold;
}

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
