// The one-off migration that chains the history written before the chain began (SPEC §12): for
// each account whose item holds no head, its entries get `seq`, `prevHash` and `hash` in key order
// (commit order), then the account item gets `headSeq` and `headHash` under the version it was read
// at. Resumable: an entry already linked is checked, never rewritten; a crash leaves entries
// linked and the head absent, and the next run links the rest. Entries the engine writes meanwhile
// stay unchained until the head is set (ledger/draft.ts), so a pass that raced one runs again.
//
//   account without head ─► its entries, consistent, in key order ─► link each missing one
//        └─► SET headSeq, headHash, version + 1 IF version = read ─┬─ done
//                                                                 └─ the account moved: pass again
//
// Run by an operator (`npm run migrate-chain`), never by a function: no function's role may
// update an entry (infra/access.ts).

import { assert } from '../assert.js';
import { accountOfPk, keys, SK_PREFIX } from '../table/keys.js';
import type { Item, LedgerTable } from '../table/table.js';
import { type ChainedFields, linkOf } from './chain.js';
import { GENESIS_HASH } from './hashes.js';
import { forEachScanPage } from './sources.js';

/** Passes over one account that a concurrent writer may each send round again. */
export const MAX_PASSES = 20;
/** Pages of one account's entries (1 MB each). */
const MAX_ENTRY_PAGES = 10_000;

export interface MigrationReport {
  accounts: number;
  entriesLinked: number;
  /** Accounts whose stored links disagree with their entries: left alone, for a person to look at. */
  refused: { accountId: string; reason: string }[];
}

export class ChainConflict extends Error {
  override name = 'ChainConflict';
}

export interface MigrationOptions {
  /** Called after each entry is linked (a test stops the run here, as a crash would). */
  afterLink?: () => void;
}

/** Chains every account of the table that has entries and no head yet. */
export async function migrateChains(table: LedgerTable, options: MigrationOptions = {}): Promise<MigrationReport> {
  const report: MigrationReport = { accounts: 0, entriesLinked: 0, refused: [] };
  await forEachScanPage(
    table,
    {
      FilterExpression: 'sk = :account AND attribute_not_exists(headHash) AND entryCount > :none',
      ExpressionAttributeValues: { ':account': SK_PREFIX.accountAndIntents, ':none': 0 },
    },
    async (items) => {
      for (const item of items) await migrateOne(table, accountOfPk(item.pk), options, report);
    },
  );
  return report;
}

async function migrateOne(
  table: LedgerTable,
  accountId: string,
  options: MigrationOptions,
  report: MigrationReport,
): Promise<void> {
  try {
    report.entriesLinked += await migrateAccount(table, accountId, options);
    report.accounts += 1;
  } catch (error) {
    if (!(error instanceof ChainConflict)) throw error;
    report.refused.push({ accountId, reason: error.message });
  }
}

/** Chains one account; answers how many entries it linked. */
export async function migrateAccount(
  table: LedgerTable,
  accountId: string,
  options: MigrationOptions = {},
): Promise<number> {
  let linked = 0;
  for (let pass = 1; pass <= MAX_PASSES; pass += 1) {
    const account = await table.get(keys.account(accountId));
    if (!account || account.headHash !== undefined) return linked;
    const entries = await entriesOf(table, accountId);
    const passed = await linkAll(table, accountId, entries, options);
    linked += passed.linked;
    if (passed.head !== undefined && (await setHead(table, account, entries.length, passed.head))) return linked;
  }
  throw new ChainConflict(`account ${accountId} kept changing over ${MAX_PASSES} passes`);
}

/** Links the entries that have no link yet; `head` is the last hash, unless another run got in first. */
async function linkAll(
  table: LedgerTable,
  accountId: string,
  entries: readonly Item[],
  options: MigrationOptions,
): Promise<{ linked: number; head?: string }> {
  let linked = 0;
  let prevHash = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    const link = linkOf(accountId, index + 1, prevHash, fieldsOf(entry));
    if (entry.hash === undefined) {
      if (!(await writeLink(table, entry, link))) return { linked };
      linked += 1;
      options.afterLink?.();
    } else if (entry.seq !== link.seq || entry.prevHash !== link.prevHash || entry.hash !== link.hash) {
      throw new ChainConflict(`${String(entry.sk)} holds a link that is not entry ${link.seq}'s`);
    }
    prevHash = link.hash;
  }
  return { linked, head: prevHash };
}

async function entriesOf(table: LedgerTable, accountId: string): Promise<Item[]> {
  const entries: Item[] = [];
  let startKey: Item | undefined;
  for (let page = 1; page <= MAX_ENTRY_PAGES; page += 1) {
    const out = await table.query({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': keys.accountPk(accountId), ':entry': SK_PREFIX.entry },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    entries.push(...out.items);
    startKey = out.lastKey;
    if (!startKey) return entries;
  }
  throw new Error(`account ${accountId} has more than ${MAX_ENTRY_PAGES} pages of entries`);
}

/** Links one entry unless another run linked it first (then the pass starts again). */
function writeLink(table: LedgerTable, entry: Item, link: { seq: number; prevHash: string; hash: string }) {
  return table.update({
    Key: { pk: entry.pk, sk: entry.sk },
    UpdateExpression: 'SET seq = :seq, prevHash = :prevHash, #hash = :hash',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#hash)',
    ExpressionAttributeNames: { '#hash': 'hash' },
    ExpressionAttributeValues: { ':seq': link.seq, ':prevHash': link.prevHash, ':hash': link.hash },
  });
}

/** Sets the head if the account is still as read (no entry written since): the chain is live from here on. */
function setHead(table: LedgerTable, account: Item, headSeq: number, headHash: string): Promise<boolean> {
  const version = account.version;
  assert(typeof version === 'number', `account ${String(account.pk)} has no version`);
  return table.update({
    Key: { pk: account.pk, sk: account.sk },
    UpdateExpression: 'SET headSeq = :headSeq, headHash = :headHash, version = :next',
    ConditionExpression: 'version = :version AND entryCount = :headSeq AND attribute_not_exists(headHash)',
    ExpressionAttributeValues: {
      ':headSeq': headSeq,
      ':headHash': headHash,
      ':version': version,
      ':next': version + 1,
    },
  });
}

function fieldsOf(entry: Item): ChainedFields {
  const { transactionId, type, amount, balanceAfter, createdAt, reference } = entry;
  assert(
    typeof transactionId === 'string' &&
      typeof type === 'string' &&
      typeof amount === 'number' &&
      typeof balanceAfter === 'number' &&
      typeof createdAt === 'string' &&
      typeof reference === 'string',
    `${String(entry.sk)} is not a ledger entry`,
  );
  return { transactionId, type, amount, balanceAfter, createdAt, reference };
}
