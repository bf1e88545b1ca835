// The account view for support and finance (SPEC §14): what a customer who writes in sees, and
// what finance acts on, in one read: the balance as /credits/balance answers it, the auto top-up
// and the low-balance alert, the webhook endpoints without their secrets, and how many charges,
// purchases and withdrawals the account has in each status. Nothing here writes.

import { CHARGE_STATUSES } from '../items/charge.js';
import { PURCHASE_STATUSES } from '../items/purchase.js';
import { WITHDRAWAL_STATUSES } from '../items/withdrawal.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import type { Item } from '../table/table.js';
import { type EndpointView, listEndpoints } from '../webhooks/endpoints.js';
import { type AlertSettings, getAlertSettings } from './alerts.js';
import { type AutoTopUpView, getAutoTopUp } from './auto-top-up.js';
import type { Ledger } from './ledger.js';
import { type BalanceView, getBalance } from './queries.js';

/**
 * Items of one kind counted at most, newest first: a support view reads a bounded amount of an
 * account that made a hundred thousand charges; past it the counts say so (`complete: false`).
 */
export const MAX_COUNTED = 5_000;
const COUNT_PAGE = 1_000;

export interface StatusCounts {
  byStatus: Record<string, number>;
  /** False when the account has more than MAX_COUNTED of them: the counts are of the newest. */
  complete: boolean;
}

export interface AccountView {
  accountId: string;
  balance: BalanceView;
  autoTopUp: AutoTopUpView;
  alerts: AlertSettings;
  webhookEndpoints: EndpointView[];
  charges: StatusCounts;
  purchases: StatusCounts;
  withdrawals: StatusCounts;
}

export async function accountView(ledger: Ledger, accountId: string): Promise<AccountView> {
  const [balance, autoTopUp, alerts, webhookEndpoints, charges, purchases, withdrawals] = await Promise.all([
    getBalance(ledger, accountId),
    getAutoTopUp(ledger, accountId),
    getAlertSettings(ledger, accountId),
    listEndpoints(ledger, accountId),
    countByStatus(ledger, accountId, SK_PREFIX.charge, CHARGE_STATUSES),
    countByStatus(ledger, accountId, SK_PREFIX.purchase, PURCHASE_STATUSES),
    countByStatus(ledger, accountId, SK_PREFIX.withdrawal, WITHDRAWAL_STATUSES),
  ]);
  return { accountId, balance, autoTopUp, alerts, webhookEndpoints, charges, purchases, withdrawals };
}

async function countByStatus(
  ledger: Ledger,
  accountId: string,
  prefix: string,
  statuses: readonly string[],
): Promise<StatusCounts> {
  const byStatus: Record<string, number> = Object.fromEntries(statuses.map((status) => [status, 0]));
  let counted = 0;
  let startKey: Item | undefined;
  do {
    const out = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': prefix },
      ExpressionAttributeNames: { '#status': 'status' },
      ProjectionExpression: '#status',
      ScanIndexForward: false,
      Limit: Math.min(COUNT_PAGE, MAX_COUNTED - counted),
      ExclusiveStartKey: startKey,
    });
    for (const item of out.items) {
      const status = String(item.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
    }
    counted += out.items.length;
    startKey = out.lastKey;
  } while (startKey && counted < MAX_COUNTED);
  return { byStatus, complete: startKey === undefined };
}
