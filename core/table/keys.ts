// Every key shape of the single table, in one place. Item types live under the account's
// partition (`ACCT#<accountId>`) so one account's history is one Query; the few items that
// must be found without an account id (withdrawals by id, by status) get their own keys.

import { assert } from '../assert.js';
import { isAccountId, isId, ULID_PATTERN } from '../ids.js';

export interface Key {
  pk: string;
  sk: string;
}

export const isValidAccountId = isAccountId;

const ACCOUNT_PREFIX = 'ACCT#';
const CHARGE_PREFIX = 'CHARGE#';

function accountPk(accountId: string): string {
  assert(isAccountId(accountId), `invalid account id ${JSON.stringify(accountId)}`);
  return `${ACCOUNT_PREFIX}${accountId}`;
}

/** Every audit partition's key starts with this: what IAM conditions name. */
export const AUDIT_PK_PREFIX = 'AUDIT#';

function auditPk(accountId: string): string {
  assert(isAccountId(accountId), `invalid account id ${JSON.stringify(accountId)}`);
  return `${AUDIT_PK_PREFIX}${accountId}`;
}

/** The account an item's partition key belongs to (an index key read back, say). */
export function accountOfPk(pk: unknown): string {
  const accountId =
    typeof pk === 'string' && pk.startsWith(ACCOUNT_PREFIX) ? pk.slice(ACCOUNT_PREFIX.length) : undefined;
  assert(isAccountId(accountId), `not an account partition: ${String(pk)}`);
  return accountId;
}

/** The charge a charge item's sort key names. */
export function chargeOfSk(sk: unknown): string {
  const chargeId = typeof sk === 'string' && sk.startsWith(CHARGE_PREFIX) ? sk.slice(CHARGE_PREFIX.length) : undefined;
  assert(isId('ch', chargeId), `not a charge sort key: ${String(sk)}`);
  return chargeId;
}

const ENTRY_SK = new RegExp(`^TX#${ULID_PATTERN}$`);

/** Whether `sk` is a ledger entry's sort key (a cursor is one). */
export function isEntrySk(sk: string): boolean {
  return ENTRY_SK.test(sk);
}

const ACCOUNT_SK = 'ACCOUNT';

