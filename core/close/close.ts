// The daily close (SPEC §12): for each UTC day, one leaf per account that has entries, from its
// last entry before the cut-off (the next midnight), the Merkle sum tree over them, and the digest
// chained to the day before, published where it can not be changed (store.ts). Cost follows the
// changes: the leaves of the day before are read from the store, and only the accounts with an
// entry that day (their first entry of a day marks them, keys.ts `CHANGED#`) are read again, one
// entry each. The first close of a ledger has no day before: it reads every account once.
//
//   day D ─► published? ─ yes ─► that digest (run twice, or after a crash: the same)
//        └─ no ─► days before D since the last digest closed first, in order
//                 leaves of D−1 + for each account changed on D its last entry before the cut-off
//                 ─► tree ─► digest {day, cutoff, accounts, root, creditMicros, prev} ─► publish
//                 ─► the steps that follow a digest (reconciliation, core/reconcile/), in order
//   (a day already published, and the last one before a catch-up, run their steps again: each
//    step does its work once, so a run killed after a digest and before its steps is made good)
//
// Deterministic: entries before a cut-off never change, so a day closed again gives the same bytes.

import { assert } from '../assert.js';
import { Conflict, InvalidRequest } from '../errors.js';
import { ulidBounds } from '../ids.js';
import { type Digest, digestHash, GENESIS_HASH, isHash, type Leaf } from '../proof/hashes.js';
import { leafNode, rootOf } from '../proof/merkle.js';
import { forEachScanPage } from '../proof/sources.js';
import { leafOf, type PublishedDigest } from '../proof/verify.js';
import { accountOfPk, chargeQueueIndex, keys, SK_PREFIX } from '../table/keys.js';
import type { LedgerTable } from '../table/table.js';
import { DAY_MS, iso, utcDay } from '../time.js';
import { DAY_PATTERN, type DigestStore } from './store.js';

/** Days a close catches up on at most (a year of missed nights). */
export const MAX_CATCH_UP_DAYS = 366;
/** Accounts whose last entry is read at once. */
export const READ_CONCURRENCY = 16;

/**
 * What runs after a day's digest is published, in the same job (reconciliation, SPEC §12, is one).
 * It runs again when the day is closed again (`new: false`), so a run killed between the digest and
 * its steps is made good by the next: a step does its work once and answers what it did before.
 */
export type CloseStep = (closed: ClosedDay) => Promise<void>;

export interface CloseDeps {
  table: LedgerTable;
  store: DigestStore;
  nowMs: number;
  after?: readonly CloseStep[];
}

export interface ClosedDay {
  published: PublishedDigest;
  /** False when the digest was already published (a second run). */
  new: boolean;
  /** Accounts read again for it (changed that day, or every account on the first close). */
  accountsRead: number;
}

/** The day before `nowMs`: what the nightly run closes. */
export function dayToClose(nowMs: number): string {
  return utcDay(nowMs - DAY_MS);
}

export function cutoffOf(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`) + DAY_MS;
}

/** Closes `day`, and first every day after the last one closed; answers each day closed, in order. */
export async function closeDays(deps: CloseDeps, day: string): Promise<ClosedDay[]> {
  if (!DAY_PATTERN.test(day) || Number.isNaN(cutoffOf(day))) throw new InvalidRequest(`day ${day} is not YYYY-MM-DD`);
  if (cutoffOf(day) > deps.nowMs) throw new Conflict(`${day} is not over yet: it closes after ${iso(cutoffOf(day))}`);
  const already = await deps.store.digest(day);
  if (already) {
    const done = { published: already, new: false, accountsRead: 0 };
    await runSteps(deps, done);
    return [done];
  }
  const latest = await deps.store.latestBefore();
  // Digests chain forward from the first close: a day before it can no longer be closed.
  if (latest !== undefined && latest > day) throw new Conflict(`${day} is before the first close, ${latest}'s chain`);
  const last = latest;
  const days = last === undefined ? [day] : daysBetween(last, day);
  const closed: ClosedDay[] = [];
  let previous = last === undefined ? undefined : await deps.store.digest(last);
  // A run killed between the last digest and its steps: they run again (each step does its work once).
  if (previous) await runSteps(deps, { published: previous, new: false, accountsRead: 0 });
  for (const next of days) {
    const done = await closeOne(deps, next, previous);
    await runSteps(deps, done);
    closed.push(done);
    previous = done.published;
  }
  return closed;
}

