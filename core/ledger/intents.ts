// Charges across processes that share nothing (Lambda containers): a writer that loses the account
// item to another writer stops competing for it and leaves its charge as an intent (items/intent.ts,
// a put on a key of its own, so it never conflicts). Whichever writer commits next on the account
// applies the waiting intents first, in arrival order, in its own transaction (commit.ts); the
// writer that left one reads its result from the charge's idempotency record. This module is the
// intents' reads and writes; when to leave, watch, apply or withdraw one is the engine's.
//
//   read account + intents (one Query) ── plan intents, then local charges ── transact ── results
//        ▲                                                                      │ lost the account
//        └──────────── leave each local charge as an intent, wait a moment ◀────┘

import { AssertionError, assert } from '../assert.js';
import { type ErrorCode, errorOfCode, type IoCreditsError } from '../errors.js';
import { newId } from '../ids.js';
import { type ChargeIntent, type ChargeRequest, intentFromItem, intentWrites } from '../items/intent.js';
import { keys, SK_PREFIX } from '../table/keys.js';
import { type Item, MAX_QUERY_PAGES, type TransactItem, TransactionCancelled } from '../table/table.js';
import type { Ledger } from './ledger.js';

/** The account item and the intents waiting beside it, oldest first. */
export interface AccountRead {
  item: Item | undefined;
  intents: ChargeIntent[];
}

/** An intent as a watching writer sees it: its id, and whether it was refused on its own. */
export interface IntentSeen {
  intentId: string;
  refused: boolean;
}

/** The account item and its waiting intents, in one consistent Query. */
export async function readAccountAndIntents(ledger: Ledger, accountId: string): Promise<AccountRead> {
  const items = await queryAll(ledger, accountId, SK_PREFIX.accountAndIntents);
  const accountSk = keys.account(accountId).sk;
  return {
    item: items.find((item) => item.sk === accountSk),
    intents: items.filter((item) => item.sk !== accountSk).map(intentFromItem),
  };
}

/** The waiting intents, oldest first, without their contents: what a writer watching for its result reads. */
export async function peekIntents(ledger: Ledger, accountId: string): Promise<IntentSeen[]> {
  const items = await queryAll(ledger, accountId, SK_PREFIX.intent, {
    ExpressionAttributeNames: { '#error': 'error' },
    ProjectionExpression: 'intentId, #error',
  });
  return items.map((item) => ({ intentId: String(item.intentId), refused: item.error !== undefined }));
}

async function queryAll(
  ledger: Ledger,
  accountId: string,
  prefix: string,
  projection: { ExpressionAttributeNames?: Record<string, string>; ProjectionExpression?: string } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  for (let page = 1; page <= MAX_QUERY_PAGES; page += 1) {
    const out = await ledger.table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':prefix': prefix },
      ...projection,
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    items.push(...out.items);
    startKey = out.lastKey;
    if (!startKey) return items;
  }
  throw new AssertionError(`account ${accountId} has more than ${MAX_QUERY_PAGES} pages of intents`);
}

/** Leaves a charge for whichever writer commits next on the account. */
export async function leaveIntent(ledger: Ledger, request: ChargeRequest, fingerprint: string): Promise<ChargeIntent> {
  const nowMs = ledger.nowMs();
  const intent: ChargeIntent = { ...request, intentId: newId('in', nowMs), createdAtMs: nowMs, fingerprint };
  const left = await ledger.table.put(intentWrites.left(intent));
  assert(left, `intent ${intent.intentId} is new`);
  ledger.stats.intents += 1;
  return intent;
}

/** The refusal another writer left in an intent, if it is still there. */
export async function refusalOf(ledger: Ledger, intent: ChargeIntent): Promise<IoCreditsError | undefined> {
  const item = await ledger.table.get(keys.intent(intent.accountId, intent.intentId));
  const refusal = item ? intentFromItem(item).error : undefined;
  return refusal ? errorOfCode(refusal) : undefined;
}

/** Deletes an intent if it is still there; false when another writer took it first. */
export async function takeIntent(
  ledger: Ledger,
  intent: Pick<ChargeIntent, 'accountId' | 'intentId'>,
): Promise<boolean> {
  return transactIgnoringCancel(ledger, intentWrites.taken(intent));
}

/** Answers an intent the account refused on its own, in place, for its writer to read. */
export async function refuseIntent(
  ledger: Ledger,
  intent: ChargeIntent,
  refusal: { code: ErrorCode; message: string },
): Promise<void> {
  await transactIgnoringCancel(ledger, intentWrites.refused(intent, refusal));
}

async function transactIgnoringCancel(ledger: Ledger, write: TransactItem): Promise<boolean> {
  try {
    await ledger.table.transact([write]);
    return true;
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    return false;
  }
}