export const keys = {
  account: (accountId: string): Key => ({ pk: accountPk(accountId), sk: ACCOUNT_SK }),
  /**
   * An operation waiting for whichever writer commits next on the account (ledger/commit.ts, ledger/intents.ts). Its
   * sort key starts with the account item's, so one Query reads the account and what waits on it.
   */
  intent: (accountId: string, intentId: string): Key => ({
    pk: accountPk(accountId),
    sk: `${ACCOUNT_SK}#INTENT#${intentId}`,
  }),
  lot: (accountId: string, lotId: string): Key => ({ pk: accountPk(accountId), sk: `LOT#${lotId}` }),
  /** One UTC day's usage by product (YYYY-MM-DD), written out once the day is over (ledger/usage.ts). */
  usageDay: (accountId: string, day: string): Key => ({ pk: accountPk(accountId), sk: `USAGE#D#${day}` }),
  /** One UTC month's usage by product (YYYY-MM): its days added up as each is written out. */
  usageMonth: (accountId: string, month: string): Key => ({ pk: accountPk(accountId), sk: `USAGE#M#${month}` }),
  entry: (accountId: string, entryUlid: string): Key => ({ pk: accountPk(accountId), sk: `TX#${entryUlid}` }),
  charge: (accountId: string, chargeId: string): Key => ({
    pk: accountPk(accountId),
    sk: `${CHARGE_PREFIX}${chargeId}`,
  }),
  withdrawal: (accountId: string, withdrawalId: string): Key => ({
    pk: accountPk(accountId),
    sk: `WD#${withdrawalId}`,
  }),
  withdrawalLookup: (withdrawalId: string): Key => ({ pk: `WD#${withdrawalId}`, sk: 'WD' }),
  notification: (accountId: string, notificationId: string): Key => ({
    pk: accountPk(accountId),
    sk: `NOTE#${notificationId}`,
  }),
  purchase: (accountId: string, purchaseId: string): Key => ({
    pk: accountPk(accountId),
    sk: `PURCHASE#${purchaseId}`,
  }),
  /** Finds a purchase's account from its id alone (GET by id, provider events). */
  purchaseLookup: (purchaseId: string): Key => ({ pk: `PU#${purchaseId}`, sk: 'PU' }),
  /** Finds a purchase from the provider's reference for its checkout (a Spherepay payment link). */
  checkoutLookup: (provider: string, providerRef: string): Key => ({
    pk: `CHECKOUT#${provider}#${providerRef}`,
    sk: 'CHECKOUT',
  }),
  /** Finds a purchase from the provider's payment (a Stripe PaymentIntent), for refunds and disputes. */
  paymentLookup: (provider: string, paymentRef: string): Key => ({
    pk: `PAYMENT#${provider}#${paymentRef}`,
    sk: 'PAYMENT',
  }),
  idempotency: (accountId: string, scope: string, key: string): Key => ({
    pk: accountPk(accountId),
    sk: `IDEM#${scope}#${key}`,
  }),
  /** A lot kept beyond the account item on a heavy account, keyed by its place in consumption order. */
  overflowLot: (accountId: string, consumptionKey: string): Key => ({
    pk: accountPk(accountId),
    sk: `OVF#${consumptionKey}`,
  }),
  /** An event for other systems (SPEC §9), in the account's partition, written with the change it reports. */
  event: (accountId: string, eventId: string): Key => ({ pk: accountPk(accountId), sk: `EVENT#${eventId}` }),
  /** A webhook endpoint by its id; its deliveries share its partition. */
  webhookEndpoint: (endpointId: string): Key => ({ pk: `HOOK#${endpointId}`, sk: 'ENDPOINT' }),
  /** The endpoints that receive an account's events (`*`: every account's), listed in one query. */
  webhookSubscription: (owner: string, endpointId: string): Key => ({ pk: `HOOKS#${owner}`, sk: `EP#${endpointId}` }),
  webhookSubscriptionsPk: (owner: string): string => `HOOKS#${owner}`,
  /** One event's delivery to one endpoint. */
  webhookDelivery: (endpointId: string, deliveryId: string): Key => ({
    pk: `HOOK#${endpointId}`,
    sk: `DL#${deliveryId}`,
  }),
  /**
   * A staff action on an account (SPEC §14), by time in a partition of the account's audit trail:
   * its own leading key (`AUDIT#`), so IAM can deny every role updating or deleting one
   * (infra/access.ts); gsi1 (auditIndex) lists every account's, newest first.
   */
  audit: (accountId: string, at: string, auditId: string): Key => ({
    pk: auditPk(accountId),
    sk: `${at}#${auditId}`,
  }),
  auditPk,
  /** A receipt or credit note (SPEC §11), by its number, in its account's partition. */
  billingDocument: (accountId: string, kind: 'receipt' | 'credit_note', number: string): Key => ({
    pk: accountPk(accountId),
    sk: `${kind === 'receipt' ? 'RECEIPT#' : 'CREDIT_NOTE#'}${number}`,
  }),
  /** The yearly sequence a kind of document is numbered from, shared by every account. */
  documentSequence: (kind: string, year: number): Key => ({ pk: `SEQ#${kind}`, sk: String(year) }),
  /** Who the account's receipts are made out to. */
  billingProfile: (accountId: string): Key => ({ pk: accountPk(accountId), sk: 'BILLING_PROFILE' }),
  /**
   * A close report's item marked resolved by staff (SPEC §12), under its day: the report itself is
   * written once beside the digest, so what staff did about it is kept here.
   */
  closeResolution: (day: string, itemId: string): Key => ({ pk: `CLOSE#${day}`, sk: `RESOLVED#${itemId}` }),
  closeResolutionsPk: (day: string): string => `CLOSE#${day}`,
  /** A grace schedule kept by the local scheduler (npm start), so it survives a restart. */
  localSchedule: (chargeId: string): Key => ({ pk: 'LOCAL#grace-schedules', sk: chargeId }),
  accountPk,
};

export const SK_PREFIX = {
  /** The account item and the intents waiting on it, in arrival order. */
  accountAndIntents: ACCOUNT_SK,
  intent: `${ACCOUNT_SK}#INTENT#`,
  lot: 'LOT#',
  usageDay: 'USAGE#D#',
  usageMonth: 'USAGE#M#',
  entry: 'TX#',
  charge: 'CHARGE#',
  withdrawal: 'WD#',
  notification: 'NOTE#',
  purchase: 'PURCHASE#',
  overflowLot: 'OVF#',
  receipt: 'RECEIPT#',
  creditNote: 'CREDIT_NOTE#',
  event: 'EVENT#',
  webhookSubscription: 'EP#',
  webhookDelivery: 'DL#',
} as const;

/** GSI1: withdrawals by status, oldest request first, for the finance queue. */
export const withdrawalStatusIndex = {
  name: 'gsi1',
  pk: (status: string) => `WDSTATUS#${status}`,
  sk: (requestedAt: string, withdrawalId: string) => `${requestedAt}#${withdrawalId}`,
};

/**
 * GSI1 also holds the audit log (its items only carry these keys): every staff action under one
 * partition, by time. Staff act a few times a minute, far below one partition's 1,000 writes a
 * second, and one partition makes "newest first" a plain Query.
 */
export const auditIndex = {
  name: 'gsi1',
  pk: 'AUDITLOG',
  sk: (at: string, auditId: string) => `${at}#${auditId}`,
};

/**
 * GSI2, sparse: accounts whose lots hold credit that will expire, keyed by the earliest moment the
 * nightly run has work on them (an expiry notice or an expiry). Spread over EXPIRY_SHARDS
 * partitions so one night's run is a few Queries, never a Scan, and no night is one hot partition.
 */