async function runSteps(deps: CloseDeps, closed: ClosedDay): Promise<void> {
  for (const step of deps.after ?? []) await step(closed);
}

/** The days after `last` up to `day`, both ends counted from the day after `last`. */
function daysBetween(last: string, day: string): string[] {
  const days: string[] = [];
  for (let at = cutoffOf(last); at < cutoffOf(day); at += DAY_MS) {
    days.push(utcDay(at));
    assert(days.length <= MAX_CATCH_UP_DAYS, `more than ${MAX_CATCH_UP_DAYS} days since ${last} to close`);
  }
  return days;
}

async function closeOne(deps: CloseDeps, day: string, previous: PublishedDigest | undefined): Promise<ClosedDay> {
  const cutoffMs = cutoffOf(day);
  const leaves = new Map<string, Leaf>();
  let accountIds: string[];
  if (previous) {
    const before = await deps.store.leaves(previous.digest.day);
    assert(before !== undefined, `the leaves of ${previous.digest.day} are published with its digest`);
    for (const leaf of before) leaves.set(leaf.accountId, leaf);
    accountIds = await changedOn(deps.table, day);
  } else {
    accountIds = await accountsWithEntries(deps.table);
  }
  const read = await inBatches(accountIds, (accountId) => leafAt(deps.table, accountId, cutoffMs));
  for (const leaf of read) if (leaf) leaves.set(leaf.accountId, leaf);
  const sorted = [...leaves.values()].sort((a, b) => (a.accountId < b.accountId ? -1 : 1));
  const root = rootOf(sorted.map(leafNode));
  const digest: Digest = {
    day,
    cutoff: iso(cutoffMs),
    accounts: sorted.length,
    root: root.hash,
    creditMicros: String(root.creditMicros),
    prev: previous?.digestHash ?? GENESIS_HASH,
  };
  const published = { digest, digestHash: digestHash(digest) };
  await deps.store.publish(published, sorted);
  return { published, new: true, accountsRead: accountIds.length };
}

/** The accounts whose first entry of `day` marked them changed: a Query of the day's index shards. */
async function changedOn(table: LedgerTable, day: string): Promise<string[]> {
  const accountIds: string[] = [];
  await table.forEachDuePage(chargeQueueIndex, chargeQueueIndex.changedShards(day), '~', async (page) => {
    for (const key of page) accountIds.push(accountOfPk(key.pk));
  });
  return accountIds;
}

/** Every account that has an entry: the first close's one full read. */
async function accountsWithEntries(table: LedgerTable): Promise<string[]> {
  const accountIds: string[] = [];
  await forEachScanPage(
    table,
    {
      FilterExpression: 'sk = :account AND entryCount > :none',
      ExpressionAttributeValues: { ':account': SK_PREFIX.accountAndIntents, ':none': 0 },
      ProjectionExpression: 'pk',
    },
    async (items) => {
      for (const item of items) accountIds.push(accountOfPk(item.pk));
    },
  );
  return accountIds;
}

/** An account's leaf at a cut-off: its last entry before it (one item read), if any. */
async function leafAt(table: LedgerTable, accountId: string, cutoffMs: number): Promise<Leaf | undefined> {
  const { items } = await table.query({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :beforeCutoff',
    ExpressionAttributeValues: {
      ':pk': keys.accountPk(accountId),
      ':first': SK_PREFIX.entry,
      ':beforeCutoff': `${SK_PREFIX.entry}${ulidBounds(cutoffMs - 1, cutoffMs - 1).high}`,
    },
    ScanIndexForward: false,
    Limit: 1,
    ConsistentRead: true,
  });
  const entry = items[0];
  if (!entry) return undefined;
  const { seq, hash, balanceAfter } = entry;
  if (typeof seq !== 'number' || !isHash(hash))
    throw new Conflict(`account ${accountId} is not chained yet: run npm run migrate-chain before closing`);
  assert(typeof balanceAfter === 'number', `${String(entry.sk)} has no balanceAfter`);
  return leafOf(accountId, seq, hash, BigInt(balanceAfter));
}

/** `read` over every id, READ_CONCURRENCY at a time, answers in the ids' order. */
async function inBatches<T>(ids: readonly string[], read: (id: string) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let at = 0; at < ids.length; at += READ_CONCURRENCY)
    out.push(...(await Promise.all(ids.slice(at, at + READ_CONCURRENCY).map(read))));
  return out;
}
