// Every key shape of the single table, in one place. Item types live under the account's
// partition (`ACCT#<accountId>`) so one account's history is one Query; the few items that
// must be found without an account id (withdrawals by id, by status) get their own keys.

import { assert } from '../assert.js';

export interface Key {
  pk: string;
  sk: string;
}

const ACCOUNT_ID = /^[A-Za-z0-9_.:@|-]{1,128}$/;

export function isValidAccountId(accountId: string): boolean {
  return ACCOUNT_ID.test(accountId);
}

function accountPk(accountId: string): string {
  assert(isValidAccountId(accountId), `invalid account id ${JSON.stringify(accountId)}`);
  return `ACCT#${accountId}`;
}

export const keys = {
  account: (accountId: string): Key => ({ pk: accountPk(accountId), sk: 'ACCOUNT' }),
  lot: (accountId: string, lotId: string): Key => ({ pk: accountPk(accountId), sk: `LOT#${lotId}` }),
  entry: (accountId: string, entryUlid: string): Key => ({ pk: accountPk(accountId), sk: `TX#${entryUlid}` }),
  charge: (accountId: string, chargeId: string): Key => ({ pk: accountPk(accountId), sk: `CHARGE#${chargeId}` }),
  withdrawal: (accountId: string, withdrawalId: string): Key => ({ pk: accountPk(accountId), sk: `WD#${withdrawalId}` }),
  withdrawalLookup: (withdrawalId: string): Key => ({ pk: `WD#${withdrawalId}`, sk: 'WD' }),
  notification: (accountId: string, notificationId: string): Key => ({ pk: accountPk(accountId), sk: `NOTE#${notificationId}` }),
  purchase: (accountId: string, purchaseId: string): Key => ({ pk: accountPk(accountId), sk: `PURCHASE#${purchaseId}` }),
  /** Finds a purchase's account from its id alone (GET by id, provider events). */
  purchaseLookup: (purchaseId: string): Key => ({ pk: `PU#${purchaseId}`, sk: 'PU' }),
  /** Finds a purchase from the provider's reference for its checkout (a Spherepay payment link). */
  checkoutLookup: (provider: string, providerRef: string): Key => ({ pk: `CHECKOUT#${provider}#${providerRef}`, sk: 'CHECKOUT' }),
  /** Finds a purchase from the provider's payment (a Stripe PaymentIntent), for refunds and disputes. */
  paymentLookup: (provider: string, paymentRef: string): Key => ({ pk: `PAYMENT#${provider}#${paymentRef}`, sk: 'PAYMENT' }),
  idempotency: (accountId: string, scope: string, key: string): Key => ({ pk: accountPk(accountId), sk: `IDEM#${scope}#${key}` }),
  accountPk,
};

export const SK_PREFIX = { lot: 'LOT#', entry: 'TX#', charge: 'CHARGE#', withdrawal: 'WD#', notification: 'NOTE#', purchase: 'PURCHASE#' } as const;

/** GSI1: withdrawals by status, oldest request first, for the finance queue. */
export const withdrawalStatusIndex = {
  name: 'gsi1',
  pk: (status: string) => `WDSTATUS#${status}`,
  sk: (requestedAt: string, withdrawalId: string) => `${requestedAt}#${withdrawalId}`,
};

/**
 * GSI2, sparse: accounts whose lots hold credit that will expire, keyed by the earliest such
 * expiry. Spread over EXPIRY_SHARDS partitions so one night's run is a few Queries, never a Scan.
 */
export const EXPIRY_SHARDS = 16;
export const expiryIndex = {
  name: 'gsi2',
  pk: (accountId: string) => `EXPIRY#${shardOf(accountId)}`,
  sk: (nextExpiryMs: number, accountId: string) => `${String(nextExpiryMs).padStart(15, '0')}#${accountId}`,
};

function shardOf(accountId: string): number {
  let hash = 0;
  for (let i = 0; i < accountId.length; i += 1) hash = (hash * 31 + accountId.charCodeAt(i)) >>> 0;
  return hash % EXPIRY_SHARDS;
}