export const EXPIRY_SHARDS = 16;
export const expiryIndex = {
  name: 'gsi2',
  pkAttribute: 'gsi2pk',
  skAttribute: 'gsi2sk',
  pk: (accountId: string) => `EXPIRY#${shardOf(accountId)}`,
  sk: (nextEventMs: number, accountId: string) => `${String(Math.max(0, nextEventMs)).padStart(15, '0')}#${accountId}`,
  /** Everything due at or before `atMs`, as the upper bound of a key condition. */
  skUpTo: (atMs: number) => `${String(atMs).padStart(15, '0')}#~`,
  shards: () => Array.from({ length: EXPIRY_SHARDS }, (_, i) => `EXPIRY#${i}`),
};

function shardOf(accountId: string): number {
  return shardOfText(accountId, EXPIRY_SHARDS);
}

/**
 * GSI3, sparse, the work queues the sweeps read: a pending charge sits under `DEADLINE#<shard>`
 * keyed by its grace deadline, so a sweep finds overdue ones with a Query; a charge that reached
 * its final status sits under `OUTBOX#<shard>` until its outcome is published to the
 * payment-outcomes queue, so a sweep finds outcomes that were never published (a published charge
 * leaves the index). Events wait under `EVENTS#<shard>` until handed to the webhook queue,
 * webhook deliveries under `HOOKDUE#<shard>`, keyed by their next attempt, until they end, and
 * automatic top-ups under `TOPUPQ#<shard>` until their PaymentIntent is made. An account's first
 * ledger entry of a UTC day sits under `CHANGED#<day>#<shard>` for good: the daily close reads the
 * accounts that changed that day from it (SPEC §12), one small index entry per account and day.
 * Every purchase's lookup item sits under `PURCHASED#<day>#<shard>` for good, keyed by its creation:
 * reconciliation lists the purchases of its period from it, pending ones included (they have no
 * entry), one small index entry per purchase written with the lookup item it already writes.
 */
export const CHARGE_QUEUE_SHARDS = 16;
export const chargeQueueIndex = {
  name: 'gsi3',
  pkAttribute: 'gsi3pk',
  skAttribute: 'gsi3sk',
  deadlinePk: (chargeId: string) => `DEADLINE#${shardOfText(chargeId, CHARGE_QUEUE_SHARDS)}`,
  outboxPk: (chargeId: string) => `OUTBOX#${shardOfText(chargeId, CHARGE_QUEUE_SHARDS)}`,
  /** An event not yet handed to the webhook queue. */
  eventsPk: (eventId: string) => `EVENTS#${shardOfText(eventId, CHARGE_QUEUE_SHARDS)}`,
  /** An automatic top-up whose PaymentIntent is not made yet. */
  topUpsPk: (purchaseId: string) => `TOPUPQ#${shardOfText(purchaseId, CHARGE_QUEUE_SHARDS)}`,
  /** A webhook delivery waiting for its next attempt. */
  deliveriesPk: (deliveryId: string) => `HOOKDUE#${shardOfText(deliveryId, CHARGE_QUEUE_SHARDS)}`,
  /** The accounts with an entry on a UTC day (YYYY-MM-DD), keyed by account id. */
  changedPk: (day: string, accountId: string) => `CHANGED#${day}#${shardOfText(accountId, CHARGE_QUEUE_SHARDS)}`,
  changedShards: (day: string) => Array.from({ length: CHARGE_QUEUE_SHARDS }, (_, i) => `CHANGED#${day}#${i}`),
  /** The purchases created on a UTC day (YYYY-MM-DD), keyed by creation time and purchase id. */
  purchasedPk: (day: string, purchaseId: string) => `PURCHASED#${day}#${shardOfText(purchaseId, CHARGE_QUEUE_SHARDS)}`,
  /** Its account too (ids hold no `#`), so the purchase is read without its lookup. */
  purchasedSk: (atMs: number, purchaseId: string, accountId: string) =>
    `${String(atMs).padStart(15, '0')}#${purchaseId}#${accountId}`,
  purchasedShards: (day: string) => Array.from({ length: CHARGE_QUEUE_SHARDS }, (_, i) => `PURCHASED#${day}#${i}`),
  sk: (atMs: number, chargeId: string) => `${String(atMs).padStart(15, '0')}#${chargeId}`,
  /** Everything at or before `atMs`, as the upper bound of a key condition. */
  skUpTo: (atMs: number) => `${String(atMs).padStart(15, '0')}#~`,
  shards: (kind: 'DEADLINE' | 'OUTBOX' | 'EVENTS' | 'HOOKDUE' | 'TOPUPQ') =>
    Array.from({ length: CHARGE_QUEUE_SHARDS }, (_, i) => `${kind}#${i}`),
};

function shardOfText(text: string, shards: number): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (hash * 31 + text.charCodeAt(i)) >>> 0;
  return hash % shards;
}

/** The purchase and account a `PURCHASED#` index key names (chargeQueueIndex.purchasedSk). */
export function purchaseOfPurchasedSk(sk: unknown): { purchaseId: string; accountId: string } {
  const [, purchaseId, accountId] = typeof sk === 'string' ? sk.split('#') : [];
  assert(isId('pu', purchaseId) && isAccountId(accountId), `not a purchase index key: ${String(sk)}`);
  return { purchaseId, accountId };
}
